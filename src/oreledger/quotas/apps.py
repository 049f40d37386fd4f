"""Quotas: annual extraction totals allocated province → county → mine (总量控制)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotasConfig(AppConfig):
    """The quota ledger."""

    name = "oreledger.quotas"
    label = "quotas"
    verbose_name = _("Quotas")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from oreledger.core.checkpoints import register_chain
        from oreledger.quotas import bundle, dossier, menu, policies  # noqa: F401  (registrations)
        from oreledger.quotas.integrity import CHAIN, account_heads
        from oreledger.quotas.ledger import register_sqlite_functions

        register_chain(CHAIN, account_heads)
        connection_created.connect(register_sqlite_functions)
