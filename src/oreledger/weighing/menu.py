"""Weighing's pages in the menu."""

from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import APPROVE, VIEW, may
from oreledger.weighing.models import StationState, Ticket, TicketCorrection, Waybill

SECTION = _("Weighing")

register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Waybills"),
        url_name="weighing:waybill_list",
        visible=lambda user: may(user, VIEW, Waybill),
        order=400,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Tickets"),
        url_name="weighing:ticket_list",
        visible=lambda user: may(user, VIEW, Ticket),
        order=410,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Stations"),
        url_name="weighing:station_list",
        visible=lambda user: may(user, VIEW, StationState) and user.role != "enterprise_user",
        order=420,
    )
)
register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Corrections"),
        url_name="weighing:correction_list",
        visible=lambda user: may(user, APPROVE, TicketCorrection),
        order=430,
    )
)
