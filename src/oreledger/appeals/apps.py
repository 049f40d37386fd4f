"""Appeals: the enterprise appeals desk (万人助万企) with its time limits and ledgers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    """Every enterprise appeal routed, answered, solved and closed within its limits."""

    name = "oreledger.appeals"
    label = "appeals"
    verbose_name = _("Enterprise appeals")

    def ready(self) -> None:
        """Register policies, menu, the dossier section and the overdue job."""
        from oreledger.appeals import dossier, jobs, menu, policies  # noqa: F401
