"""Background work of briefings: the province's draft every Monday at 08:00 for last week."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.briefings.services import draft_last_week
from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule


@task(queue_name="scheduled")
def draft_weekly_briefing(period: str) -> str:
    """Hourly; on Monday from 08:00 keeps the province's draft for the week before (once)."""
    briefing = draft_last_week()
    return briefing.week if briefing is not None else ""


# Periods divide a day (core.scheduler): hourly, and the job checks the calendar itself.
schedule(
    "briefings.draft_weekly_briefing",
    "oreledger.briefings.jobs.draft_weekly_briefing",
    every=datetime.timedelta(hours=1),
)

register_terms(
    "job",
    {"oreledger.briefings.jobs.draft_weekly_briefing": _("Weekly briefing draft")},
)
