"""Fixed vocabularies of the worklist: a task's status and a week's confirmation state."""

from django.db import models
from django.utils.translation import pgettext_lazy


class TaskStatus(models.TextChoices):
    """Where a task stands, computed by `queries.task_status` (never stored by hand)."""

    ON_TRACK = "on_track", pgettext_lazy("task status", "On track")
    AT_RISK = "at_risk", pgettext_lazy("task status", "At risk")
    OVERDUE = "overdue", pgettext_lazy("task status", "Overdue")
    DONE = "done", pgettext_lazy("task status", "Done")


class Timeliness(models.TextChoices):
    """A county's data confirmation for one week, in DHIS2's terms."""

    ON_TIME = "on_time", pgettext_lazy("confirmation", "On time")
    LATE = "late", pgettext_lazy("confirmation", "Late")
    MISSING = "missing", pgettext_lazy("confirmation", "Missing")
    # Not confirmed yet, but its deadline has not passed: not expected yet.
    PENDING = "pending", pgettext_lazy("confirmation", "Pending")
