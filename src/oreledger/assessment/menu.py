"""The assessment in the menu: the schemes, each leading to the ranking or the county's score."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oreledger.assessment.models import Scheme
from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may

register_menu_item(
    MenuItem(
        section=_("Joint action"),
        label=_("County assessment"),
        url_name="assessment:scheme_list",
        visible=lambda user: may(user, VIEW, Scheme),
        order=820,
    )
)
