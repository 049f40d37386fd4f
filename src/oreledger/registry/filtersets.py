"""Filters of the registry lists (django-filter): text search, region, kind, status, validity."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core.filtersets import YesNoFilter
from oreledger.registry.choices import (
    EnterpriseKind,
    Industry,
    OperatingStatus,
    PermitStatus,
    Rectification,
    SiteKind,
    ValidityState,
    VehicleStatus,
)
from oreledger.registry.models import Enterprise, Permit, PermitType, Site, Station, Vehicle


def _regions(request: Any) -> Any:
    if request is None:
        return Region.objects.none()
    return Region.objects.for_user(request.user).exclude(level="town")


class RegionalFilter(django_filters.FilterSet):
    """A text search and a region (with everything below it)."""

    region_path = "region__path"
    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = django_filters.ModelChoiceFilter(
        queryset=_regions, method="in_region", label=_("Region"), to_field_name="code"
    )

    def search(self, queryset: Any, name: str, value: str) -> Any:
        """Any of the search fields contains the text."""
        condition = Q()
        for fld in self.search_fields:
            condition |= Q(**{f"{fld}__icontains": value.strip()})
        return queryset.filter(condition)

    def in_region(self, queryset: Any, name: str, value: Region) -> Any:
        """The region and everything below it."""
        return queryset.filter(**{f"{self.region_path}__startswith": value.path})


class EnterpriseFilter(RegionalFilter):
    """Filters of the enterprise list."""

    search_fields = ("name", "uscc", "legal_rep")
    kind = django_filters.ChoiceFilter(choices=EnterpriseKind.choices, label=_("Kind"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    status = django_filters.ChoiceFilter(choices=OperatingStatus.choices, label=_("Status"))
    classification = django_filters.ChoiceFilter(
        choices=Rectification.choices, label=_("Classification")
    )

    class Meta:
        model = Enterprise
        fields = ["q", "region", "kind", "industry", "status", "classification"]


class SiteFilter(RegionalFilter):
    """Filters of the site list."""

    search_fields = ("code", "name", "enterprise__name")
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=OperatingStatus.choices, label=_("Status"))

    class Meta:
        model = Site
        fields = ["q", "region", "kind", "status"]


class StationFilter(RegionalFilter):
    """Filters of the station list."""

    search_fields = ("code", "name", "site__name")
    checkpoint = YesNoFilter(field_name="site", lookup_expr="isnull", label=_("Public checkpoint"))
    disabled = YesNoFilter(
        field_name="disabled_at", lookup_expr="isnull", exclude=True, label=_("Disabled")
    )

    class Meta:
        model = Station
        fields = ["q", "region", "checkpoint", "disabled"]


class VehicleFilter(RegionalFilter):
    """Filters of the vehicle list."""

    region_path = "owner__region__path"
    search_fields = ("plate", "owner__name")
    status = django_filters.ChoiceFilter(choices=VehicleStatus.choices, label=_("Status"))
    axles = django_filters.NumberFilter(label=_("Axles"))

    class Meta:
        model = Vehicle
        fields = ["q", "region", "status", "axles"]


class PermitFilter(RegionalFilter):
    """Filters of the permit list."""

    search_fields = ("number", "holder__name", "holder__uscc", "site__code")
    type = django_filters.ModelChoiceFilter(
        queryset=PermitType.objects.all(), to_field_name="code", label=_("Type")
    )
    department = django_filters.ModelChoiceFilter(
        queryset=DepartmentKind.objects.order_by("ordering", "code"),
        field_name="department__kind",
        to_field_name="code",
        label=_("Department"),
    )
    status = django_filters.ChoiceFilter(choices=PermitStatus.choices, label=_("Status"))
    validity = django_filters.ChoiceFilter(
        field_name="validity_state", choices=ValidityState.choices, label=_("Validity")
    )
    expires_before = django_filters.DateFilter(
        field_name="valid_to",
        lookup_expr="lte",
        label=_("Expires by"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Permit
        fields = ["q", "region", "type", "department", "status", "validity", "expires_before"]
