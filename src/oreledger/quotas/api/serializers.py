"""API shapes of quotas (docs/specs/api-essentials.md)."""

from __future__ import annotations

from rest_framework import serializers

from oreledger.quotas.models import QuotaAccount


class QuotaAccountSerializer(serializers.ModelSerializer[QuotaAccount]):
    """A quota account as GET /api/v1/quota/accounts answers it."""

    period = serializers.IntegerField(source="period.year", read_only=True)
    holder = serializers.CharField(source="holder_code", read_only=True)
    mineral = serializers.CharField(source="mineral.code", read_only=True)
    # A county's or the province's consumption is its mines' (quotas.queries.with_consumption).
    consumed_kg = serializers.IntegerField(source="consumed_total_kg", read_only=True)
    remaining_kg = serializers.IntegerField(source="remaining_total_kg", read_only=True)

    class Meta:
        model = QuotaAccount
        fields = ["period", "holder", "mineral", "allocated_kg", "consumed_kg", "remaining_kg"]
