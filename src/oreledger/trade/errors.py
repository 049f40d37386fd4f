"""Refusals of the trade services: a stable code and a sentence in zh-Hans and en."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.core import numbers
from oreledger.core.errors import Conflict, DomainError

MESSAGES = {
    "quantity_not_positive": _("The tonnage must be more than zero."),
    "price_negative": _("The price cannot be negative."),
    "validity_reversed": _("The end of validity is before its start."),
    "unknown_grade": _("Unknown grade %(grade)s in the grading standard in force."),
    "no_grading_standard": _("No grading standard is in force on %(date)s."),
    "buyer_is_seller": _("Buyer and seller must be different enterprises."),
    "origin_not_sellers": _("The origin must be a mine of the seller."),
    "destination_not_buyers": _("The destination must be a plant or yard of the buyer."),
    "not_an_enterprise_user": _("Only a user of an enterprise can do this."),
    "not_a_buyer": _("Only processors and traders can bid on ore."),
    "listing_not_open": _("Listing %(listing)s no longer takes bids."),
    "listing_expired": _("Listing %(listing)s is outside its validity."),
    "own_listing": _("An enterprise cannot bid on its own listing."),
    "bid_not_pending": _("This bid has already been decided or withdrawn."),
    "listing_oversold": _(
        "Listing %(listing)s has only %(open)s t left; this bid asks for %(tonnes)s t."
    ),
    "over_quota": _(
        "The mine can list at most %(available)s t: remaining quota %(remaining)s t minus "
        "%(committed)s t still to deliver or on offer."
    ),
    "no_quota": _("The mine %(site)s has no quota for %(year)s."),
    "contract_not_draft": _("Only a draft contract can be changed or submitted."),
    "contract_not_submitted": _("Only a submitted contract can be approved or returned."),
    "contract_not_approved": _("Only an approved contract can be amended or completed."),
    "contract_closed": _("This contract is already completed or terminated."),
    "price_below_floor": _(
        "The unit price %(price)s yuan/t is below the floor of %(floor)s yuan/t for %(grade)s; "
        "only the province office can approve it, with a reason."
    ),
    "override_needs_reason": _("Say why the price below the floor is accepted."),
    "return_needs_reason": _("Say why the contract is returned."),
    "not_allowed": _("You may see this record but not take this action."),
    "floor_exists": _("A floor price for %(grade)s from %(date)s already exists."),
    "contract_undelivered": _("Contract %(contract)s still has %(tonnes)s t to deliver."),
    "below_delivered": _("Less than the %(t)s t already delivered."),
}


class TradeError(DomainError):
    """A refused trade request: nothing changed."""

    def __init__(self, code: str, status: int | None = None, **params: Any) -> None:
        super().__init__(code, MESSAGES[code], params=params, status=status)


def refuse(code: str, **params: Any) -> TradeError:
    """The refusal for `code`, with its message parameters."""
    return TradeError(code, **params)


def conflict(code: str, **params: Any) -> Conflict:
    """A refusal because the request lost a race or contradicts the current state."""
    return Conflict(code, MESSAGES[code], params=params)


def tonnes(kg: int) -> str:
    """Kilograms as tonnes with two decimals, for messages (written as on every page)."""
    return numbers.tonnes(kg)
