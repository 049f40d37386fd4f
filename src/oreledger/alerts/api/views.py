"""API of alerts and cases: GET /api/v1/alerts (docs/specs/api-essentials.md) and /api/v1/cases."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from oreledger.alerts.api.filters import AlertApiFilter, CaseApiFilter
from oreledger.alerts.api.serializers import AlertSerializer, CaseSerializer
from oreledger.alerts.models import Alert, Case


class ExactPagination(PageNumberPagination):
    """`{"count", "next", "results"}` — exactly the keys docs/specs/api-essentials.md fixes."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data: Any) -> Response:
        """The page with its count and the next page's URL."""
        assert self.page is not None
        return Response(
            {"count": self.page.paginator.count, "next": self.get_next_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The OpenAPI shape of a page."""
        full = super().get_paginated_response_schema(schema)
        full["properties"].pop("previous", None)
        return full


class AlertViewSet(viewsets.ReadOnlyModelViewSet[Alert]):
    """Alerts in the caller's jurisdiction, newest first."""

    serializer_class = AlertSerializer
    filterset_class = AlertApiFilter
    ordering_fields = {
        "first_seen": "first_seen",
        "last_seen": "last_seen",
        "deadline": "deadline",
        "count": "count",
    }
    pagination_class = ExactPagination

    def get_queryset(self) -> Any:
        return (
            Alert.objects.for_user(self.request.user)
            .select_related("region")
            .order_by("-first_seen", "-pk")
        )


class CaseViewSet(viewsets.ReadOnlyModelViewSet[Case]):
    """Enforcement cases in the caller's jurisdiction (or of their own enterprise)."""

    serializer_class = CaseSerializer
    filterset_class = CaseApiFilter
    ordering_fields = {"created_at": "created_at", "number": "number", "deadline": "deadline"}
    pagination_class = ExactPagination
    lookup_field = "number"

    def get_queryset(self) -> Any:
        return (
            Case.objects.for_user(self.request.user)
            .select_related("region", "enterprise", "site")
            .order_by("-created_at", "-pk")
        )
