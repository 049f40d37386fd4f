"""The scheduler: enqueues each periodic job once per period, however many schedulers run.

Each (job, period) is a row with a unique key, inserted in the same transaction that
enqueues the job; a second scheduler's insert fails and it enqueues nothing.
"""

from __future__ import annotations

import datetime
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from oreledger.core.localtime import LOCAL
from oreledger.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A task to enqueue once every `every`, periods aligned to Asia/Shanghai midnight."""

    name: str
    task_path: str
    every: datetime.timedelta

    def period(self, now: datetime.datetime) -> str:
        """The key of the period containing `now`, e.g. "2026-11-22T06:00"."""
        local = now.astimezone(LOCAL)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        step = int(self.every.total_seconds())
        elapsed = int((local - midnight).total_seconds())
        start = midnight + datetime.timedelta(seconds=elapsed - elapsed % step)
        if step >= 86400:
            return start.date().isoformat()
        return start.strftime("%Y-%m-%dT%H:%M")


_JOBS: dict[str, PeriodicJob] = {}


def schedule(name: str, task_path: str, *, every: datetime.timedelta) -> None:
    """Register a periodic job (from an app's jobs.py, imported in its AppConfig.ready).

    Periods divide a day; weekly and monthly work runs daily and checks the calendar.
    """
    seconds = int(every.total_seconds())
    if seconds < 60 or 86400 % seconds:
        raise ValueError(f"{name}: a period must divide a day and be at least a minute")
    _JOBS[name] = PeriodicJob(name=name, task_path=task_path, every=every)


def periodic_jobs() -> list[PeriodicJob]:
    """Every registered periodic job."""
    return sorted(_JOBS.values(), key=lambda job: job.name)


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue each job whose current period has no run yet; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        period = job.period(now)
        if ScheduledRun.objects.filter(job=job.name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, period=period)
                result = import_string(job.task_path).enqueue(period=period)
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler took this period first
        enqueued.append(job.name)
        logger.info("scheduled %s for %s", job.name, period)
    return enqueued


def run_forever(
    *,
    interval: float = 15.0,
    stop: threading.Event | None = None,
    on_tick: Callable[[list[str]], Any] | None = None,
) -> None:
    """Tick every `interval` seconds until SIGINT/SIGTERM."""
    stop = stop or threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        logger.info("scheduler stopping on %s", signal.strsignal(signum))
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
    while not stop.is_set():
        close_old_connections()
        try:
            names = enqueue_due()
            if on_tick:
                on_tick(names)
        except Exception:
            logger.exception("scheduler tick failed")
        stop.wait(interval)
