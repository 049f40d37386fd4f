"""Inspections' pages in the menu."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may
from oreledger.inspections.models import Campaign, ClassificationDecision, RectificationOrder

SECTION = _("Joint inspections")


def _visible(model: Any) -> Any:
    """Whether the user's role may view the model's rows."""
    return lambda user: may(user, VIEW, model)


for url_name, label, model, order in (
    ("inspections:campaign_list", _("Campaigns"), Campaign, 700),
    ("inspections:order_list", _("Rectification orders"), RectificationOrder, 710),
    ("inspections:decision_list", _("Classification decisions"), ClassificationDecision, 720),
):
    register_menu_item(
        MenuItem(
            section=SECTION,
            label=label,
            url_name=url_name,
            visible=_visible(model),
            order=order,
        )
    )
