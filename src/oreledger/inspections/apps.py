"""Inspections: joint campaigns, field visits, rectification to sign-off (联合执法, 整改销号)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Campaigns send groups to every site; what fails is rectified until departments sign."""

    name = "oreledger.inspections"
    label = "inspections"
    verbose_name = _("Joint inspections")

    def ready(self) -> None:
        """Register policies, menu items, bundle sheets, the enterprise-file section, the
        deadline rules and their jobs."""
        from oreledger.inspections import (  # noqa: F401
            alert_rules,
            bundle,
            dossier,
            jobs,
            menu,
            policies,
        )
