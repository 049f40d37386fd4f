"""Trade's pages in the menu."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import (
    ADMIN,
    COUNTY_OPERATOR,
    ENTERPRISE_USER,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
)

SECTION = _("Trade")


def _role(user: Any) -> str:
    return "admin" if user.is_superuser else str(getattr(user, "role", ""))


def _trading(user: Any) -> bool:
    return _role(user) in (*GOVERNMENT_ROLES, ENTERPRISE_USER, ADMIN)


def _approver(user: Any) -> bool:
    return _role(user) in (COUNTY_OPERATOR, PROVINCE_OFFICE, ADMIN)


def _enterprise(user: Any) -> bool:
    return _role(user) == ENTERPRISE_USER


for label, url_name, visible, order in (
    (_("Listings"), "trade:listing_list", _trading, 400),
    (_("Contracts"), "trade:contract_list", _trading, 410),
    (_("Approval queue"), "trade:approval_queue", _approver, 420),
    (_("Floor prices"), "trade:floor_prices", _trading, 430),
    (_("Price index"), "trade:price_index", _trading, 440),
    (_("Notifications"), "trade:notifications", _enterprise, 450),
):
    register_menu_item(
        MenuItem(section=SECTION, label=label, url_name=url_name, visible=visible, order=order)
    )
