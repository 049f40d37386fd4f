"""Briefings: the weekly dispatch briefing (周调度简报) the office reports to the governor."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    """Each week's figures of a jurisdiction, with the leader's remarks, drafted then issued."""

    name = "oreledger.briefings"
    label = "briefings"
    verbose_name = _("Weekly briefings")

    def ready(self) -> None:
        """Register the policies, the menu, the sections (chain heads last) and the Monday job."""
        from oreledger.briefings import chain_heads, jobs, menu, policies, sections  # noqa: F401
