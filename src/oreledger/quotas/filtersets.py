"""Filters of the quota pages' lists (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region
from oreledger.quotas.models import Mineral, QuotaAccount, QuotaPeriod


class AccountFilter(django_filters.FilterSet):
    """Filters of the mine-quota table."""

    period = django_filters.ModelChoiceFilter(
        field_name="period",
        queryset=QuotaPeriod.objects.all(),
        to_field_name="year",
        label=_("Year"),
    )
    county = django_filters.ModelChoiceFilter(
        field_name="parent__holder_region",
        queryset=Region.objects.filter(level="county"),
        to_field_name="code",
        label=_("County"),
    )
    mineral = django_filters.ModelChoiceFilter(
        queryset=Mineral.objects.all(), to_field_name="code", label=_("Mineral")
    )
    q = django_filters.CharFilter(method="search", label=_("Mine"))

    class Meta:
        model = QuotaAccount
        fields = ["period", "county", "mineral", "q"]

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        if request is not None and getattr(request.user, "is_authenticated", False):
            county_field = self.filters["county"]
            county_field.queryset = Region.objects.for_user(request.user).filter(level="county")

    def search(self, queryset: Any, name: str, value: str) -> Any:
        """Mine code or name contains the text."""
        return queryset.filter(
            Q(holder_site__code__icontains=value) | Q(holder_site__name__icontains=value)
        )
