"""Base models and the platform's own records: audit trail, scheduled runs, worker leases."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TimestampedModel(models.Model):
    """A record that knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def default_owner_node() -> str:
    """The region code of the platform creating the record (docs/specs/federation-protocol.md)."""
    return str(settings.OL_NODE_CODE)


class FederatedModel(TimestampedModel):
    """A record that federates: a UUID, the owning node and a version that grows per change."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    owner_node = models.CharField(
        _("owner node"), max_length=12, default=default_owner_node, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def bump_version(self) -> None:
        """Count one more change of this record (call before saving a change)."""
        self.version = (self.version or 0) + 1

    @property
    def received(self) -> bool:
        """True if another platform owns the record: this one holds a read-only copy."""
        return settings.OL_NODE_ROLE != "standalone" and self.owner_node != settings.OL_NODE_CODE


class ObjectChange(models.Model):
    """One change of a regulated record: who, when, what before, what after."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field whose value differs."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ScheduledRun(models.Model):
    """A periodic job enqueued for one period; the unique key makes it happen once."""

    job = models.CharField(_("job"), max_length=100)
    period = models.CharField(pgettext_lazy("schedule", "period"), max_length=40)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    task_result_id = models.CharField(_("task result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduledrun_once_per_period")
        ]
        ordering = ["-enqueued_at"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period}"


class WorkerLease(models.Model):
    """A live worker's heartbeat; a job held by a worker whose lease lapsed is retried."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("worker lease")
        verbose_name_plural = _("worker leases")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class ImportRun(models.Model):
    """One province-bundle import started from the web: its file, progress and outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_path = models.CharField(_("file"), max_length=300)
    file_name = models.CharField(_("uploaded file name"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    sheet = models.CharField(_("sheet"), max_length=40, blank=True)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in total"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    outcomes = models.JSONField(_("outcomes"), default=dict, blank=True)
    # Shown once to the importer, then erased (they are never stored in clear for long).
    secrets = models.JSONField(_("new secrets"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bundle import")
        verbose_name_plural = _("bundle imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name or self.file_path} ({self.status})"

    @property
    def finished(self) -> bool:
        """Whether the run has ended, well or badly."""
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """How far the current stage has come, 0–100."""
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class ExportRun(models.Model):
    """One large list export written by a background job, downloadable only by who asked."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Ready")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The list's page and its query (filters, sort): the job rebuilds the same rows from them.
    path = models.CharField(_("page"), max_length=300)
    query = models.TextField(_("query"), blank=True)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("rows in total"), default=0)
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("list export")
        verbose_name_plural = _("list exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    def get_absolute_url(self) -> str:
        """The export's progress page."""
        return reverse("core:export_run", args=[self.uuid])

    @property
    def finished(self) -> bool:
        """Whether the job has ended, well or badly."""
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """How many of the rows are written, 0–100."""
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class RateWindow(models.Model):
    """One client's requests in its current rate-limit window (shared by every web process)."""

    # "<scope>:<subject>": station:AS-01, station_address:203.0.113.7, token:<hash>, …
    key = models.CharField(_("client"), max_length=100, unique=True)
    # Unix time, so that one statement can compare it on SQLite and PostgreSQL alike.
    ends_at = models.FloatField(_("window ends at"))
    count = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        verbose_name = _("rate-limit window")
        verbose_name_plural = _("rate-limit windows")

    def __str__(self) -> str:
        return f"{self.key} {self.count}"
