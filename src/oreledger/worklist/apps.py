"""Worklist: the joint action's working groups, tasks, milestones, progress and weekly data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistConfig(AppConfig):
    """Every task of the joint action followed to its due date, every county's week confirmed."""

    name = "oreledger.worklist"
    label = "worklist"
    verbose_name = _("Joint action worklist")

    def ready(self) -> None:
        """Register policies, menu and the task status job."""
        from oreledger.worklist import jobs, menu, policies  # noqa: F401
