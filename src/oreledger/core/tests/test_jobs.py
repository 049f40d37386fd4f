"""Durable jobs: a worker killed mid-job leaves the job to be retried; schedulers run once."""

from __future__ import annotations

import datetime
import signal
import threading
import time
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oreledger.core import scheduler
from oreledger.core.models import ScheduledRun, WorkerLease
from oreledger.core.tests.tasks_for_tests import hold_then_finish
from oreledger.core.worker import requeue_abandoned_jobs
from testkit.processes import child_env, start


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_is_retried_by_another_worker(tmp_path: Path) -> None:
    # given a job, and a worker process that has started it (a lease of a minute)
    result = hold_then_finish.enqueue(marker_dir=str(tmp_path))
    env = child_env(OL_WORKER_LEASE_SECONDS="60")
    first = start("worker", "--interval", "0.2", env=env)
    try:
        _wait_for(lambda: (tmp_path / "attempt-1").exists(), 60, "the first attempt to start")
        # when the worker is killed outright in the middle of the job
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    job = DBTaskResult.objects.get(id=result.id)
    assert job.status == "RUNNING"  # nobody finished it
    (holder,) = job.worker_ids
    # then, while its lease is live, another worker leaves the job to it
    assert start("worker", "--batch", "--interval", "0.2", env=env).wait(timeout=60) == 0
    job.refresh_from_db()
    assert (job.status, job.worker_ids) == ("RUNNING", [holder])
    assert not (tmp_path / "attempt-2").exists()
    # and once its lease has lapsed (its last beat an hour ago), a new worker takes the job
    # again and finishes it
    WorkerLease.objects.filter(worker_id=holder).update(
        beat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    second = start("worker", "--batch", "--interval", "0.2", env=env)
    assert second.wait(timeout=60) == 0
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL"
    assert job.return_value == "finished on attempt 2"
    assert len(job.worker_ids) == 2
    assert (tmp_path / "done").read_text() == "2"


@pytest.mark.django_db(transaction=True)
def test_a_job_that_keeps_killing_its_worker_fails_visibly(settings) -> None:
    # given a job abandoned by as many workers as the attempt limit
    settings.OL_JOB_MAX_ATTEMPTS = 2
    result = hold_then_finish.enqueue(marker_dir="/nonexistent")
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", worker_ids=["dead-1", "dead-2"]
    )
    # when abandoned jobs are collected
    counts = requeue_abandoned_jobs()
    # then it is failed with the reason, not retried forever
    job = DBTaskResult.objects.get(id=result.id)
    assert counts == {"requeued": 0, "failed": 1}
    assert job.status == "FAILED"
    assert job.traceback == "worker lost 2 times: dead-1, dead-2"


@pytest.mark.django_db(transaction=True)
def test_a_job_held_by_a_live_worker_is_left_alone() -> None:
    result = hold_then_finish.enqueue(marker_dir="/nonexistent")
    WorkerLease.objects.create(
        worker_id="alive", hostname="h", pid=1, beat_at=datetime.datetime.now(datetime.UTC)
    )
    DBTaskResult.objects.filter(id=result.id).update(status="RUNNING", worker_ids=["alive"])
    assert requeue_abandoned_jobs() == {"requeued": 0, "failed": 0}
    assert DBTaskResult.objects.get(id=result.id).status == "RUNNING"


@pytest.fixture
def one_periodic_job(monkeypatch):
    """Only a test job is scheduled, every 15 minutes."""
    monkeypatch.setattr(scheduler, "_JOBS", {})
    scheduler.schedule(
        "test.record_period",
        "oreledger.core.tests.tasks_for_tests.record_period",
        every=datetime.timedelta(minutes=15),
    )


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_side_by_side_enqueue_each_period_once(one_periodic_job) -> None:
    # given two schedulers ticking at the same instants over four periods
    instants = [
        datetime.datetime(2026, 11, 22, 1, m, tzinfo=datetime.UTC)
        for m in (0, 7, 14, 15, 29, 30, 44, 45, 59)
    ]
    barrier = threading.Barrier(2)
    enqueued: list[list[str]] = []

    def run_scheduler() -> None:
        try:
            for now in instants:
                barrier.wait(timeout=30)
                enqueued.append(scheduler.enqueue_due(now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then each 15-minute period has exactly one run and one job
    periods = sorted(ScheduledRun.objects.values_list("period", flat=True))
    assert periods == [
        "2026-11-22T09:00",
        "2026-11-22T09:15",
        "2026-11-22T09:30",
        "2026-11-22T09:45",
    ]
    assert sum(len(names) for names in enqueued) == 4
    jobs = DBTaskResult.objects.filter(task_path__endswith="record_period")
    assert sorted(job.args_kwargs["kwargs"]["period"] for job in jobs) == periods


def test_periods_follow_the_shanghai_calendar() -> None:
    daily = scheduler.PeriodicJob("d", "x", datetime.timedelta(days=1))
    # 2026-11-22 17:00 UTC is already the 23rd in Shanghai
    assert daily.period(datetime.datetime(2026, 11, 22, 17, 0, tzinfo=datetime.UTC)) == "2026-11-23"
    hourly = scheduler.PeriodicJob("h", "x", datetime.timedelta(hours=1))
    assert hourly.period(datetime.datetime(2026, 11, 22, 1, 59, tzinfo=datetime.UTC)) == (
        "2026-11-22T09:00"
    )
    with pytest.raises(ValueError, match="a period must divide a day"):
        scheduler.schedule("bad", "x", every=datetime.timedelta(minutes=7))
