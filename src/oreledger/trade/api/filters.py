"""Filters of the trade API's lists: contracts, listings, bids and floor prices."""

from __future__ import annotations

import django_filters

from oreledger.core.api.filtering import AnyOfFilter, RegionFilter, ValidOnFilter
from oreledger.trade.choices import BidStatus, ContractStatus, ListingStatus
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing


def _grade() -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name="grade__code", help_text="Grade code.")


class ContractApiFilter(django_filters.FilterSet):
    """status, region, parties, sites, grade, validity."""

    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)
    region = RegionFilter()
    seller = django_filters.CharFilter(field_name="seller__uscc", help_text="Seller's USCC.")
    buyer = django_filters.CharFilter(field_name="buyer__uscc", help_text="Buyer's USCC.")
    enterprise = AnyOfFilter(
        "seller__uscc", "buyer__uscc", help_text="USCC of the seller or the buyer."
    )
    origin = django_filters.CharFilter(field_name="origin_site__code", help_text="Mine code.")
    destination = django_filters.CharFilter(
        field_name="destination_site__code", help_text="Plant code."
    )
    site = AnyOfFilter(
        "origin_site__code", "destination_site__code", help_text="Site code, at either end."
    )
    grade = _grade()
    valid_on = ValidOnFilter()

    class Meta:
        model = Contract
        fields: list[str] = []


class ListingApiFilter(django_filters.FilterSet):
    """status, seller, site, region, grade, validity."""

    status = django_filters.ChoiceFilter(choices=ListingStatus.choices)
    seller = django_filters.CharFilter(field_name="seller__uscc", help_text="Seller's USCC.")
    site = django_filters.CharFilter(field_name="site__code", help_text="Mine code.")
    region = RegionFilter("site__region__path")
    grade = _grade()
    valid_on = ValidOnFilter()

    class Meta:
        model = Listing
        fields: list[str] = []


class BidApiFilter(django_filters.FilterSet):
    """status, listing, bidder, destination."""

    status = django_filters.ChoiceFilter(choices=BidStatus.choices)
    listing = django_filters.CharFilter(field_name="listing__number", help_text="Listing number.")
    bidder = django_filters.CharFilter(field_name="bidder__uscc", help_text="Bidder's USCC.")
    destination = django_filters.CharFilter(
        field_name="destination_site__code", help_text="Plant code."
    )

    class Meta:
        model = Bid
        fields: list[str] = []


class FloorPriceApiFilter(django_filters.FilterSet):
    """grade, and the floors in force on a day."""

    grade = _grade()
    valid_on = ValidOnFilter()

    class Meta:
        model = FloorPrice
        fields: list[str] = []
