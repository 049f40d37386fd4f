"""Weighing: waybills, station tickets, the barrier decision and reconciliation (计量运输)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeighingConfig(AppConfig):
    """Every truck, every trip, weighed at the mine exit and the plant gate."""

    name = "oreledger.weighing"
    label = "weighing"
    verbose_name = _("Weighing")

    def ready(self) -> None:
        from oreledger.core.checkpoints import register_chain
        from oreledger.quotas.integrity import register_cross_check
        from oreledger.weighing import dossier, jobs, menu, policies  # noqa: F401  (registrations)
        from oreledger.weighing.chain import CHAIN, station_heads
        from oreledger.weighing.crosscheck import ledger_against_tickets

        register_cross_check(ledger_against_tickets)
        register_chain(CHAIN, station_heads)
