"""Weighing's pages in the menu, and its action on a contract's page."""

from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import (
    MenuItem,
    RecordAction,
    register_menu_item,
    register_record_action,
)
from oreledger.core.permissions import APPROVE, VIEW, may
from oreledger.weighing.models import (
    BlockingSet,
    StationState,
    Ticket,
    TicketCorrection,
    Waybill,
)
from oreledger.weighing.services.waybills import issuable_contracts, may_issue_waybills

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

register_menu_item(
    MenuItem(
        section=SECTION,
        label=_("Blocking sets"),
        url_name="weighing:blocking_list",
        visible=lambda user: may(user, VIEW, BlockingSet),
        order=440,
    )
)


def _may_issue_against(user: Any, contract: Any) -> bool:
    # Offered only where issuing would succeed: the form takes the same contracts.
    return may_issue_waybills(user) and issuable_contracts(user).filter(pk=contract.pk).exists()


register_record_action(
    RecordAction(
        record="trade.contract",
        label=_("Issue a waybill"),
        url=lambda contract: (
            f"{reverse('weighing:waybill_issue')}?contract={quote(contract.number, safe='/')}"
        ),
        visible=_may_issue_against,
        testid="issue-waybill",
    )
)
