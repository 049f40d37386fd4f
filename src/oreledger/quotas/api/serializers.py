"""API shapes of quotas (docs/specs/api-essentials.md)."""

from __future__ import annotations

from rest_framework import serializers

from oreledger.quotas.models import QuotaAccount


class QuotaAccountSerializer(serializers.ModelSerializer[QuotaAccount]):
    """A quota account as GET /api/v1/quota/accounts answers it."""

    period = serializers.IntegerField(source="period.year", read_only=True)
    holder = serializers.CharField(source="holder_code", read_only=True)
    mineral = serializers.CharField(source="mineral.code", read_only=True)
    remaining_kg = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuotaAccount
        fields = ["period", "holder", "mineral", "allocated_kg", "consumed_kg", "remaining_kg"]
