"""Alerts' pages in the menu."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.alerts.models import Alert, Case, RuleVersion
from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may

SECTION = _("Early warning")


def _visible(model: Any) -> Any:
    """Whether the user's role may view the model's rows."""
    return lambda user: may(user, VIEW, model)


for url_name, label, model, order in (
    ("alerts:alert_list", _("Alerts"), Alert, 500),
    ("alerts:overdue", _("Overdue alerts"), Alert, 505),
    ("alerts:counts_by_county", _("Alerts by county"), Alert, 510),
    ("alerts:case_list", _("Enforcement cases"), Case, 520),
    ("alerts:rule_list", _("Rules and thresholds"), RuleVersion, 530),
):
    register_menu_item(
        MenuItem(
            section=SECTION,
            label=label,
            url_name=url_name,
            visible=_visible(model),
            order=order,
        )
    )
