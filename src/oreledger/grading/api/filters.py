"""Filters of the grading API's lists: the standard's versions and assays."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Subquery

from oreledger.core.api.filtering import RegionFilter, from_to
from oreledger.grading.models import Assay, GradingStandard

_SAMPLED_FROM, _SAMPLED_TO = from_to("sampled_on", "Sampled")


class GradingStandardApiFilter(django_filters.FilterSet):
    """code, and the version in force on a day."""

    code = django_filters.CharFilter(help_text="Code of the version.")
    in_force_on = django_filters.DateFilter(
        method="in_force", help_text="The version in force on this date (YYYY-MM-DD)."
    )

    class Meta:
        model = GradingStandard
        fields: list[str] = []

    def in_force(self, queryset: Any, name: str, value: Any) -> Any:
        """The latest version effective on or before the day (among those listed)."""
        latest = (
            GradingStandard.objects.filter(effective_from__lte=value)
            .order_by("-effective_from")
            .values("pk")[:1]
        )
        return queryset.filter(pk=Subquery(latest))


class AssayApiFilter(django_filters.FilterSet):
    """site, enterprise, region, grade, lot, sampling dates."""

    site = django_filters.CharFilter(field_name="site__code", help_text="Site code.")
    enterprise = django_filters.CharFilter(
        field_name="site__enterprise__uscc", help_text="USCC of the site's enterprise."
    )
    region = RegionFilter("site__region__path")
    grade = django_filters.CharFilter(field_name="grade__code", help_text="Grade code.")
    lot = django_filters.CharFilter(help_text="Lot, exactly.")
    since = _SAMPLED_FROM
    until = _SAMPLED_TO

    class Meta:
        model = Assay
        fields: list[str] = []
