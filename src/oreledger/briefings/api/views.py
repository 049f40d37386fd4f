"""API of briefings: the kept briefings, and any week's figures on demand, scoped."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oreledger.alerts.api.views import ExactPagination
from oreledger.briefings.api.filters import BriefingApiFilter
from oreledger.briefings.api.serializers import BriefingDetailSerializer, BriefingSerializer
from oreledger.briefings.models import Briefing
from oreledger.briefings.sections import Week
from oreledger.briefings.services import build_figures
from oreledger.core.api.filtering import reject_unknown_parameters
from oreledger.core.permissions import VIEW, may
from oreledger.dashboards.scope import resolve_scope


class BriefingViewSet(viewsets.ReadOnlyModelViewSet[Briefing]):
    """Briefings kept in the caller's jurisdiction, newest week first."""

    filterset_class = BriefingApiFilter
    ordering_fields = {"week": "week", "issued_at": "issued_at"}
    pagination_class = ExactPagination

    def get_serializer_class(self) -> Any:
        return BriefingDetailSerializer if self.action == "retrieve" else BriefingSerializer

    def get_queryset(self) -> Any:
        rows = Briefing.objects.for_user(self.request.user, VIEW).select_related("region")
        return rows.order_by("-week", "region__code", "pk")


class WeekView(APIView):
    """GET /api/v1/briefings/week/?week=YYYY-Www[&region=CODE]: a week's figures, read now."""

    @extend_schema(
        parameters=[
            OpenApiParameter("week", str, required=True, description="ISO week, e.g. 2026-W48"),
            OpenApiParameter("region", str, description="GB/T 2260 code inside your jurisdiction"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        """Every figure of the week's briefing (the same JSON as briefing.json)."""
        reject_unknown_parameters(request, ["week", "region"])
        if not may(request.user, VIEW, Briefing):
            raise Http404
        scope = resolve_scope(request.user, request.query_params)
        if scope.site is not None or scope.is_enterprise:
            raise Http404
        week = Week.parse(request.query_params.get("week", ""))
        return Response(build_figures(scope, week))
