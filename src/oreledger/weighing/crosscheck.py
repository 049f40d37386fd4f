"""The quota ledger and the contracts' deliveries checked against the tickets behind them.

Registered into `verify-ledger` (`quotas.integrity.register_cross_check`): a consumption
changed in the ledger — even with its hash recomputed and the account's balance and head
adjusted to match — no longer agrees with the ticket that drew it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from django.db.models import Sum

from oreledger.quotas.choices import EntryKind
from oreledger.quotas.integrity import Discrepancy
from oreledger.quotas.models import LedgerEntry
from oreledger.trade.models import Contract
from oreledger.weighing.models import Ticket, TicketCorrection

_CHUNK = 2000
_TICKET, _CORRECTION = "ticket:", "correction:"


def _drawn_by(refs: list[str]) -> dict[str, tuple[str, int]]:
    """For each ref: the ticket's printed number and the net weight it drew."""
    ticket_ids = [ref[len(_TICKET) :] for ref in refs if ref.startswith(_TICKET)]
    correction_ids = [
        int(ref[len(_CORRECTION) :])
        for ref in refs
        if ref.startswith(_CORRECTION) and ref[len(_CORRECTION) :].isdigit()
    ]
    found: dict[str, tuple[str, int]] = {}
    tickets = Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "ticket_no", "net_kg")
    for pk, number, net in tickets:
        found[f"{_TICKET}{pk}"] = (number, net)
    corrected = TicketCorrection.objects.filter(pk__in=correction_ids).values_list(
        "pk", "ticket__ticket_no", "ticket__net_kg"
    )
    for correction, number, net in corrected:
        found[f"{_CORRECTION}{correction}"] = (number, net)
    return found


def consumptions_against_tickets() -> Iterator[Discrepancy]:
    """Every consumption drawn by a ticket (or its correction) draws the ticket's net weight."""
    rows = (
        LedgerEntry.objects.filter(kind=EntryKind.CONSUME)
        .filter(ref__regex=r"^(ticket|correction):")
        .order_by("account_id", "seq")
        .values_list("account_id", "seq", "amount_kg", "ref")
        .iterator(chunk_size=_CHUNK)
    )
    while chunk := list(islice(rows, _CHUNK)):
        drawn = _drawn_by([ref for *_, ref in chunk])
        for account_id, seq, amount, ref in chunk:
            if ref not in drawn:
                yield Discrepancy(
                    account_id,
                    "ticket_missing",
                    f"entry #{seq} draws {amount} kg for {ref}, which does not exist",
                    entry=seq,
                )
                continue
            number, net = drawn[ref]
            if amount != net:
                yield Discrepancy(
                    account_id,
                    "ticket_mismatch",
                    f"entry #{seq} draws {amount} kg, but ticket {number} weighed {net} kg net",
                    entry=seq,
                )


def tickets_against_consumptions() -> Iterator[Discrepancy]:
    """Every ticket that drew quota points at a consumption of that amount."""
    rows = (
        Ticket.objects.filter(drawn_kg__gt=0)
        .values_list(
            "ticket_no",
            "drawn_kg",
            "quota_entry__account_id",
            "quota_entry__seq",
            "quota_entry__kind",
            "quota_entry__amount_kg",
        )
        .order_by("received_at", "pk")
    )
    for number, drawn, account_id, seq, kind, amount in rows.iterator(chunk_size=_CHUNK):
        if account_id is None:
            yield Discrepancy(
                None, "ticket_not_in_ledger", f"ticket {number} drew {drawn} kg with no entry"
            )
        elif kind != EntryKind.CONSUME or amount != drawn:
            yield Discrepancy(
                account_id,
                "ticket_mismatch",
                f"ticket {number} drew {drawn} kg, but entry #{seq} records {amount} kg",
                entry=seq,
            )


def deliveries_against_contracts() -> Iterator[Discrepancy]:
    """Every contract's delivered tonnage is the sum of its deliveries."""
    contracts = (
        Contract.objects.annotate(recorded=Sum("deliveries__net_kg"))
        .values_list("number", "delivered_kg", "recorded")
        .order_by("pk")
    )
    for number, delivered, recorded in contracts.iterator(chunk_size=_CHUNK):
        if delivered != (recorded or 0):
            yield Discrepancy(
                None,
                "delivery_mismatch",
                f"contract {number} says {delivered} kg delivered, its deliveries sum to"
                f" {recorded or 0} kg",
            )


def ledger_against_tickets() -> Iterator[Discrepancy]:
    """The whole cross-check, in the order an auditor reads it."""
    yield from consumptions_against_tickets()
    yield from tickets_against_consumptions()
    yield from deliveries_against_contracts()
