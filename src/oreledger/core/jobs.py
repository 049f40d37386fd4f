"""The platform's own jobs: housekeeping of logins, finished jobs and old exports; imports
and large list exports started from the web."""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from oreledger.core.backup import archive_name, digest, prune_backups, write_backup
from oreledger.core.bundle import execute_import_run
from oreledger.core.checkpoints import write_checkpoint
from oreledger.core.display import register_terms
from oreledger.core.exports import execute_export_run, prune_exports, register_export_job
from oreledger.core.ratelimits import prune_windows
from oreledger.core.scheduler import schedule

# name -> prune(now): what each app forgets at every housekeeping, returning how many rows.
_HOUSEKEEPING: dict[str, Callable[[datetime.datetime], int]] = {}


def register_housekeeping(name: str, prune: Callable[[datetime.datetime], int]) -> None:
    """Add an app's pruning to the hourly housekeeping (from its AppConfig.ready); its count
    is reported under `name`."""
    _HOUSEKEEPING[name] = prune


@task(queue_name="scheduled")
def prune_housekeeping(period: str) -> dict[str, int]:
    """Forget what the apps registered (e.g. failed logins older than the throttle window),
    job results older than 30 days, and list exports (with their files) older than
    OL_EXPORT_KEEP_HOURS."""
    now = timezone.now()
    counts = {name: prune(now) for name, prune in _HOUSEKEEPING.items()}
    results, _ = DBTaskResult.objects.filter(
        status="SUCCESSFUL", finished_at__lt=now - datetime.timedelta(days=30)
    ).delete()
    return {**counts, "job_results": results, "exports": prune_exports(now=now)}


register_housekeeping("rate_windows", lambda now: prune_windows(now=now))

schedule(
    "core.prune_housekeeping",
    "oreledger.core.jobs.prune_housekeeping",
    every=datetime.timedelta(hours=1),
)

logger = logging.getLogger(__name__)


@task(queue_name="scheduled")
def nightly_backup(period: str) -> dict[str, object]:
    """Write the night's encrypted backup to OL_BACKUP_DIR and delete archives older than
    OL_BACKUP_KEEP_DAYS; nothing without a passphrase (OL_BACKUP_PASSPHRASE)."""
    passphrase = os.environ.get("OL_BACKUP_PASSPHRASE", "")
    if not passphrase:
        # Said every night in the log rather than once: an unprotected platform should nag.
        logger.warning("no nightly backup: OL_BACKUP_PASSPHRASE is not set")
        return {"skipped": "OL_BACKUP_PASSPHRASE is not set"}
    now = timezone.now()
    directory = Path(settings.OL_BACKUP_DIR)
    summary = write_backup(directory / archive_name(now), passphrase=passphrase)
    removed = prune_backups(directory, keep_days=settings.OL_BACKUP_KEEP_DAYS, now=now)
    logger.info("nightly backup %s sha256 %s", summary, digest(summary.path))
    return {
        "archive": summary.path.name,
        "bytes": summary.size,
        "rows": sum(summary.manifest["tables"].values()),
        "removed": [path.name for path in removed],
    }


schedule(
    "core.nightly_backup",
    "oreledger.core.jobs.nightly_backup",
    every=datetime.timedelta(days=1),
)


@task(queue_name="scheduled")
def checkpoint_chains(period: str) -> str:
    """Sign today's heads of every quota account's and station's chain into the var directory."""
    return str(write_checkpoint())


schedule(
    "core.checkpoint_chains",
    "oreledger.core.jobs.checkpoint_chains",
    every=datetime.timedelta(days=1),
)


@task()
def run_bundle_import(run_id: int) -> str:
    """Run a web-started province-bundle import, recording its progress on the ImportRun."""
    return execute_import_run(run_id)


@task()
def run_list_export(run_id: int) -> str:
    """Write a large list export's workbook, recording its progress on the ExportRun."""
    return execute_export_run(run_id)


# core.exports enqueues it without importing this module (which imports core.exports).
register_export_job(run_list_export)


# The jobs page names each job (core.display vocabulary "job").
register_terms(
    "job",
    {
        "oreledger.core.jobs.prune_housekeeping": _("Housekeeping"),
        "oreledger.core.jobs.nightly_backup": _("Nightly backup"),
        "oreledger.core.jobs.checkpoint_chains": _("Chain-head checkpoint"),
        "oreledger.core.jobs.run_bundle_import": _("Province bundle import"),
        "oreledger.core.jobs.run_list_export": _("List export"),
    },
)
# django-tasks' statuses of a job, as the jobs page shows them.
register_terms(
    "job_status",
    {
        "READY": _("Queued"),
        "RUNNING": _("Running"),
        "FAILED": _("Failed"),
        "SUCCESSFUL": _("Succeeded"),
    },
)
