"""Filters of the briefings API's list."""

from __future__ import annotations

import django_filters

from oreledger.briefings.choices import BriefingStatus
from oreledger.briefings.models import Briefing
from oreledger.core.api.filtering import RegionFilter


class BriefingApiFilter(django_filters.FilterSet):
    """status, region, week."""

    status = django_filters.ChoiceFilter(choices=BriefingStatus.choices)
    region = RegionFilter()
    week = django_filters.CharFilter(field_name="week", help_text="ISO week, e.g. 2026-W48.")

    class Meta:
        model = Briefing
        fields: list[str] = []
