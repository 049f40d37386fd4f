"""Filters of the quota accounts API (docs/specs/api-essentials.md: period, holder, mineral)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from oreledger.core.api.filtering import AnyOfFilter, RegionFilter
from oreledger.quotas.choices import AccountLevel
from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.services import get_mineral, get_period


class YearFilter(django_filters.NumberFilter):
    """A whole year (2025), not any number."""

    field_class = forms.IntegerField


class QuotaAccountApiFilter(django_filters.FilterSet):
    """period, holder, mineral (an unknown period or mineral is refused), level, region."""

    period = YearFilter(method="in_period", help_text="The quota year, e.g. 2025.")
    holder = AnyOfFilter(
        "holder_region__code", "holder_site__code", help_text="A region code or a site code."
    )
    mineral = django_filters.CharFilter(
        method="of_mineral", help_text='A mineral code ("magnesite").'
    )
    level = django_filters.ChoiceFilter(choices=AccountLevel.choices)
    region = RegionFilter()

    class Meta:
        model = QuotaAccount
        fields: list[str] = []

    def in_period(self, queryset: Any, name: str, value: Any) -> Any:
        """The accounts of an opened year (period_unknown otherwise)."""
        return queryset.filter(period=get_period(value))

    def of_mineral(self, queryset: Any, name: str, value: str) -> Any:
        """The accounts of a known mineral (mineral_unknown otherwise)."""
        return queryset.filter(mineral=get_mineral(value))
