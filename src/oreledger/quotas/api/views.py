"""API of quotas: the accounts, by period, holder and mineral."""

from __future__ import annotations

from django.db.models import F, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from oreledger.core.errors import DomainError
from oreledger.quotas.api.serializers import QuotaAccountSerializer
from oreledger.quotas.errors import MESSAGES
from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.queries import with_consumption
from oreledger.quotas.services import get_mineral, get_period


@extend_schema(
    parameters=[
        OpenApiParameter("period", OpenApiTypes.INT, description="The quota year, e.g. 2025."),
        OpenApiParameter("holder", OpenApiTypes.STR, description="A region code or a site code."),
        OpenApiParameter("mineral", OpenApiTypes.STR, description='A mineral code ("magnesite").'),
    ],
    responses=QuotaAccountSerializer(many=True),
)
@api_view(["GET"])
def quota_accounts(request: Request) -> Response:
    """Quota accounts in the caller's jurisdiction, as a plain list."""
    accounts = with_consumption(
        QuotaAccount.objects.for_user(request.user).select_related(
            "period", "mineral", "holder_region", "holder_site"
        )
    )
    period = request.query_params.get("period")
    if period:
        try:
            year = int(period)
        except ValueError:
            raise DomainError(
                "invalid", MESSAGES["period_unknown"], params={"year": period[:20]}
            ) from None
        accounts = accounts.filter(period=get_period(year))
    mineral = request.query_params.get("mineral")
    if mineral:
        accounts = accounts.filter(mineral=get_mineral(mineral))
    holder = request.query_params.get("holder")
    if holder:
        accounts = accounts.filter(Q(holder_region__code=holder) | Q(holder_site__code=holder))
    accounts = accounts.order_by(
        "period__year", "region__path", F("holder_site__code").asc(nulls_first=True), "pk"
    )
    return Response(QuotaAccountSerializer(accounts, many=True).data)
