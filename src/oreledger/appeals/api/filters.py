"""Filters of the appeals API's list."""

from __future__ import annotations

import django_filters

from oreledger.appeals.choices import AppealStatus, Category
from oreledger.appeals.models import Appeal
from oreledger.core.api.filtering import RegionFilter


class AppealApiFilter(django_filters.FilterSet):
    """status, category, region."""

    status = django_filters.ChoiceFilter(choices=AppealStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    region = RegionFilter()

    class Meta:
        model = Appeal
        fields: list[str] = []
