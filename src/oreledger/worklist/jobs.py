"""Background work of the worklist: telling owners and offices of tasks at risk or overdue."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule
from oreledger.worklist.services import notify_task_statuses


@task(queue_name="scheduled")
def notify_task_status(period: str) -> int:
    """Notify the owner and office of each task that turned at risk or overdue."""
    return notify_task_statuses()


schedule(
    "worklist.notify_task_status",
    "oreledger.worklist.jobs.notify_task_status",
    every=datetime.timedelta(hours=1),
)
register_terms("job", {"oreledger.worklist.jobs.notify_task_status": _("Task status notices")})
