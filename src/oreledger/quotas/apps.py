"""Quotas: annual extraction totals allocated province → county → mine (总量控制)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotasConfig(AppConfig):
    """The quota ledger."""

    name = "oreledger.quotas"
    label = "quotas"
    verbose_name = _("Quotas")

    def ready(self) -> None:
        from oreledger.core.checkpoints import register_chain
        from oreledger.quotas import bundle, dossier, menu, policies  # noqa: F401  (registrations)
        from oreledger.quotas.integrity import CHAIN, account_heads

        register_chain(CHAIN, account_heads)
