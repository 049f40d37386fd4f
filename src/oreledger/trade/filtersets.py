"""Filters of the trade pages' lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from oreledger.trade.choices import ContractStatus, ListingStatus
from oreledger.trade.models import Contract, Listing


class ListingFilter(django_filters.FilterSet):
    """Listings by status and grade."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ListingStatus.choices)
    grade = django_filters.CharFilter(label=_("Grade"), field_name="grade__code")

    class Meta:
        model = Listing
        fields = ["status", "grade"]


class ContractFilter(django_filters.FilterSet):
    """Contracts by status, grade and number."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ContractStatus.choices)
    grade = django_filters.CharFilter(label=_("Grade"), field_name="grade__code")
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="icontains")

    class Meta:
        model = Contract
        fields = ["status", "grade", "number"]
