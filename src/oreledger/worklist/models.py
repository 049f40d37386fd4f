"""Tables of the worklist: working groups, tasks, milestones, weekly reports and confirmations."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet


class WorkingGroup(TimestampedModel):
    """A working group (工作专班) of the joint action: a lead department and its members."""

    name = models.CharField(_("name"), max_length=100)
    # The region whose joint action it serves (the province for the magnesite action).
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    members: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "accounts.Department", verbose_name=_("member departments"), related_name="+", blank=True
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["ordering", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="working_group_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Task(TimestampedModel):
    """A task of a working group: measures, completion standard, who answers for it, dates."""

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    measures = models.TextField(_("measures"), blank=True)
    completion_standard = models.TextField(_("completion standard"), blank=True)
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The responsible unit's region, copied so that jurisdiction is one path lookup.
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start = models.DateField(_("start"))
    due = models.DateField(_("due"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # The last at-risk/overdue status notified, so each change is told once.
    notified_status = models.CharField(_("notified status"), max_length=10, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(due__gte=models.F("start")), name="task_due_after")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        """The task's page."""
        from django.urls import reverse

        return reverse("worklist:task_detail", args=[self.number])


class Milestone(models.Model):
    """A time node (时间节点) of a task: what must stand by which date."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"{self.due} {self.title}"


class ProgressReport(TimestampedModel):
    """The responsible unit's weekly report on a task: progress, problems, help needed."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reports"
    )
    # The Monday of the reported week.
    week = models.DateField(_("week"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent complete"))
    problems = models.TextField(_("problems"), blank=True)
    help_needed = models.TextField(_("help needed"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_on = models.DateField(_("reported on"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-week", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "week"], name="progress_report_once_a_week"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_max"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} {self.week} {self.percent}%"


class ReportingRules(FederatedModel):
    """The province's rule for weekly data: days of grace after the week ends (default 2)."""

    # Province-owned: it goes down to the county nodes (federation reference data), so a node
    # judges "on time" as the hub does.

    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting rules")
        verbose_name_plural = _("reporting rules")
        constraints = [
            models.CheckConstraint(condition=Q(grace_days__lte=14), name="reporting_grace_max")
        ]

    def __str__(self) -> str:
        return f"+{self.grace_days}d"

    @classmethod
    def current(cls) -> ReportingRules:
        """The province's rules (the defaults until the province changes them)."""
        rules = cls.objects.order_by("pk").first()
        return rules if rules is not None else cls()

    def deadline(self, week: datetime.date) -> datetime.date:
        """The last local day a week's confirmation counts as on time."""
        return week + datetime.timedelta(days=6 + self.grace_days)


class WeeklyConfirmation(FederatedModel):
    """A county's confirmation (数据上报) that its data for one week is complete."""

    # Federated: a county that runs a node confirms there, and the confirmation goes up to the
    # hub, where it counts in the rates like one made on the hub. Who confirmed stays on the
    # node: people do not federate.

    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    week = models.DateField(_("week"))
    confirmed_at = models.DateTimeField(_("confirmed at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly data confirmation")
        verbose_name_plural = _("weekly data confirmations")
        ordering = ["-week", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "week"], name="confirmation_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.week}"
