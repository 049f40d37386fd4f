"""The core app: base models, audit trail, scoping, jobs and the UI shell."""

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared machinery every domain app stands on."""

    name = "oreledger.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # why: registrations run once the app registry is ready (these modules import models).
        from oreledger.core import bundle_views, jobs  # noqa: F401  (menu item, periodic jobs)
        from oreledger.core.bundle import check_sheets

        # The apps register their sheets after this: the check runs once all of them are.
        checks.register(check_sheets)
