"""Quotas' pages in the menu."""

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import CHANGE, VIEW, may
from oreledger.quotas.models import QuotaAccount, QuotaChange

SECTION = _("Quotas")

register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Mine quotas"),
        url_name="quotas:account_list",
        visible=lambda user: may(user, VIEW, QuotaAccount),
        order=200,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Allocate"),
        url_name="quotas:allocate",
        visible=lambda user: may(user, CHANGE, QuotaAccount),
        order=210,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Transfers and adjustments"),
        url_name="quotas:change_list",
        visible=lambda user: may(user, VIEW, QuotaChange) and user.role != "enterprise_user",
        order=220,
    )
)
