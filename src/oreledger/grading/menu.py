"""Grading's pages in the menu."""

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may
from oreledger.grading.models import Assay, GradingStandard

SECTION = _("Grading")

register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Grading standard"),
        url_name="grading:standard",
        visible=lambda user: may(user, VIEW, GradingStandard),
        order=300,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Assays"),
        url_name="grading:assay_list",
        visible=lambda user: may(user, VIEW, Assay),
        order=310,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Grade mix"),
        url_name="grading:mix",
        visible=lambda user: may(user, VIEW, Assay),
        order=320,
    )
)
