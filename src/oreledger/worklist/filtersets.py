"""Filters of the task list: working group, county, status."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region
from oreledger.core.permissions import VIEW
from oreledger.worklist.choices import TaskStatus
from oreledger.worklist.models import Task, WorkingGroup
from oreledger.worklist.queries import statuses, today_local, with_progress


def _region(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Tasks of a region or below it, by GB/T 2260 code."""
    value = (value or "").strip()
    if not value.isdigit():
        return queryset.none() if value else queryset
    return queryset.filter(region__path__contains=f"/{value}/")


def _status(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Tasks whose computed status is `value` (the status is a rule, not a column)."""
    if not value:
        return queryset
    found = statuses(with_progress(queryset), today_local())
    return queryset.filter(pk__in=[pk for pk, status in found.items() if status == value])


class TaskFilter(django_filters.FilterSet):
    """The task list's filters."""

    group = django_filters.ModelChoiceFilter(
        label=_("Working group"), queryset=WorkingGroup.objects.all()
    )
    region = django_filters.ChoiceFilter(label=_("Region"), method=_region, choices=[])
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TaskStatus.choices, method=_status
    )

    class Meta:
        model = Task
        fields = ["group", "region", "status"]

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        # The regions of the tasks the reader may see, by name: never a code to type.
        reader: Any = getattr(request, "user", None)
        tasks = Task.objects.for_user(reader, VIEW)
        regions = Region.objects.filter(pk__in=tasks.values("region_id")).order_by("path")
        self.filters["region"].extra["choices"] = [(r.code, str(r.name)) for r in regions]
