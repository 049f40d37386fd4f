"""Delivery drawn on a contract by the weighing path: one conditional UPDATE, never overdrawn.

Called inside the ticket transaction (the weighing service owns it); the row lock the
UPDATE takes serialises concurrent exits against the same contract.
"""

from __future__ import annotations

from django.db.models import F

from oreledger.trade.choices import ContractStatus
from oreledger.trade.models import Contract, Delivery


def deliver_on_contract(*, contract_id: int, net_kg: int) -> bool:
    """Add `net_kg` to the contract's delivered tonnage if it stays within quantity + tolerance.

    Returns False (and changes nothing) when the contract is not approved or the delivery
    would exceed quantity × (1 + tolerance).
    """
    if net_kg <= 0:
        raise ValueError("net_kg must be positive")
    updated = Contract.objects.filter(
        pk=contract_id,
        status=ContractStatus.APPROVED,
        delivered_kg__lte=F("max_delivery_kg") - net_kg,
    ).update(delivered_kg=F("delivered_kg") + net_kg)
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
