"""Weighing records: waybills, station state, tickets and what surrounds them."""

from oreledger.weighing.models.corrections import TicketCorrection
from oreledger.weighing.models.reference import ReferenceToken
from oreledger.weighing.models.tickets import (
    BlockingSet,
    StationState,
    Ticket,
    TicketConflict,
    TicketRejection,
)
from oreledger.weighing.models.waybills import Waybill

__all__ = [
    "BlockingSet",
    "ReferenceToken",
    "StationState",
    "Ticket",
    "TicketConflict",
    "TicketCorrection",
    "TicketRejection",
    "Waybill",
]
