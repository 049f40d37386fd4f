"""The station simulator: weighbridge traffic over the station protocol, for demos and benches."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulatorConfig(AppConfig):
    """Drives the province's weighbridges over HTTP (`oreledger simulate-stations`)."""

    name = "oreledger.simulator"
    label = "simulator"
    verbose_name = _("Station simulator")
