"""Campaigns, checklists, inspections, findings, rectification orders and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet
from oreledger.inspections.choices import (
    CampaignStatus,
    OrderStatus,
    Outcome,
    Severity,
    TargetKind,
)
from oreledger.registry.choices import Industry, Rectification


class Campaign(FederatedModel):
    """A special action (专项行动): who inspects what, where, when, and on what legal basis."""

    name = models.CharField(pgettext_lazy("campaign", "name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("organising region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # The towns or counties it covers; empty means the organising region as a whole.
    regions = models.ManyToManyField(
        "accounts.Region", verbose_name=_("regions in scope"), blank=True, related_name="+"
    )
    # EnterpriseKind values in scope; empty means every kind.
    enterprise_kinds = models.JSONField(_("enterprise kinds in scope"), default=list, blank=True)
    departments = models.ManyToManyField(
        "accounts.DepartmentKind", verbose_name=_("participating departments"), related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The campaign's page."""
        return reverse("inspections:campaign_detail", args=[self.pk])


class CampaignTarget(TimestampedModel):
    """A time node of a campaign: a share to reach by a day; progress is computed."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    goal_pct = models.PositiveSmallIntegerField(_("goal (%)"))
    due_on = models.DateField(_("due on"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["due_on", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(goal_pct__gte=1, goal_pct__lte=100), name="target_goal_pct"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.goal_pct}%"


class InspectionGroup(TimestampedModel):
    """An inspection group (检查组) of a campaign: its leader, members and towns."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(pgettext_lazy("group", "name"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="+"
    )
    towns = models.ManyToManyField(
        "accounts.Region", verbose_name=_("assigned towns"), blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection group")
        verbose_name_plural = _("inspection groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="group_name_per_campaign")
        ]

    def __str__(self) -> str:
        return self.name


class Checklist(TimestampedModel):
    """One department's checklist for one industry, in numbered versions; the latest is used."""

    department_kind = models.ForeignKey(
        "accounts.DepartmentKind",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(pgettext_lazy("checklist", "name"), max_length=200)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["department_kind__ordering", "industry", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["department_kind", "industry", "version"], name="checklist_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistItem(models.Model):
    """One thing an inspector checks, with its legal basis and what a failure means."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("item"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    stops_production = models.BooleanField(_("failure stops production"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "position"], name="item_position")
        ]

    def __str__(self) -> str:
        return self.text


class Inspection(FederatedModel):
    """A group's visit to a site: every checklist item's result, stored once per submission."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="inspections"
    )
    group = models.ForeignKey(
        InspectionGroup,
        verbose_name=_("inspection group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    # The device's key for one submission: a resent form finds the inspection it stored.
    submission_key = models.UUIDField(_("submission key"), unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.site} {self.inspected_on}"

    def get_absolute_url(self) -> str:
        """The inspection's page."""
        return reverse("inspections:inspection_detail", args=[self.pk])


class InspectionResult(models.Model):
    """One item's result in one inspection: passed, failed or not applicable, with a note."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("result"), max_length=4, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["inspection", "item__checklist", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="one_result_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_outcome_display()}"


class InspectionPhoto(models.Model):
    """A photo taken for one item's result."""

    result = models.ForeignKey(
        InspectionResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="inspections/photos/%Y/%m/")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.image.name


class RectificationOrder(FederatedModel):
    """A rectification order (整改通知书, 一企一策): target, measures, deadline, who answers."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="orders"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("rectification target"), max_length=500)
    measures = models.TextField(_("required measures"))
    deadline = models.DateField(pgettext_lazy("rectification", "deadline"))
    responsible_person = models.CharField(_("responsible person"), max_length=100)
    # Production stops (the site is `rectifying`) until every department has signed.
    stops_production = models.BooleanField(_("stops production"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("rectification", "issued by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(
        pgettext_lazy("rectification", "closed at"), null=True, blank=True
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        """The order's page."""
        return reverse("inspections:order_detail", args=[self.number])


class Finding(TimestampedModel):
    """A failed item of an inspection: the enterprise's problem to solve."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    result = models.OneToOneField(
        InspectionResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="+"
    )
    # The inspection's campaign, copied when the finding is made (it never changes): the
    # campaign dashboard counts findings without joining 50,000 inspections (bench/README.md).
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    department_kind = models.ForeignKey(
        "accounts.DepartmentKind",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.CharField(_("finding"), max_length=800)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    stops_production = models.BooleanField(_("stops production"), default=False)
    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=_("rectification order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class OrderAnswer(TimestampedModel):
    """The enterprise's answer to an order: what it did, with evidence."""

    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=pgettext_lazy("rectification", "order"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    text = models.TextField(_("what was done"))
    evidence = models.FileField(_("evidence"), upload_to="inspections/evidence/%Y/%m/", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("order answer")
        verbose_name_plural = _("order answers")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class OrderSignoff(models.Model):
    """One involved department's acceptance (验收签字) of an order; empty until it signs."""

    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=pgettext_lazy("rectification", "order"),
        on_delete=models.CASCADE,
        related_name="signoffs",
    )
    department_kind = models.ForeignKey(
        "accounts.DepartmentKind",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance signature")
        verbose_name_plural = _("acceptance signatures")
        ordering = ["order", "department_kind__ordering"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "department_kind"], name="one_signoff_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.department_kind}"


class ClassificationDecision(TimestampedModel):
    """A decision on an enterprise's future (整治提升, 兼并重组, 搬迁入园, 关停取缔)."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    classification = models.CharField(
        _("classification"), max_length=20, choices=Rectification.choices
    )
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("classification", "decided by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("classification decision")
        verbose_name_plural = _("classification decisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_classification_display()}"
