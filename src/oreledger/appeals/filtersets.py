"""Filters of the appeal lists (inbox, queue, my appeals, the ledgers' drill-down)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Department, Region
from oreledger.appeals.choices import OPEN_STATUSES, AppealClass, AppealStatus, Category
from oreledger.appeals.models import Appeal, Routing
from oreledger.appeals.queries import overdue_now
from oreledger.core.permissions import VIEW

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


def _choices(user: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The counties and departments of the appeals the reader may see, by name.

    The ledger's drill-down filters by them: the filter shows the name it filters by, never a
    code or an id the reader would have to type.
    """
    appeals = Appeal.objects.for_user(user, VIEW)
    regions = Region.objects.filter(pk__in=appeals.values("region_id")).order_by("path")
    departments = (
        Department.objects.filter(
            pk__in=Routing.objects.filter(appeal__in=appeals).values("department_id")
        )
        .select_related("kind", "region")
        .order_by("region__path", "kind__ordering", "pk")
    )
    return (
        [(r.code, str(r.name)) for r in regions],
        [(str(d.pk), str(d)) for d in departments],
    )


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
    region = django_filters.ChoiceFilter(label=_("Region"), method=_region, choices=[])
    department = django_filters.ChoiceFilter(label=_("Department"), method=_department, choices=[])

    class Meta:
        model = Appeal
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        regions, departments = _choices(getattr(request, "user", None))
        self.filters["region"].extra["choices"] = regions
        self.filters["department"].extra["choices"] = departments
