"""Serializers of the appeals API: an appeal with its stages and timeline."""

from __future__ import annotations

from rest_framework import serializers

from oreledger.appeals.models import Appeal, Entry, StageRecord


class StageSerializer(serializers.ModelSerializer[StageRecord]):
    """A stage with its limit."""

    class Meta:
        model = StageRecord
        fields = ["stage", "started_at", "due_at", "done_at"]


class EntrySerializer(serializers.ModelSerializer[Entry]):
    """A line of the timeline."""

    class Meta:
        model = Entry
        fields = ["kind", "at", "author_name", "text"]


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    """An appeal as the list shows it."""

    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "number",
            "enterprise",
            "enterprise_name",
            "region",
            "category",
            "appeal_class",
            "status",
            "created_at",
            "solved_at",
            "closed_at",
            "closure",
            "satisfaction",
        ]


class AppealDetailSerializer(AppealSerializer):
    """An appeal with its description, stages and timeline."""

    stages = StageSerializer(many=True, read_only=True)
    entries = EntrySerializer(many=True, read_only=True)

    class Meta(AppealSerializer.Meta):
        fields = [*AppealSerializer.Meta.fields, "description", "stages", "entries"]
