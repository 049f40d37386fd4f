"""Rule versions, alerts with their evidence and timeline, enforcement cases."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.alerts.catalogue import BY_CODE
from oreledger.alerts.choices import (
    AlertStatus,
    CaseStatus,
    DecisionKind,
    EventKind,
    Resolution,
    Severity,
    SubjectType,
)
from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet

RULE_CHOICES = [(code, rule.name) for code, rule in BY_CODE.items()]


class RuleVersion(FederatedModel):
    """One version of a rule's thresholds in one region; never edited, only superseded."""

    rule = models.CharField(_("rule"), max_length=40, choices=RULE_CHOICES)
    # No region: the catalogue's defaults (docs/reference/rules.md), which the province's
    # versions replace.
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The rule's version number in its region (`version` is the record's federation version).
    number = models.PositiveIntegerField(_("version"))
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    # The thresholds this version replaced in the same region (None for the first).
    previous = models.JSONField(_("previous thresholds"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author_name = models.CharField(_("author name"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["rule", "region__path", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "region", "number"], name="ruleversion_once_per_number"
            ),
            models.UniqueConstraint(
                fields=["rule", "number"],
                condition=models.Q(region__isnull=True),
                name="ruleversion_default_once_per_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} v{self.number} @ {self.region_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A catalogue default is named alike on every platform (see `default_uuid`)."""
        if self.region_id is None and self._state.adding:
            self.uuid = default_uuid(self.rule, self.number)
        super().save(*args, **kwargs)


def default_uuid(rule: str, number: int) -> uuid.UUID:
    """The UUID of a catalogue default: each platform seeds its own by migration, and a
    county's alert raised under a default must name the same record on the hub."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"oreledger:alerts.ruleversion:{rule}:{number}")


class DeadlinePolicy(TimestampedModel):
    """How long an alert of a severity may stay unresolved."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    hours = models.PositiveIntegerField(_("deadline (hours)"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline by severity")
        verbose_name_plural = _("deadlines by severity")
        ordering = ["hours"]

    def __str__(self) -> str:
        return f"{self.severity}: {self.hours} h"


class Alert(FederatedModel):
    """One rule firing on one subject, counted while it repeats within the rule's window."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rule = models.CharField(_("rule"), max_length=40, choices=RULE_CHOICES, db_index=True)
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name=_("rule version"), on_delete=models.PROTECT, related_name="+"
    )
    version_number = models.PositiveIntegerField(_("rule version"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    resolution_note = models.CharField(_("resolution note"), max_length=1000, blank=True)
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    subject_type = models.CharField(_("subject"), max_length=16, choices=SubjectType.choices)
    subject_ref = models.CharField(_("subject reference"), max_length=80)
    # rule|subject|ref while the alert takes repeats; cleared when it closes or goes stale.
    open_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    refs = models.JSONField(_("references"), default=dict, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(pgettext_lazy("alert", "last seen"))
    count = models.PositiveIntegerField(_("count"), default=1)
    deadline = models.DateTimeField(_("deadline"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "alerts.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-first_seen"]
        indexes = [
            models.Index(fields=["-first_seen"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["rule", "subject_type", "subject_ref"]),
            models.Index(fields=["enterprise", "-first_seen"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="alert_count_positive"),
            models.CheckConstraint(
                condition=Q(status="resolved") | Q(resolution=""),
                name="alert_resolution_if_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_type}:{self.subject_ref}"

    def get_absolute_url(self) -> str:
        """The alert's page."""
        return reverse("alerts:alert_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        """Still waiting for someone to act."""
        return self.status in (
            AlertStatus.OPEN,
            AlertStatus.ACKNOWLEDGED,
            AlertStatus.INVESTIGATING,
        )

    @property
    def rule_name(self) -> Any:
        """The rule's name in the active language."""
        return BY_CODE[self.rule].name


class AlertEvent(FederatedModel):
    """A line of an alert's timeline: raised, seen again, acknowledged, assigned, resolved…"""

    # Federated on its own, written once (version 1), after its alert: sent inside the
    # alert's state, a repeating alert would resend its whole timeline with every repeat.

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # What made one occurrence unique (ticket, subject+period): each is counted once.
    occurrence_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"


class Case(FederatedModel):
    """An enforcement case (执法案件): violations, investigation, decision, closure."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    violations = models.TextField(_("violations"), blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=DecisionKind.choices, blank=True
    )
    fine_yuan = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_note = models.TextField(pgettext_lazy("case", "decision note"), blank=True)
    decided_at = models.DateTimeField(pgettext_lazy("case", "decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("case", "decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A licence revocation request goes to the permit's issuing department.
    permit = models.ForeignKey(
        "registry.Permit",
        verbose_name=_("permit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
    # 行政处罚公示: only what the province chose to publish, in words written for the public.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_violation = models.TextField(_("violation as published"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine_yuan__isnull=True) | Q(fine_yuan__gt=0), name="case_fine_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        """The case file."""
        return reverse("alerts:case_detail", args=[self.number])


class CaseNote(FederatedModel):
    """An investigation note, optionally with an attachment."""

    # Federated on its own, written once, after its case; the attachment's file stays on the
    # platform where it was uploaded (only its name travels).

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author_name = models.CharField(_("author name"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    text = models.TextField(_("note"))
    attachment = models.FileField(_("attachment"), upload_to="cases/%Y/", blank=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class ProductionDeclaration(TimestampedModel):
    """A mine's declared production for a month (what mass_balance_gap compares against)."""

    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    declared_kg = models.BigIntegerField(_("declared production (kg)"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("production declaration")
        verbose_name_plural = _("production declarations")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="production_once_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m}"


class ScanCursor(models.Model):
    """How far a scanning job has read a table (it re-reads a margin behind this)."""

    name = models.CharField(max_length=60, unique=True)
    position = models.DateTimeField()

    class Meta:
        verbose_name = _("scan cursor")
        verbose_name_plural = _("scan cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
