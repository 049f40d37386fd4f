"""Background work of joint inspections: the daily deadline run (alerts, reminders, digest)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule
from oreledger.inspections.alert_rules import inspection_target_behind, rectification_overdue
from oreledger.inspections.services.deadlines import remind_deadlines, send_daily_digests


@task(queue_name="scheduled")
def run_deadlines(period: str) -> int:
    """Raise rectification_overdue and inspection_target_behind, then remind people of
    deadlines near or passed."""
    return rectification_overdue() + inspection_target_behind() + remind_deadlines()


@task(queue_name="scheduled")
def send_digests(period: str) -> int:
    """One digest per person with open items, once per local day."""
    return send_daily_digests()


schedule(
    "inspections.deadlines",
    "oreledger.inspections.jobs.run_deadlines",
    every=datetime.timedelta(hours=1),
)
schedule(
    "inspections.digest",
    "oreledger.inspections.jobs.send_digests",
    every=datetime.timedelta(days=1),
)
register_terms(
    "job",
    {
        "oreledger.inspections.jobs.run_deadlines": _("Rectification deadlines and targets"),
        "oreledger.inspections.jobs.send_digests": _("Daily digest"),
    },
)
