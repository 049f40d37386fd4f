"""The briefings API's shapes: a kept briefing, and with its figures."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from oreledger.briefings.models import Briefing
from oreledger.briefings.services import figures_of


class BriefingSerializer(serializers.ModelSerializer[Briefing]):
    """A kept briefing: region, week, status, when issued."""

    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")

    class Meta:
        model = Briefing
        fields = ["id", "region", "region_name", "week", "status", "issued_at", "updated_at"]


class BriefingDetailSerializer(BriefingSerializer):
    """A kept briefing with its remarks and every figure (as issued, or live while a draft)."""

    figures = serializers.SerializerMethodField()

    class Meta(BriefingSerializer.Meta):
        fields = [*BriefingSerializer.Meta.fields, "remarks", "priorities", "figures"]

    def get_figures(self, briefing: Briefing) -> dict[str, Any]:
        """The same JSON as briefing.json."""
        return figures_of(briefing, self.context["request"].user)
