"""Tables of the appeals desk (万人助万企): appeals, their routing, stages, timeline, notices."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.appeals.choices import (
    AppealClass,
    AppealStatus,
    Category,
    Closure,
    EntryKind,
    Stage,
)
from oreledger.core.models import TimestampedModel
from oreledger.core.permissions import ScopedQuerySet


class TimeLimits(TimestampedModel):
    """The province's time limits per stage (one row; the defaults are 1, 3, 7 and 30 days)."""

    route_hours = models.PositiveIntegerField(_("routing within (hours)"), default=24)
    answer_hours = models.PositiveIntegerField(_("first answer within (hours)"), default=72)
    solve_ordinary_days = models.PositiveIntegerField(_("ordinary solved within (days)"), default=7)
    solve_complex_days = models.PositiveIntegerField(_("complex solved within (days)"), default=30)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal time limits")
        verbose_name_plural = _("appeal time limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(route_hours__gt=0)
                & Q(answer_hours__gt=0)
                & Q(solve_ordinary_days__gt=0)
                & Q(solve_complex_days__gt=0),
                name="appeal_limits_positive",
            )
        ]

    def __str__(self) -> str:
        days = f"{self.solve_ordinary_days}d/{self.solve_complex_days}d"
        return f"{self.route_hours}h/{self.answer_hours}h/{days}"

    @classmethod
    def current(cls) -> TimeLimits:
        """The province's limits (the defaults until the province changes them)."""
        limits = cls.objects.order_by("pk").first()
        return limits if limits is not None else cls()

    def allowed(self, stage: str, appeal_class: str) -> datetime.timedelta:
        """How long a stage may take for an appeal of this class."""
        if stage == Stage.ROUTE:
            return datetime.timedelta(hours=self.route_hours)
        if stage == Stage.ANSWER:
            return datetime.timedelta(hours=self.answer_hours)
        days = (
            self.solve_complex_days
            if appeal_class == AppealClass.COMPLEX
            else self.solve_ordinary_days
        )
        return datetime.timedelta(days=days)


class Appeal(TimestampedModel):
    """An enterprise's appeal (企业诉求) to the county office, followed until it is closed."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    # The enterprise's county when it raised the appeal: the office that routes it.
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED
    )
    appeal_class = models.CharField(
        pgettext_lazy("appeal", "class"),
        max_length=10,
        choices=AppealClass.choices,
        default=AppealClass.ORDINARY,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    departments: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "accounts.Department",
        verbose_name=_("responsible departments"),
        through="Routing",
        related_name="+",
        blank=True,
    )
    # A department's pending request to reclassify the appeal as complex.
    reclass_reason = models.TextField(_("reclassification reason"), blank=True)
    reclass_requested_at = models.DateTimeField(
        _("reclassification asked at"), null=True, blank=True
    )
    solved_at = models.DateTimeField(pgettext_lazy("appeal", "solved at"), null=True, blank=True)
    closure = models.CharField(
        pgettext_lazy("appeal", "closure"), max_length=10, choices=Closure.choices, blank=True
    )
    closed_at = models.DateTimeField(pgettext_lazy("appeal", "closed at"), null=True, blank=True)
    closure_reason = models.TextField(_("closure reason"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    return_visit_at = models.DateTimeField(_("return visit at"), null=True, blank=True)
    return_visit_note = models.TextField(_("return visit"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="appeal_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closure=""), name="appeal_closed_says_how"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        """The appeal's page."""
        return reverse("appeals:appeal_detail", args=[self.number])


class Routing(models.Model):
    """A department responsible for an appeal (several may share one)."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="routings"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    routed_at = models.DateTimeField(_("routed at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal routing")
        verbose_name_plural = _("appeal routings")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "department"], name="routing_once")
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.department_id}"


class StageRecord(models.Model):
    """One stage of an appeal: when it started, when it is due, when it was done."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="stages"
    )
    stage = models.CharField(pgettext_lazy("appeal", "stage"), max_length=8, choices=Stage.choices)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Set once the overdue job has told the department and the office (once per stage).
    overdue_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal stage")
        verbose_name_plural = _("appeal stages")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "stage"], name="appeal_stage_once"),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("started_at")), name="stage_due_after"
            ),
        ]
        indexes = [models.Index(fields=["done_at", "due_at"], name="appeal_stage_open_due")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.stage}"

    def within_limit(self) -> bool | None:
        """Whether the stage was done in time (None while it runs)."""
        return None if self.done_at is None else self.done_at <= self.due_at


class Entry(models.Model):
    """A line of the appeal's timeline: answers and progress the enterprise reads."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author_name = models.CharField(_("author name"), max_length=150, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="appeals/%Y/", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal entry")
        verbose_name_plural = _("appeal entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"


class Notice(models.Model):
    """An in-app notice to a department or a county office about an appeal (no mail)."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="notices"
    )
    stage = models.CharField(pgettext_lazy("appeal", "stage"), max_length=8, choices=Stage.choices)
    # Exactly one of: a department, or the office of a region.
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    office = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal notice")
        verbose_name_plural = _("appeal notices")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, office__isnull=True)
                | Q(department__isnull=True, office__isnull=False),
                name="notice_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.stage}"
