"""Durable background jobs: a worker that leases its jobs, so a killed worker's job is retried.

Jobs are django.tasks tasks stored by the database backend. Enqueuing inside a service's
transaction writes the job row in that transaction: the job exists exactly when the change
that caused it committed.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from oreledger.core.models import WorkerLease

logger = logging.getLogger(__name__)

RUNNING = "RUNNING"
READY = "READY"
FAILED = "FAILED"


def new_worker_id() -> str:
    """A worker id unique across hosts and restarts (fits the task table's 64 chars)."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def beat(worker_id: str) -> None:
    """Renew this worker's lease."""
    now = timezone.now()
    updated = WorkerLease.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerLease.objects.create(
            worker_id=worker_id, hostname=socket.gethostname()[:255], pid=os.getpid(), beat_at=now
        )


def requeue_abandoned_jobs(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Give back to the queue every running job whose worker's lease has lapsed.

    A job that has already been abandoned `OL_JOB_MAX_ATTEMPTS` times is marked failed
    instead, so that a job that kills its worker cannot loop forever.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.OL_WORKER_LEASE_SECONDS)
    live = set(WorkerLease.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    counts = {"requeued": 0, "failed": 0}
    for job in DBTaskResult.objects.filter(status=RUNNING).only("id", "worker_ids"):
        holder = job.worker_ids[-1] if job.worker_ids else None
        if holder in live:
            continue
        # The conditional update loses cleanly against a worker that just finished the job.
        running = DBTaskResult.objects.filter(id=job.id, status=RUNNING)
        if len(job.worker_ids) >= settings.OL_JOB_MAX_ATTEMPTS:
            counts["failed"] += running.update(
                status=FAILED,
                finished_at=now,
                exception_class_path="oreledger.core.worker.WorkerLost",
                traceback=f"worker lost {len(job.worker_ids)} times: {', '.join(job.worker_ids)}",
            )
        else:
            counts["requeued"] += running.update(status=READY, started_at=None)
    WorkerLease.objects.filter(beat_at__lt=cutoff - datetime.timedelta(days=1)).delete()
    if any(counts.values()):
        logger.warning("abandoned jobs: %s", counts)
    return counts


class WorkerLost(Exception):
    """The worker running a job died (killed, crashed, or the machine stopped)."""


class LeasedWorker(Worker):
    """The django-tasks-db worker, plus a heartbeat lease and recovery of abandoned jobs."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stop = threading.Event()

    def _heartbeat_loop(self) -> None:
        interval = max(1.0, settings.OL_WORKER_LEASE_SECONDS / 4)
        while not self._stop.wait(interval):
            try:
                beat(self.worker_id)
                requeue_abandoned_jobs()
            except Exception:
                logger.exception("worker heartbeat failed")
            finally:
                close_old_connections()
        connection.close()

    def run(self) -> None:
        """Take the lease, recover what dead workers left, then work until told to stop."""
        beat(self.worker_id)
        requeue_abandoned_jobs()
        thread = threading.Thread(target=self._heartbeat_loop, name="lease", daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            thread.join(timeout=5)
            with transaction.atomic():
                WorkerLease.objects.filter(worker_id=self.worker_id).delete()


def make_worker(
    *,
    interval: float = 1.0,
    batch: bool = False,
    max_tasks: int | None = None,
    queues: list[str] | None = None,
) -> LeasedWorker:
    """A worker for every queue of the default backend."""
    return LeasedWorker(
        queue_names=queues or ["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=new_worker_id(),
        excluded_queue_names=[],
    )
