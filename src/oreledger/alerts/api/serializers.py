"""API shapes of alerts (docs/specs/api-essentials.md, exactly) and cases."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from oreledger.alerts.models import Alert, Case


class AlertSerializer(serializers.ModelSerializer[Alert]):
    """One alert as GET /api/v1/alerts lists it."""

    id = serializers.CharField(read_only=True)
    rule_version = serializers.IntegerField(source="version_number", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "rule_version",
            "severity",
            "status",
            "region",
            "subject",
            "refs",
            "first_seen",
            "last_seen",
            "count",
            "evidence",
        ]

    def get_subject(self, alert: Alert) -> dict[str, Any]:
        """{"type": …, "ref": …}."""
        return {"type": alert.subject_type, "ref": alert.subject_ref}


class CaseSerializer(serializers.ModelSerializer[Case]):
    """An enforcement case."""

    region = serializers.CharField(source="region.code", read_only=True)
    enterprise = serializers.CharField(
        source="enterprise.uscc", read_only=True, default=None, allow_null=True
    )
    site = serializers.CharField(source="site.code", read_only=True, default=None, allow_null=True)
    fine_yuan = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    alerts = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "title",
            "status",
            "region",
            "enterprise",
            "site",
            "violations",
            "decision",
            "fine_yuan",
            "deadline",
            "created_at",
            "decided_at",
            "closed_at",
            "alerts",
        ]

    def get_alerts(self, case: Case) -> list[str]:
        """The ids of the alerts escalated into the case."""
        return [str(pk) for pk in case.alerts.values_list("pk", flat=True)]
