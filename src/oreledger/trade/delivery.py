"""Delivery drawn on a contract by the weighing path: one conditional UPDATE, never overdrawn.

Called inside the ticket transaction (the weighing service owns it); the row lock the
UPDATE takes serialises concurrent exits against the same contract.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F
from django.utils import timezone

from oreledger.core.prepared import any_of, columns, for_update, insert, load, run, update
from oreledger.trade.choices import ContractStatus
from oreledger.trade.models import (
    DELIVERY_WITHIN_CEILING,
    Contract,
    Delivery,
    within_ceiling,
)

# The conditional UPDATE of a delivery; its only interpolation is models' constant.
_MOVE = (
    "UPDATE trade_contract SET delivered_kg = delivered_kg + %(net)s"  # noqa: S608
    f" WHERE id = %(contract)s AND status = %(approved)s AND {DELIVERY_WITHIN_CEILING}"
)
# PostgreSQL: the dated trail row is inserted from the UPDATE's RETURNING, one round trip.
_DELIVER = (
    f"WITH moved AS ({_MOVE} RETURNING id)"  # noqa: S608
    " INSERT INTO trade_delivery (contract_id, net_kg, at)"
    " SELECT id, %(net)s, %(at)s FROM moved"
)


def deliver_on_contract(*, contract_id: int, net_kg: int) -> bool:
    """Add `net_kg` to the contract's delivered tonnage if it stays within quantity + tolerance.

    Returns False (and changes nothing) when the contract is not approved or the delivery
    would exceed quantity × (1 + tolerance).
    """
    if net_kg <= 0:
        raise ValueError("net_kg must be positive")
    now, approved = timezone.now(), ContractStatus.APPROVED.value
    params = {"contract": contract_id, "net": net_kg, "at": now, "approved": approved}
    if connection.vendor == "postgresql":
        # One round trip: the delivery row is inserted only if the contract moved.
        return run(_DELIVER, params).rowcount == 1
    updated = run(_MOVE, params).rowcount
    if updated:
        # Dated trail of deliveries for the weekly price index (delivered tonnage per week).
        Delivery.objects.create(contract_id=contract_id, net_kg=net_kg)
    return updated == 1


def undeliver_on_contract(*, contract_id: int, net_kg: int) -> None:
    """Take back a delivery (a correction or reversal of an exit ticket)."""
    if net_kg <= 0:
        raise ValueError("net_kg must be positive")
    if Contract.objects.filter(pk=contract_id, delivered_kg__gte=net_kg).update(
        delivered_kg=F("delivered_kg") - net_kg
    ):
        Delivery.objects.create(contract_id=contract_id, net_kg=-net_kg)


_HELD = ["id", "status", "delivered_kg", "max_delivery_kg"]


class ContractDeliveries:
    """A batch's deliveries on contracts locked up front, decided in order, written at once.

    Decides each delivery exactly as `deliver_on_contract` (approved, within the ceiling) on
    the locked rows held in memory; `write` moves each contract once and inserts the trail.
    """

    def __init__(self) -> None:
        self._contracts: dict[int, Contract] = {}
        self._deliveries: list[Delivery] = []
        self._changed: set[int] = set()

    def lock(self, contract_ids: Iterable[int]) -> None:
        """Lock the contracts the batch may deliver on, in ascending id (no deadlock)."""
        wanted = sorted(set(contract_ids) - set(self._contracts))
        if self._changed and wanted:
            raise RuntimeError("lock every contract before the first delivery")
        if wanted:
            where, params = any_of("id", wanted)
            sql = (
                f"SELECT {columns(Contract, _HELD)} FROM trade_contract"  # noqa: S608
                f" WHERE {where} ORDER BY id{for_update()}"
            )
            rows = load(Contract, _HELD, run(sql, params).rows)
            self._contracts.update((row.pk, row) for row in rows)

    def fits(self, *, contract_id: int, net_kg: int) -> bool:
        """Whether the delivery would be taken now."""
        held = self._contracts[contract_id]
        within = within_ceiling(
            delivered_kg=held.delivered_kg + net_kg, ceiling_kg=held.max_delivery_kg
        )
        return held.status == ContractStatus.APPROVED and within

    def deliver(self, *, contract_id: int, net_kg: int) -> bool:
        """Whether the delivery fits; if so it is counted (and written by `write`)."""
        if net_kg <= 0:
            raise ValueError("net_kg must be positive")
        if not self.fits(contract_id=contract_id, net_kg=net_kg):
            return False
        held = self._contracts[contract_id]
        held.delivered_kg += net_kg
        self._changed.add(contract_id)
        self._deliveries.append(Delivery(contract_id=contract_id, net_kg=net_kg))
        return True

    def write(self) -> None:
        """Move each contract's delivered tonnage once and insert the dated trail."""
        update([self._contracts[pk] for pk in sorted(self._changed)], ["delivered_kg"])
        insert(self._deliveries)
        self._deliveries, self._changed = [], set()
