"""The demo province: a generator of realistic bundles and the `demo` command."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Builds the demo province through the real importer."""

    name = "oreledger.demo"
    label = "demo"
    verbose_name = _("Demo province")

    def ready(self) -> None:
        # why: registrations run once the app registry is ready (these modules import models).
        from oreledger.demo import anomalies

        # The simulator's anomalies that make the demo raise each kind of alert.
        anomalies.register()
