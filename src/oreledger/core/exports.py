"""Exports of lists: a few rows at once, many rows as a background job with progress.

`?export=xlsx` on a list asks its view for an `ExportSource`. Up to `OL_EXPORT_SYNC_ROWS`
rows are written into the response. Above it an `ExportRun` is stored and a job enqueued in
the same transaction; the job rebuilds the same rows (the same view, the same query, the
same person, so the same `for_user` scope, filters and sort), writes the workbook under
MEDIA_ROOT/exports/ and reports its progress on the run; the person's progress page polls it
and offers the file when it is ready. Only that person can see the run or download the file.
Old runs and their files are pruned by `core.jobs.prune_housekeeping`.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import get_language

from oreledger.core.columns import ExportSource, export_file_name, write_workbook, xlsx_response
from oreledger.core.models import ExportRun

logger = logging.getLogger(__name__)

SourceBuilder = Callable[[], ExportSource]


class ExportJob(Protocol):
    """The job that writes a large export's workbook (`core.jobs.run_list_export`)."""

    def enqueue(self, run_id: int) -> Any: ...


# Registered by core.jobs, which imports this module for the job's body (execute_export_run):
# so this module needs no import of core.jobs, and the task keeps its queued name.
_export_job: ExportJob | None = None


def register_export_job(job: ExportJob) -> None:
    """Name the job that writes large exports (core.jobs, when it is imported)."""
    global _export_job
    _export_job = job


class NotExportable(Exception):
    """The run's page no longer offers an export (the URL changed since it was asked)."""


def export_folder() -> Path:
    """Where the workbooks of background exports are written."""
    return Path(settings.MEDIA_ROOT) / "exports"


def export_response(request: HttpRequest, build: SourceBuilder) -> HttpResponse:
    """The workbook itself for a small export; for a large one, a queued job and its page."""
    source = build()
    if source.total <= settings.OL_EXPORT_SYNC_ROWS:
        return xlsx_response(str(source.title), source.columns, source.rows)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("page", None)
    with transaction.atomic():
        user: Any = request.user
        run = ExportRun.objects.create(
            actor=user,
            path=request.path,
            query=query.urlencode(),
            title=str(source.title)[:200],
            language=get_language() or settings.LANGUAGE_CODE,
            total=source.total,
        )
        if _export_job is None:
            raise ImproperlyConfigured("core.jobs registers the export job; it is not imported")
        # In the same transaction: the job exists exactly when the run does.
        _export_job.enqueue(run.pk)
    return redirect(run.get_absolute_url())


def _request_for(run: ExportRun) -> HttpRequest:
    """The GET that asked for the export, as its person, rebuilt for the job."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = run.path
    request.GET = QueryDict(run.query)
    request.META = {"SERVER_NAME": "export", "SERVER_PORT": "80", "QUERY_STRING": run.query}
    request.user = run.actor
    return request


def source_for(run: ExportRun) -> ExportSource:
    """The rows of the run's list, built by the list's own view for the run's person."""
    try:
        match = resolve(run.path)
    except Resolver404:
        raise NotExportable(run.path) from None
    request = _request_for(run)
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None and hasattr(view_class, "export_source"):
        view = view_class()
        view.setup(request, *match.args, **match.kwargs)
        source: ExportSource = view.export_source()
        return source
    build = getattr(match.func, "export_source", None)
    if build is None:
        raise NotExportable(run.path)
    built: ExportSource = build(request, *match.args, **match.kwargs)
    return built


class _Progress:
    """Writes the rows done onto the run as the workbook grows."""

    def __init__(self, run: ExportRun) -> None:
        self.run = run

    def __call__(self, done: int) -> None:
        ExportRun.objects.filter(pk=self.run.pk).update(done=done)


def execute_export_run(run_id: int) -> str:
    """Write one queued export's workbook; returns the final status."""
    run = ExportRun.objects.select_related("actor").get(pk=run_id)
    if run.finished:
        return str(run.status)
    if not run.actor.is_active:
        _finish(run, ExportRun.Status.FAILED)
        return str(run.status)
    ExportRun.objects.filter(pk=run.pk).update(status=ExportRun.Status.RUNNING, done=0)
    folder = export_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{run.uuid}.xlsx"
    partial = folder / f"{run.uuid}.part"
    with translation.override(run.language):
        try:
            source = source_for(run)
            with partial.open("wb") as out:
                written = write_workbook(
                    str(source.title), source.columns, source.rows, out, progress=_Progress(run)
                )
            os.replace(partial, target)
            # FileResponse writes a non-ASCII name as RFC 6266 filename*: "车辆-….xlsx".
            name = export_file_name(str(source.title), allow_unicode=True)
        except Exception:
            partial.unlink(missing_ok=True)
            _finish(run, ExportRun.Status.FAILED)
            raise
    run.file_path = str(target)
    run.file_name = name
    run.done = run.total = written
    _finish(run, ExportRun.Status.SUCCEEDED, "file_path", "file_name", "done", "total")
    return str(run.status)


def _finish(run: ExportRun, status: str, *fields: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", *fields])


def prune_exports(*, now: datetime.datetime | None = None) -> int:
    """Forget exports older than OL_EXPORT_KEEP_HOURS, and delete their files."""
    now = now or timezone.now()
    old = ExportRun.objects.filter(
        created_at__lt=now - datetime.timedelta(hours=settings.OL_EXPORT_KEEP_HOURS)
    )
    pruned = 0
    for run in old.iterator():
        if run.file_path:
            Path(run.file_path).unlink(missing_ok=True)
        (export_folder() / f"{run.uuid}.part").unlink(missing_ok=True)
        run.delete()
        pruned += 1
    return pruned


def may_download(run: ExportRun, user: Any) -> bool:
    """Only the person who asked, and only a finished file that is still there."""
    return (
        run.actor_id == getattr(user, "pk", None)
        and run.status == ExportRun.Status.SUCCEEDED
        and bool(run.file_path)
        and Path(run.file_path).is_file()
    )
