"""The briefings in the menu, beside the dashboard they report from."""

from django.utils.translation import gettext_lazy as _

from oreledger.briefings.models import Briefing
from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may

register_menu_item(
    MenuItem(
        section=_("Analysis"),
        label=_("Weekly briefings"),
        url_name="briefings:briefing_list",
        visible=lambda user: may(user, VIEW, Briefing),
        order=13,
    )
)
