"""Filters of the inspections API's lists: the shared vocabulary plus each record's own."""

from __future__ import annotations

from typing import Any

import django_filters

from oreledger.core.api.filtering import RegionFilter
from oreledger.inspections.choices import CampaignStatus, OrderStatus
from oreledger.inspections.models import (
    Campaign,
    ClassificationDecision,
    Finding,
    Inspection,
    RectificationOrder,
)
from oreledger.inspections.queries import OVERDUE, overdue_orders
from oreledger.registry.choices import Rectification


def _campaign() -> django_filters.NumberFilter:
    return django_filters.NumberFilter(field_name="campaign_id", help_text="The campaign's id.")


def _enterprise() -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name="enterprise__uscc", help_text="The USCC.")


class CampaignApiFilter(django_filters.FilterSet):
    """status, region (the organising region)."""

    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices)
    region = RegionFilter()

    class Meta:
        model = Campaign
        fields: list[str] = []


class InspectionApiFilter(django_filters.FilterSet):
    """campaign, region, enterprise."""

    campaign = _campaign()
    region = RegionFilter()
    enterprise = _enterprise()

    class Meta:
        model = Inspection
        fields: list[str] = []


class FindingApiFilter(django_filters.FilterSet):
    """campaign, region, enterprise."""

    campaign = _campaign()
    region = RegionFilter()
    enterprise = _enterprise()

    class Meta:
        model = Finding
        fields: list[str] = []


class OrderApiFilter(django_filters.FilterSet):
    """status (or `overdue`), campaign, region, enterprise."""

    status = django_filters.ChoiceFilter(
        choices=[*OrderStatus.choices, (OVERDUE, "Overdue")],
        method="filter_status",
        help_text="A stored status, or `overdue`: not closed and past its deadline.",
    )
    campaign = _campaign()
    region = RegionFilter()
    enterprise = _enterprise()

    class Meta:
        model = RectificationOrder
        fields: list[str] = []

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        """A stored status, or the open orders past their deadline (today, Asia/Shanghai)."""
        if value == OVERDUE:
            return overdue_orders(queryset)
        return queryset.filter(status=value)


class DecisionApiFilter(django_filters.FilterSet):
    """classification, campaign, region, enterprise."""

    classification = django_filters.ChoiceFilter(choices=Rectification.choices)
    campaign = _campaign()
    region = RegionFilter()
    enterprise = _enterprise()

    class Meta:
        model = ClassificationDecision
        fields: list[str] = []
