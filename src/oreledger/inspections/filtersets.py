"""Filters of the inspections page lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from oreledger.inspections.choices import CampaignStatus, OrderStatus
from oreledger.inspections.models import Campaign, ClassificationDecision, RectificationOrder
from oreledger.registry.choices import Rectification


class CampaignFilter(django_filters.FilterSet):
    """status."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields: list[str] = []


class OrderFilter(django_filters.FilterSet):
    """status, overdue."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices)

    class Meta:
        model = RectificationOrder
        fields: list[str] = []


class DecisionFilter(django_filters.FilterSet):
    """classification."""

    classification = django_filters.ChoiceFilter(
        label=_("Classification"), choices=Rectification.choices
    )

    class Meta:
        model = ClassificationDecision
        fields: list[str] = []
