"""Registry: enterprises, sites, stations, vehicles and permits."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The ground truth every other part checks against."""

    name = "oreledger.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # why: registrations run once the app registry is ready (these modules import models).
        from oreledger.registry import (  # noqa: F401  (registrations)
            bundle,
            dossier,
            jobs,
            menu,
            policies,
        )
