"""API of quotas: the accounts, by period, holder and mineral."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from rest_framework import generics

from oreledger.quotas.api.filters import QuotaAccountApiFilter
from oreledger.quotas.api.serializers import QuotaAccountSerializer
from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.queries import with_consumption


class QuotaAccountList(generics.ListAPIView[QuotaAccount]):
    """The caller's quota accounts, as one plain list (docs/specs/api-essentials.md)."""

    serializer_class = QuotaAccountSerializer
    filterset_class = QuotaAccountApiFilter
    pagination_class = None

    def get_queryset(self) -> Any:
        return with_consumption(
            QuotaAccount.objects.for_user(self.request.user).select_related(
                "period", "mineral", "holder_region", "holder_site"
            )
        ).order_by(
            "period__year", "region__path", F("holder_site__code").asc(nulls_first=True), "pk"
        )
