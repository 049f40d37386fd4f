"""Background work of dashboards: keeping the daily rollups current."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule
from oreledger.dashboards.rollups import refresh_rollups


@task(queue_name="scheduled")
def refresh_daily_rollups(period: str) -> list[str]:
    """Recompute the rollup days touched since the last run (every minute)."""
    return [day.isoformat() for day in refresh_rollups()]


schedule(
    "dashboards.refresh_daily_rollups",
    "oreledger.dashboards.jobs.refresh_daily_rollups",
    every=datetime.timedelta(minutes=1),
)

# The jobs page names each job (core.display vocabulary "job").
register_terms(
    "job",
    {
        "oreledger.dashboards.jobs.refresh_daily_rollups": _("Refresh of the dashboard figures"),
    },
)
