"""Filters of the accounts API's lists: regions and users."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q

from oreledger.accounts.choices import RegionLevel, Role
from oreledger.accounts.models import Region, User
from oreledger.core.api.filtering import RegionFilter


class RegionApiFilter(django_filters.FilterSet):
    """level, parent, region (a region and everything below it)."""

    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    parent = django_filters.CharFilter(
        field_name="parent__code", help_text="Code of the region directly above."
    )
    region = RegionFilter("path")

    class Meta:
        model = Region
        fields: list[str] = []


class UserApiFilter(django_filters.FilterSet):
    """q, role, region, enterprise, department, active."""

    q = django_filters.CharFilter(method="search", help_text="Text in the username or the name.")
    role = django_filters.ChoiceFilter(choices=Role.choices)
    region = RegionFilter()
    enterprise = django_filters.CharFilter(
        field_name="enterprise__uscc", help_text="USCC of the person's enterprise."
    )
    department = django_filters.CharFilter(
        field_name="department__kind__code", help_text="Kind code of the person's department."
    )
    active = django_filters.BooleanFilter(
        field_name="is_active", help_text="Whether the account may log in."
    )

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset: Any, name: str, value: str) -> Any:
        """Username or name contains the text."""
        text = value.strip()
        return queryset.filter(Q(username__icontains=text) | Q(display_name__icontains=text))
