"""Filters of the weighing lists."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.core.filtersets import YesNoFilter
from oreledger.weighing.choices import Direction, TicketKind, WaybillStatus
from oreledger.weighing.models import Ticket, Waybill

_DATE = forms.DateInput(attrs={"type": "date"})


class TicketFilter(django_filters.FilterSet):
    """Search tickets by plate, waybill, station and date."""

    plate = django_filters.CharFilter(label=_("Plate"), lookup_expr="icontains")
    waybill = django_filters.CharFilter(
        label=_("Waybill"), field_name="waybill_number", lookup_expr="icontains"
    )
    station = django_filters.CharFilter(label=_("Station"), field_name="station__code")
    day_from = django_filters.DateFilter(
        label=pgettext_lazy("date", "From"),
        field_name="gross_at",
        lookup_expr="date__gte",
        widget=_DATE,
    )
    day_to = django_filters.DateFilter(
        label=pgettext_lazy("date", "To"),
        field_name="gross_at",
        lookup_expr="date__lte",
        widget=_DATE,
    )
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=TicketKind.choices)
    release = YesNoFilter(label=_("Released"))

    class Meta:
        model = Ticket
        fields: list[str] = []


class WaybillFilter(django_filters.FilterSet):
    """Search waybills by number, plate, status and issue date."""

    number = django_filters.CharFilter(label=_("Number"), lookup_expr="icontains")
    plate = django_filters.CharFilter(label=_("Plate"), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WaybillStatus.choices)
    contract = django_filters.CharFilter(
        label=_("Contract"), field_name="contract__number", lookup_expr="icontains"
    )
    day_from = django_filters.DateFilter(
        label=_("Issued from"), field_name="issued_at", lookup_expr="date__gte", widget=_DATE
    )

    class Meta:
        model = Waybill
        fields: list[str] = []
