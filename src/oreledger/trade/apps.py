"""Trade: floor prices, listings, bids, contracts and the price index (平台销售, 合同登记)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    """Ore sold only through the platform, by grade, above the floor."""

    name = "oreledger.trade"
    label = "trade"
    verbose_name = _("Trade")

    def ready(self) -> None:
        from oreledger.trade import bundle, dossier, menu, policies  # noqa: F401  (registrations)
