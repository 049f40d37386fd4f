"""Dashboards: leaders' figures, the live feed, the map and the big screen (研判分析)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """What leaders look at to decide."""

    name = "oreledger.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # why: registrations run once the app registry is ready (these modules import models).
        from oreledger.dashboards import jobs, menu, places, policies  # noqa: F401  (registrations)
