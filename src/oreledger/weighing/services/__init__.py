"""Use cases of weighing: waybills, the station protocol's tickets, and corrections."""

from oreledger.weighing.services.corrections import (
    approve_correction,
    reject_correction,
    request_correction,
)
from oreledger.weighing.services.heartbeats import record_heartbeat
from oreledger.weighing.services.tickets import (
    BatchResult,
    TicketResult,
    record_batch,
    record_ticket,
)
from oreledger.weighing.services.waybills import issue_waybill, void_waybill

__all__ = [
    "BatchResult",
    "TicketResult",
    "approve_correction",
    "issue_waybill",
    "record_batch",
    "record_heartbeat",
    "record_ticket",
    "reject_correction",
    "request_correction",
    "void_waybill",
]
