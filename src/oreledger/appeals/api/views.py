"""API of the appeals desk: GET /api/v1/appeals and /api/v1/appeals/<number>, scoped."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets

from oreledger.alerts.api.views import ExactPagination
from oreledger.appeals.api.filters import AppealApiFilter
from oreledger.appeals.api.serializers import AppealDetailSerializer, AppealSerializer
from oreledger.appeals.models import Appeal


class AppealViewSet(viewsets.ReadOnlyModelViewSet[Appeal]):
    """Appeals in the caller's scope (an enterprise its own), newest first."""

    filterset_class = AppealApiFilter
    ordering_fields = {"created_at": "created_at", "number": "number"}
    pagination_class = ExactPagination
    lookup_field = "number"

    def get_serializer_class(self) -> Any:
        return AppealDetailSerializer if self.action == "retrieve" else AppealSerializer

    def get_queryset(self) -> Any:
        rows = Appeal.objects.for_user(self.request.user).select_related("enterprise", "region")
        if self.action == "retrieve":
            rows = rows.prefetch_related("stages", "entries")
        return rows.order_by("-created_at", "-pk")
