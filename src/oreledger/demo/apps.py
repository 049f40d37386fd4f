"""The demo province: a generator of realistic bundles and the `demo` command."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Builds the demo province through the real importer."""

    name = "oreledger.demo"
    label = "demo"
    verbose_name = _("Demo province")
