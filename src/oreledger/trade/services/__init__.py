"""Use cases of trade (verb + noun, keyword-only; the outermost one owns the transaction)."""

from oreledger.trade.services.contracts import (
    amend_contract,
    approve_contract,
    complete_contract,
    create_contract,
    return_contract,
    submit_contract,
    terminate_contract,
    update_contract,
)
from oreledger.trade.services.imported import ImportedContract, prepare_imported_contracts
from oreledger.trade.services.market import (
    ListingResult,
    accept_bid,
    create_listing,
    place_bid,
    reject_bid,
    set_floor_price,
    withdraw_bid,
    withdraw_listing,
)
from oreledger.trade.services.notifications import mark_read, unread_count

__all__ = [
    "ImportedContract",
    "ListingResult",
    "accept_bid",
    "amend_contract",
    "approve_contract",
    "complete_contract",
    "create_contract",
    "create_listing",
    "mark_read",
    "place_bid",
    "prepare_imported_contracts",
    "reject_bid",
    "return_contract",
    "set_floor_price",
    "submit_contract",
    "terminate_contract",
    "unread_count",
    "update_contract",
    "withdraw_bid",
    "withdraw_listing",
]
