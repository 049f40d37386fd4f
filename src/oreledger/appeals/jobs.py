"""Background work of the appeals desk: flagging overdue stages every quarter hour."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.appeals.services import flag_overdue_stages
from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule


@task(queue_name="scheduled")
def flag_overdue(period: str) -> int:
    """Tell departments and offices of stages past their limit and raise appeal_overdue."""
    return flag_overdue_stages()


schedule(
    "appeals.flag_overdue",
    "oreledger.appeals.jobs.flag_overdue",
    every=datetime.timedelta(minutes=15),
)
register_terms("job", {"oreledger.appeals.jobs.flag_overdue": _("Overdue appeal stages")})
