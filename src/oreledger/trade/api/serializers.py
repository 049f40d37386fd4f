"""API shapes of trade: weights in kg, money as decimal strings of yuan."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from oreledger.trade.models import Bid, Contract, FloorPrice, Listing

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class ContractSerializer(serializers.ModelSerializer[Contract]):
    """A contract as outside systems read it (docs/specs/api-essentials.md)."""

    seller = serializers.CharField(source="seller.uscc", read_only=True)
    buyer = serializers.CharField(source="buyer.uscc", read_only=True)
    origin_site = serializers.CharField(source="origin_site.code", read_only=True)
    destination_site = serializers.CharField(source="destination_site.code", read_only=True)
    grade = serializers.CharField(source="grade.code", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    remaining_kg = serializers.IntegerField(read_only=True)
    supersedes = serializers.CharField(
        source="supersedes.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Contract
        fields = [
            "number",
            "seller",
            "buyer",
            "origin_site",
            "destination_site",
            "grade",
            "quantity_kg",
            "delivered_kg",
            "remaining_kg",
            "max_delivery_kg",
            "tolerance_pct",
            "unit_price",
            "valid_from",
            "valid_to",
            "status",
            "region",
            "approved_at",
            "floor_price",
            "override_reason",
            "supersedes",
        ]
        read_only_fields = fields


class ContractCreateSerializer(serializers.Serializer):
    """A contract registered directly: parties by USCC, sites by code, grade by code."""

    seller = serializers.CharField(max_length=18)
    buyer = serializers.CharField(max_length=18)
    origin_site = serializers.CharField(max_length=30)
    destination_site = serializers.CharField(max_length=30)
    grade = serializers.CharField(max_length=64)
    quantity_kg = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class ListingSerializer(serializers.ModelSerializer[Listing]):
    """A listing with what is still open."""

    seller = serializers.CharField(source="seller.uscc", read_only=True)
    site = serializers.CharField(source="site.code")
    grade = serializers.CharField(source="grade.code")
    open_kg = serializers.IntegerField(read_only=True)

    class Meta:
        model = Listing
        fields = [
            "number",
            "seller",
            "site",
            "grade",
            "quantity_kg",
            "accepted_kg",
            "open_kg",
            "asking_price",
            "valid_from",
            "valid_to",
            "status",
            "note",
        ]
        read_only_fields = ["number", "seller", "accepted_kg", "open_kg", "status"]


class BidSerializer(serializers.ModelSerializer[Bid]):
    """A bid on a listing."""

    listing = serializers.CharField(source="listing.number")
    bidder = serializers.CharField(source="bidder.uscc", read_only=True)
    destination_site = serializers.CharField(source="destination_site.code")
    contract = serializers.CharField(
        source="contract.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Bid
        fields = [
            "id",
            "listing",
            "bidder",
            "destination_site",
            "price",
            "quantity_kg",
            "status",
            "contract",
            "note",
        ]
        read_only_fields = ["id", "bidder", "status", "contract"]


class FloorPriceSerializer(serializers.ModelSerializer[FloorPrice]):
    """A floor price of a grade from a date."""

    grade = serializers.CharField(source="grade.code")

    class Meta:
        model = FloorPrice
        fields = ["grade", "valid_from", "valid_to", "floor_yuan", "note"]
        read_only_fields = ["valid_to"]


class ApproveSerializer(serializers.Serializer):
    """Approval, with the province's reason when the price is under the floor."""

    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    """Why a contract is returned or terminated."""

    note = serializers.CharField()
