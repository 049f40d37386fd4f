"""Filters of the appeals API's list."""

from __future__ import annotations

import django_filters

from oreledger.appeals.choices import AppealClass, AppealStatus, Category
from oreledger.appeals.models import Appeal
from oreledger.core.api.filtering import RegionFilter, since_until

_SINCE, _UNTIL = since_until("created_at", "Raised")


class AppealApiFilter(django_filters.FilterSet):
    """status, category, class, region, raising time."""

    status = django_filters.ChoiceFilter(choices=AppealStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    appeal_class = django_filters.ChoiceFilter(choices=AppealClass.choices)
    region = RegionFilter()
    since = _SINCE
    until = _UNTIL

    class Meta:
        model = Appeal
        fields: list[str] = []
