"""Filters of the weighing API's lists: tickets and waybills."""

from __future__ import annotations

import django_filters

from oreledger.core.api.filtering import AnyOfFilter, RegionFilter, since_until
from oreledger.weighing.choices import Direction, TicketKind, WaybillStatus
from oreledger.weighing.models import Ticket, Waybill

_SINCE_WEIGHED, _UNTIL_WEIGHED = since_until("gross_at", "Weighed (gross)")
_SINCE_ISSUED, _UNTIL_ISSUED = since_until("issued_at", "Issued")


class TicketApiFilter(django_filters.FilterSet):
    """docs/specs/api-essentials.md: station, plate, waybill, since, until, direction; and more."""

    station = django_filters.CharFilter(field_name="station__code", help_text="Station code.")
    plate = django_filters.CharFilter(help_text="Plate, exactly as weighed.")
    waybill = django_filters.CharFilter(
        field_name="waybill_number", help_text="Waybill number the station sent."
    )
    since = _SINCE_WEIGHED
    until = _UNTIL_WEIGHED
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    kind = django_filters.ChoiceFilter(
        choices=TicketKind.choices, help_text="What the weighing meant, from where it was made."
    )
    release = django_filters.BooleanFilter(help_text="Whether the truck was let through.")
    site = django_filters.CharFilter(field_name="site__code", help_text="Site code of the station.")
    region = RegionFilter()
    contract = django_filters.CharFilter(
        field_name="contract__number", help_text="Contract number the ticket delivered against."
    )
    enterprise = AnyOfFilter(
        "seller__uscc", "buyer__uscc", help_text="USCC of the seller or the buyer."
    )

    class Meta:
        model = Ticket
        fields: list[str] = []


class WaybillApiFilter(django_filters.FilterSet):
    """contract, plate, status, sites, parties, station, region, issue time."""

    contract = django_filters.CharFilter(
        field_name="contract__number", help_text="Contract number."
    )
    plate = django_filters.CharFilter(help_text="Plate of the truck.")
    status = django_filters.ChoiceFilter(choices=WaybillStatus.choices)
    origin = django_filters.CharFilter(field_name="origin_site__code", help_text="Mine code.")
    destination = django_filters.CharFilter(
        field_name="destination_site__code", help_text="Plant code."
    )
    site = AnyOfFilter(
        "origin_site__code",
        "destination_site__code",
        help_text="Site code, at either end of the trip.",
    )
    seller = django_filters.CharFilter(field_name="seller__uscc", help_text="Seller's USCC.")
    buyer = django_filters.CharFilter(field_name="buyer__uscc", help_text="Buyer's USCC.")
    enterprise = AnyOfFilter(
        "seller__uscc", "buyer__uscc", help_text="USCC of the seller or the buyer."
    )
    station = AnyOfFilter(
        "exit_ticket__station__code",
        "entry_ticket__station__code",
        help_text="Code of the station that weighed it out or in.",
    )
    region = RegionFilter()
    since = _SINCE_ISSUED
    until = _UNTIL_ISSUED

    class Meta:
        model = Waybill
        fields: list[str] = []
