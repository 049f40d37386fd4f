"""API of joint inspections: GET /api/v1/inspections/{campaigns,visits,findings,orders,
decisions} and their details, scoped like the pages (another county's record is 404).

Read-only: campaigns are planned, visits submitted, orders issued, answered and signed on
the pages, where each step has its form and its service.
"""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets

from oreledger.alerts.api.views import ExactPagination
from oreledger.inspections.api import filters
from oreledger.inspections.api import serializers as s
from oreledger.inspections.models import (
    Campaign,
    ClassificationDecision,
    Finding,
    Inspection,
    RectificationOrder,
)


class CampaignViewSet(viewsets.ReadOnlyModelViewSet[Campaign]):
    """Campaigns organised in the caller's jurisdiction, latest first."""

    filterset_class = filters.CampaignApiFilter
    ordering_fields = {"starts_on": "starts_on", "ends_on": "ends_on"}
    pagination_class = ExactPagination

    def get_serializer_class(self) -> Any:
        return s.CampaignDetailSerializer if self.action == "retrieve" else s.CampaignSerializer

    def get_queryset(self) -> Any:
        rows = Campaign.objects.for_user(self.request.user).select_related("region")
        rows = rows.prefetch_related("regions", "departments")
        if self.action == "retrieve":
            rows = rows.prefetch_related("targets")
        return rows.order_by("-starts_on", "-pk")


class InspectionViewSet(viewsets.ReadOnlyModelViewSet[Inspection]):
    """Visits in the caller's scope (an enterprise its own), latest first."""

    filterset_class = filters.InspectionApiFilter
    ordering_fields = {"inspected_on": "inspected_on"}
    pagination_class = ExactPagination

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return s.InspectionDetailSerializer
        return s.InspectionSerializer

    def get_queryset(self) -> Any:
        rows = Inspection.objects.for_user(self.request.user)
        rows = rows.select_related("site", "enterprise", "region", "group")
        if self.action == "retrieve":
            rows = rows.prefetch_related("results__item__checklist__department_kind")
        return rows.order_by("-inspected_on", "-pk")


class FindingViewSet(viewsets.ReadOnlyModelViewSet[Finding]):
    """Findings in the caller's scope (an enterprise its own), newest first."""

    serializer_class = s.FindingSerializer
    filterset_class = filters.FindingApiFilter
    ordering_fields = {"created_at": "created_at"}
    pagination_class = ExactPagination

    def get_queryset(self) -> Any:
        rows = Finding.objects.for_user(self.request.user)
        rows = rows.select_related("enterprise", "region", "department_kind", "order")
        return rows.order_by("-created_at", "-pk")


class OrderViewSet(viewsets.ReadOnlyModelViewSet[RectificationOrder]):
    """Rectification orders in the caller's scope (an enterprise its own), newest first;
    `?status=overdue` the open ones past their deadline."""

    filterset_class = filters.OrderApiFilter
    ordering_fields = {"deadline": "deadline", "created_at": "created_at", "number": "number"}
    pagination_class = ExactPagination
    lookup_field = "number"

    def get_serializer_class(self) -> Any:
        return s.OrderDetailSerializer if self.action == "retrieve" else s.OrderSerializer

    def get_queryset(self) -> Any:
        rows = RectificationOrder.objects.for_user(self.request.user)
        rows = rows.select_related("enterprise", "site", "region")
        if self.action == "retrieve":
            rows = rows.prefetch_related("findings", "answers", "signoffs__department_kind")
        return rows.order_by("-created_at", "-pk")


class DecisionViewSet(viewsets.ReadOnlyModelViewSet[ClassificationDecision]):
    """Classification decisions in the caller's scope (an enterprise its own), newest first."""

    serializer_class = s.DecisionSerializer
    filterset_class = filters.DecisionApiFilter
    ordering_fields = {"created_at": "created_at"}
    pagination_class = ExactPagination

    def get_queryset(self) -> Any:
        rows = ClassificationDecision.objects.for_user(self.request.user)
        rows = rows.select_related("enterprise", "region")
        return rows.order_by("-created_at", "-pk")
