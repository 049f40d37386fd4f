"""Jobs used by the job-durability tests (importable by a worker process)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def hold_then_finish(marker_dir: str) -> str:
    """First attempt: say "started" and hang (to be killed); a later attempt finishes."""
    directory = Path(marker_dir)
    attempt = len(list(directory.glob("attempt-*"))) + 1
    (directory / f"attempt-{attempt}").write_text("running")
    if attempt == 1:
        time.sleep(120)
    (directory / "done").write_text(str(attempt))
    return f"finished on attempt {attempt}"


@task()
def record_period(period: str, marker_dir: str = "") -> str:
    """A periodic job that just says which period it ran for."""
    return period
