"""Filters of the registry API's lists (the pages' filters are in registry.filtersets)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q

from oreledger.core.api.filtering import RegionFilter, ValidOnFilter
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
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle


class RegistryApiFilter(django_filters.FilterSet):
    """`q` (a text search over the list's own fields) and `region` (with every region below)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(
        method="search", help_text="Text contained in the names or codes."
    )
    region = RegionFilter()

    def search(self, queryset: Any, name: str, value: str) -> Any:
        """Any of the search fields contains the text."""
        condition = Q()
        for path in self.search_fields:
            condition |= Q(**{f"{path}__icontains": value.strip()})
        return queryset.filter(condition)


class EnterpriseApiFilter(RegistryApiFilter):
    """q, region, kind, industry, status, classification."""

    search_fields = ("name", "uscc", "legal_rep")
    kind = django_filters.ChoiceFilter(choices=EnterpriseKind.choices)
    industry = django_filters.ChoiceFilter(choices=Industry.choices)
    status = django_filters.ChoiceFilter(choices=OperatingStatus.choices)
    classification = django_filters.ChoiceFilter(choices=Rectification.choices)

    class Meta:
        model = Enterprise
        fields: list[str] = []


class SiteApiFilter(RegistryApiFilter):
    """q, region, kind, status, enterprise."""

    search_fields = ("code", "name", "enterprise__name")
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices)
    status = django_filters.ChoiceFilter(choices=OperatingStatus.choices)
    enterprise = django_filters.CharFilter(
        field_name="enterprise__uscc", help_text="USCC of the operating enterprise."
    )

    class Meta:
        model = Site
        fields: list[str] = []


class StationApiFilter(RegistryApiFilter):
    """q, region, site, enterprise, checkpoint, disabled."""

    search_fields = ("code", "name", "site__name")
    site = django_filters.CharFilter(field_name="site__code", help_text="Code of its site.")
    enterprise = django_filters.CharFilter(
        field_name="site__enterprise__uscc", help_text="USCC of the enterprise of its site."
    )
    checkpoint = django_filters.BooleanFilter(
        field_name="site", lookup_expr="isnull", help_text="A public checkpoint (no site)."
    )
    disabled = django_filters.BooleanFilter(
        field_name="disabled_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="Its signatures are no longer honoured.",
    )

    class Meta:
        model = Station
        fields: list[str] = []


class VehicleApiFilter(RegistryApiFilter):
    """q, region (the owner's), plate, owner, status, axles."""

    search_fields = ("plate", "owner__name")
    region = RegionFilter("owner__region__path")
    plate = django_filters.CharFilter(help_text="Plate, exactly.")
    owner = django_filters.CharFilter(field_name="owner__uscc", help_text="Owner's USCC.")
    status = django_filters.ChoiceFilter(choices=VehicleStatus.choices)
    axles = django_filters.NumberFilter(help_text="Number of axles.")

    class Meta:
        model = Vehicle
        fields: list[str] = []


class PermitApiFilter(RegistryApiFilter):
    """q, region, type, department, holder, site, status, validity, dates."""

    search_fields = ("number", "holder__name", "holder__uscc", "site__code")
    type = django_filters.CharFilter(field_name="type__code", help_text="Permit type code.")
    department = django_filters.CharFilter(
        field_name="department__kind__code", help_text="Issuing department's kind code."
    )
    holder = django_filters.CharFilter(field_name="holder__uscc", help_text="Holder's USCC.")
    site = django_filters.CharFilter(field_name="site__code", help_text="Code of its site.")
    status = django_filters.ChoiceFilter(choices=PermitStatus.choices)
    validity = django_filters.ChoiceFilter(
        field_name="validity_state", choices=ValidityState.choices
    )
    expires_before = django_filters.DateFilter(
        field_name="valid_to", lookup_expr="lte", help_text="Expires on or before (YYYY-MM-DD)."
    )
    valid_on = ValidOnFilter()

    class Meta:
        model = Permit
        fields: list[str] = []
