"""API shapes of weighing (docs/specs/api-essentials.md)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from oreledger.weighing.models import Ticket, Waybill


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    """A ticket as stored, with the platform's decision and every finding."""

    ticket_id = serializers.UUIDField(source="id", read_only=True)
    station: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    waybill = serializers.CharField(source="waybill_number", read_only=True)
    matched_waybill: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="waybill", slug_field="number", read_only=True, allow_null=True
    )
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "ticket_id",
            "station",
            "seq",
            "ticket_no",
            "plate",
            "direction",
            "kind",
            "waybill",
            "matched_waybill",
            "cargo",
            "declared_grade",
            "gross_kg",
            "tare_kg",
            "net_kg",
            "gross_at",
            "tare_at",
            "operator",
            "photos",
            "received_at",
            "release",
            "reasons",
            "drawn_kg",
            "held_kg",
            "discrepancy_kg",
            "hash",
        ]

    def get_reasons(self, obj: Ticket) -> list[dict[str, Any]]:
        """Every finding: code, message, and whether it held the truck."""
        return [
            {"code": r["code"], "message": r["message"], "blocking": bool(r.get("blocking"))}
            for r in obj.reasons
        ]


class WaybillSerializer(serializers.ModelSerializer[Waybill]):
    """A waybill with its status, exit and entry tickets, and discrepancy."""

    contract: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", read_only=True
    )
    origin_site: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    destination_site: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    qr_svg_url = serializers.SerializerMethodField()
    exit_ticket = TicketSerializer(read_only=True, allow_null=True)
    entry_ticket = TicketSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Waybill
        fields = [
            "number",
            "contract",
            "plate",
            "origin_site",
            "destination_site",
            "status",
            "planned_net_kg",
            "issued_at",
            "expires_at",
            "departed_at",
            "arrived_at",
            "exit_net_kg",
            "entry_net_kg",
            "discrepancy_kg",
            "qr_svg_url",
            "exit_ticket",
            "entry_ticket",
        ]

    def get_qr_svg_url(self, obj: Waybill) -> str:
        """Where the waybill's QR code (its number) is served as SVG."""
        return reverse("weighing:waybill_qr", args=[obj.number])


class WaybillRequestSerializer(serializers.Serializer[Any]):
    """What a seller sends to issue a waybill."""

    contract = serializers.CharField(max_length=40)
    plate = serializers.CharField(max_length=12)
    planned_net_kg = serializers.IntegerField(min_value=1, max_value=100000)
    valid_hours = serializers.IntegerField(min_value=1, max_value=72, default=24)
