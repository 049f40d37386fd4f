"""The worklist in the menu: groups, tasks, weekly confirmation and timeliness."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import COUNTY_OPERATOR, VIEW, may
from oreledger.worklist.models import Task, WeeklyConfirmation

SECTION = _("Joint action")


def _official(user: Any) -> bool:
    return may(user, VIEW, Task) and bool(getattr(user, "region_id", None))


for url_name, label, order in (
    ("worklist:group_list", _("Working groups"), 800),
    ("worklist:task_list", _("Joint action tasks"), 805),
):
    register_menu_item(
        MenuItem(section=SECTION, label=label, url_name=url_name, visible=_official, order=order)
    )
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Weekly data confirmation"),
        url_name="worklist:confirm",
        visible=lambda user: getattr(user, "role", None) == COUNTY_OPERATOR,
        order=810,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Weekly data timeliness"),
        url_name="worklist:timeliness",
        visible=lambda user: may(user, VIEW, WeeklyConfirmation) and _official(user),
        order=815,
    )
)
