"""Filters of the inspections page lists."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.inspections.choices import CampaignStatus, OrderStatus
from oreledger.inspections.models import Campaign, ClassificationDecision, RectificationOrder
from oreledger.inspections.queries import OVERDUE, overdue_orders
from oreledger.registry.choices import Rectification


class CampaignFilter(django_filters.FilterSet):
    """status."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields: list[str] = []


class OrderFilter(django_filters.FilterSet):
    """status, overdue."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*OrderStatus.choices, (OVERDUE, pgettext_lazy("rectification", "Overdue"))],
        method="filter_status",
    )

    class Meta:
        model = RectificationOrder
        fields: list[str] = []

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        """A stored status, or the open orders past their deadline (the API's same `overdue`)."""
        if value == OVERDUE:
            return overdue_orders(queryset)
        return queryset.filter(status=value)


class DecisionFilter(django_filters.FilterSet):
    """classification."""

    classification = django_filters.ChoiceFilter(
        label=_("Classification"), choices=Rectification.choices
    )

    class Meta:
        model = ClassificationDecision
        fields: list[str] = []
