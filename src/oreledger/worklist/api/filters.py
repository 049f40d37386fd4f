"""Filters of the worklist API's task list."""

from __future__ import annotations

import django_filters

from oreledger.core.api.filtering import RegionFilter
from oreledger.worklist.models import Task


class TaskApiFilter(django_filters.FilterSet):
    """region (the responsible unit's)."""

    region = RegionFilter()

    class Meta:
        model = Task
        fields: list[str] = []
