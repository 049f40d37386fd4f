"""Dashboards' pages in the menu: the first thing a leader opens."""

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may
from oreledger.dashboards.models import DailyRollup

SECTION = _("Analysis")

for label, url_name, order in (
    (_("Dashboard"), "dashboards:overview", 10),
    (_("Operations map"), "dashboards:map", 11),
    (_("Big screen"), "dashboards:screen", 12),
):
    register_menu_item(
        MenuItem(
            section=SECTION,
            label=label,
            url_name=url_name,
            visible=lambda user: may(user, VIEW, DailyRollup),
            order=order,
        )
    )
