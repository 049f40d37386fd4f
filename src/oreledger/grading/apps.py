"""Grading: versioned grading standards and assays (菱镁资源分级)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    """What ore is worth and where it should go."""

    name = "oreledger.grading"
    label = "grading"
    verbose_name = _("Grading")

    def ready(self) -> None:
        # why: registrations run once the app registry is ready (these modules import models).
        from oreledger.grading import bundle, menu, policies  # noqa: F401  (registrations)
