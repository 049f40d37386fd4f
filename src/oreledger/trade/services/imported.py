"""Contracts a county registered before the platform, as the province bundle brings them.

The bundle's contracts sheet resolves its cells (parties, sites, grade codes, scope) and asks
here what each contract becomes: the rules of every contract (`check_contract`) and a ceiling
never below what was already delivered decide it, as for a contract registered on a page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from oreledger.core.errors import DomainError
from oreledger.core.localtime import LOCAL
from oreledger.trade.choices import ContractStatus
from oreledger.trade.errors import refuse, tonnes
from oreledger.trade.models import Contract, within_ceiling
from oreledger.trade.services._common import money
from oreledger.trade.services.contracts import check_contract

# A contract in one of these states was registered (approved) by its county.
REGISTERED = (ContractStatus.APPROVED, ContractStatus.COMPLETED)


@dataclass(frozen=True)
class ImportedContract:
    """One contract of a county's register as a bundle row states it.

    Parties, sites and region may be records the same workbook is still planning (unsaved);
    the grade is known once the workbook's grades are stored (None before).
    """

    number: str
    current: Contract | None
    seller: Any
    buyer: Any
    origin_site: Any
    destination_site: Any
    quantity_kg: int
    unit_price: Decimal
    valid_from: datetime.date
    valid_to: datetime.date
    status: str
    region: Any
    grade: Any = None


def prepare_imported_contracts(
    *, contracts: Sequence[ImportedContract]
) -> list[dict[str, Any] | DomainError]:
    """The values each imported contract is stored with, or why it is refused (in order)."""
    prepared: list[dict[str, Any] | DomainError] = []
    for imported in contracts:
        try:
            prepared.append(_stored_values(imported))
        except DomainError as refusal:
            prepared.append(refusal)
    return prepared


def _stored_values(imported: ImportedContract) -> dict[str, Any]:
    current = imported.current
    values: dict[str, Any] = {
        "seller": imported.seller,
        "buyer": imported.buyer,
        "origin_site": imported.origin_site,
        "destination_site": imported.destination_site,
        "quantity_kg": imported.quantity_kg,
        "unit_price": money(imported.unit_price),
        "valid_from": imported.valid_from,
        "valid_to": imported.valid_to,
        "status": imported.status,
        "region": imported.region,
    }
    if imported.grade is not None:
        values["grade"] = imported.grade
    contract = Contract(number=imported.number, **values)
    if current is not None:
        contract.tolerance_pct = current.tolerance_pct
    check_contract(contract)
    if current is not None and not within_ceiling(
        delivered_kg=current.delivered_kg, ceiling_kg=contract.ceiling_kg
    ):
        raise refuse("below_delivered", t=tonnes(current.delivered_kg))
    registered = imported.status in REGISTERED
    if current is None:
        values["approved_at"] = _approved_at(imported.valid_from) if registered else None
    elif registered and current.approved_at is None:
        values["approved_at"] = _approved_at(imported.valid_from)
    # The ceiling the weighing path's UPDATE checks, as save() would keep it.
    values["max_delivery_kg"] = contract.ceiling_kg
    return values


def _approved_at(day: datetime.date) -> datetime.datetime:
    # A registered contract from a county's register was approved by its first day at latest.
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=LOCAL)
