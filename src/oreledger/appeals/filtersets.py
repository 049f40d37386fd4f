"""Filters of the appeal lists (inbox, queue, my appeals, the ledgers' drill-down)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oreledger.appeals.choices import OPEN_STATUSES, AppealClass, AppealStatus, Category
from oreledger.appeals.models import Appeal
from oreledger.appeals.queries import overdue_now

STATES = (("open", _("Open")), ("overdue", _("Overdue")))


def _region(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Appeals of a region or below it, by GB/T 2260 code."""
    value = (value or "").strip()
    if not value.isdigit():
        return queryset.none() if value else queryset
    return queryset.filter(region__path__contains=f"/{value}/")


def _department(queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
    """Appeals routed to one department."""
    return queryset.filter(routings__department_id=value) if value else queryset


def _state(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    if value == "open":
        return queryset.filter(status__in=OPEN_STATUSES)
    if value == "overdue":
        return queryset.filter(overdue_now())
    return queryset


class AppealFilter(django_filters.FilterSet):
    """status, open or overdue, category, class, region, department."""

    state = django_filters.ChoiceFilter(label=_("Open or overdue"), choices=STATES, method=_state)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AppealStatus.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    appeal_class = django_filters.ChoiceFilter(label=_("Appeal class"), choices=AppealClass.choices)
    region = django_filters.CharFilter(label=_("Region code"), method=_region)
    department = django_filters.NumberFilter(
        label=_("Department"), method=_department, widget=django_filters.widgets.forms.HiddenInput
    )

    class Meta:
        model = Appeal
        fields: list[str] = []
