"""Serializers of the inspections API: campaigns, visits, findings, orders and decisions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from oreledger.core.localtime import local_day
from oreledger.inspections.choices import OrderStatus
from oreledger.inspections.models import (
    Campaign,
    CampaignTarget,
    ClassificationDecision,
    Finding,
    Inspection,
    InspectionResult,
    OrderAnswer,
    OrderSignoff,
    RectificationOrder,
)


class TargetSerializer(serializers.ModelSerializer[CampaignTarget]):
    """A time node of a campaign."""

    class Meta:
        model = CampaignTarget
        fields = ["kind", "goal_pct", "due_on"]


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    """A campaign as the list shows it."""

    region = serializers.CharField(source="region.code", read_only=True)
    regions: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    departments: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "legal_basis",
            "region",
            "regions",
            "enterprise_kinds",
            "departments",
            "starts_on",
            "ends_on",
            "status",
        ]


class CampaignDetailSerializer(CampaignSerializer):
    """A campaign with its targets."""

    targets = TargetSerializer(many=True, read_only=True)

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "targets"]


class ResultSerializer(serializers.ModelSerializer[InspectionResult]):
    """One checklist item's result."""

    department = serializers.CharField(source="item.checklist.department_kind.code")
    item = serializers.CharField(source="item.text")
    legal_basis = serializers.CharField(source="item.legal_basis")

    class Meta:
        model = InspectionResult
        fields = ["department", "item", "legal_basis", "outcome", "note"]


class InspectionSerializer(serializers.ModelSerializer[Inspection]):
    """A visit as the list shows it."""

    campaign = serializers.IntegerField(source="campaign_id", read_only=True)
    site = serializers.CharField(source="site.code", read_only=True)
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    group = serializers.CharField(
        source="group.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "campaign",
            "group",
            "site",
            "enterprise",
            "enterprise_name",
            "region",
            "inspected_on",
        ]


class InspectionDetailSerializer(InspectionSerializer):
    """A visit with every item's result."""

    results = ResultSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "results"]


class FindingSerializer(serializers.ModelSerializer[Finding]):
    """A failed item: the enterprise's problem to solve."""

    inspection = serializers.IntegerField(source="inspection_id", read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True)
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    department = serializers.CharField(source="department_kind.code", read_only=True)
    order = serializers.CharField(
        source="order.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "campaign",
            "enterprise",
            "region",
            "department",
            "text",
            "severity",
            "stops_production",
            "order",
            "created_at",
        ]


class AnswerSerializer(serializers.ModelSerializer[OrderAnswer]):
    """The enterprise's answer to an order."""

    class Meta:
        model = OrderAnswer
        fields = ["text", "created_at"]


class SignoffSerializer(serializers.ModelSerializer[OrderSignoff]):
    """A department's acceptance, empty until it signs."""

    department = serializers.CharField(source="department_kind.code", read_only=True)

    class Meta:
        model = OrderSignoff
        fields = ["department", "signed_at", "note"]


class OrderSerializer(serializers.ModelSerializer[RectificationOrder]):
    """A rectification order as the list shows it."""

    campaign = serializers.IntegerField(source="campaign_id", read_only=True)
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    site = serializers.CharField(source="site.code", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = RectificationOrder
        fields = [
            "number",
            "campaign",
            "enterprise",
            "enterprise_name",
            "site",
            "region",
            "target",
            "deadline",
            "responsible_person",
            "stops_production",
            "status",
            "overdue",
            "created_at",
            "closed_at",
        ]

    def get_overdue(self, order: RectificationOrder) -> bool:
        """Not closed, and its deadline (a local date) has passed."""
        return order.status != OrderStatus.CLOSED and order.deadline < local_day(timezone.now())


class OrderDetailSerializer(OrderSerializer):
    """An order with its measures, findings, answers and signatures."""

    findings: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)
    signoffs = SignoffSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "measures", "findings", "answers", "signoffs"]


class DecisionSerializer(serializers.ModelSerializer[ClassificationDecision]):
    """A decision on an enterprise's future."""

    campaign = serializers.IntegerField(source="campaign_id", read_only=True, allow_null=True)
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = ClassificationDecision
        fields = [
            "id",
            "campaign",
            "enterprise",
            "enterprise_name",
            "region",
            "classification",
            "reason",
            "created_at",
        ]
