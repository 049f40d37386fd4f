"""Federation in the menu: the province's node table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may
from oreledger.federation.models import Node

register_menu_item(
    MenuItem(
        section=_("Administration"),
        label=_("County nodes"),
        url_name="federation:node_list",
        visible=lambda user: may(user, VIEW, Node),
        order=980,
    )
)
