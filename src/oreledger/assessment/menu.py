"""The assessment in the menu: the schemes, each leading to the ranking or the county's score."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oreledger.assessment.models import Evidence, Scheme
from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import ADD, APPROVE, VIEW, may

register_menu_item(
    MenuItem(
        section=_("Joint action"),
        label=_("County assessment"),
        url_name="assessment:scheme_list",
        visible=lambda user: may(user, VIEW, Scheme),
        order=820,
    )
)
register_menu_item(
    MenuItem(
        section=_("Joint action"),
        label=_("Funding and staffing"),
        url_name="assessment:evidence",
        visible=lambda user: may(user, ADD, Evidence) and bool(getattr(user, "region_id", None)),
        order=821,
    )
)
register_menu_item(
    MenuItem(
        section=_("Joint action"),
        label=_("Entries awaiting approval"),
        url_name="assessment:evidence_queue",
        visible=lambda user: may(user, APPROVE, Evidence),
        order=822,
    )
)
