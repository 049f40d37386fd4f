"""The appeals desk in the menu: one list per role, the ledgers, the time limits."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.appeals.models import Appeal, TimeLimits
from oreledger.appeals.views.appeals import list_title
from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import ADD, ENTERPRISE_USER, VIEW, may

SECTION = _("Enterprise appeals")


def _official(user: Any) -> bool:
    return may(user, VIEW, Appeal) and getattr(user, "role", None) != ENTERPRISE_USER


register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Appeals"),
        url_name="appeals:appeal_list",
        visible=lambda user: may(user, VIEW, Appeal),
        order=700,
        label_for=list_title,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Raise an appeal"),
        url_name="appeals:appeal_new",
        visible=lambda user: (
            may(user, ADD, Appeal) and getattr(user, "role", None) == ENTERPRISE_USER
        ),
        order=705,
    )
)
for url_name, label, order in (
    ("appeals:ledger_county", _("Appeals ledger by county"), 710),
    ("appeals:ledger_department", _("Appeals ledger by department"), 715),
):
    register_menu_item(
        MenuItem(section=SECTION, label=label, url_name=url_name, visible=_official, order=order)
    )
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Appeal time limits"),
        url_name="appeals:time_limits",
        visible=lambda user: may(user, VIEW, TimeLimits),
        order=720,
    )
)
