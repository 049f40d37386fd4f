"""Filters of the alert and case pages (the API's are in alerts.api.filters)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oreledger.alerts.choices import AlertStatus, CaseStatus, Severity
from oreledger.alerts.models import RULE_CHOICES, Alert, Case


def _region(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Alerts in a region or below it, by GB/T 2260 code."""
    value = (value or "").strip()
    if not value.isdigit():
        return queryset.none() if value else queryset
    return queryset.filter(region__path__contains=f"/{value}/")


class AlertFilter(django_filters.FilterSet):
    """rule, severity, status, region, date (first seen)."""

    rule = django_filters.ChoiceFilter(label=_("Rule"), choices=RULE_CHOICES)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AlertStatus.choices)
    region = django_filters.CharFilter(label=_("Region code"), method=_region)
    since = django_filters.DateFilter(
        label=_("First seen from"), field_name="first_seen", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=_("First seen until"), field_name="first_seen", lookup_expr="date__lte"
    )

    class Meta:
        model = Alert
        fields: list[str] = []


class CaseFilter(django_filters.FilterSet):
    """status and region."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=CaseStatus.choices)
    region = django_filters.CharFilter(label=_("Region code"), method=_region)

    class Meta:
        model = Case
        fields: list[str] = []
