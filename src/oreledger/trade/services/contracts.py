"""Use cases of contracts: register, submit, approve (合同登记), return, amend, close."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from oreledger.accounts.models import Region
from oreledger.core.audit import record_change, snapshot
from oreledger.core.errors import DomainError
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import (
    ADMIN,
    APPROVE,
    CHANGE,
    COUNTY_OPERATOR,
    ENTERPRISE_USER,
    PROVINCE_OFFICE,
)
from oreledger.grading.models import Grade
from oreledger.registry.models import Enterprise, Site
from oreledger.trade import hooks
from oreledger.trade.choices import ContractStatus, NotificationKind
from oreledger.trade.errors import MESSAGES, conflict, refuse, tonnes
from oreledger.trade.models import Contract, Listing, within_ceiling
from oreledger.trade.queries import floor_for
from oreledger.trade.services._common import (
    authorise,
    check_grade_in_force,
    is_person,
    money,
    next_number,
    notify,
    person_or_none,
)

EDITABLE = (
    "buyer",
    "destination_site",
    "grade",
    "quantity_kg",
    "unit_price",
    "valid_from",
    "valid_to",
)


def county_of(region: Region) -> Region:
    """The county a region lies in (the region itself above county level)."""
    if region.level != "town":
        return region
    codes = [code for code in region.path.strip("/").split("/") if code]
    return Region.objects.filter(code__in=codes, level="county").first() or region


def check_contract(contract: Contract) -> None:
    """Refuse a contract breaking a single-row rule, with the first rule's code."""
    try:
        contract.clean()
    except ValidationError as exc:
        fields = {name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
        first = next(iter(exc.error_dict.values()))[0]
        code = first.code or "invalid"
        # The lazy message, so that the refusal reads in whichever language it is shown in.
        message = MESSAGES.get(code, first.messages[0])
        raise DomainError(code, message, fields=fields) from None


def _contract_number(year: int) -> str:
    while True:
        number = f"HT-{year}-{next_number(f'contract-{year}'):06d}"
        # Numbers imported from a county's register may already take this one.
        if not Contract.objects.filter(number=number).exists():
            return number


def new_contract(
    *,
    actor: Any,
    seller: Enterprise,
    buyer: Enterprise,
    origin_site: Site,
    destination_site: Site,
    grade: Grade,
    quantity_kg: int,
    unit_price: Decimal,
    valid_from: datetime.date,
    valid_to: datetime.date,
    listing: Listing | None = None,
    supersedes: Contract | None = None,
    number: str = "",
) -> Contract:
    """Validate and store a draft contract inside the caller's transaction."""
    if quantity_kg <= 0:
        raise refuse("quantity_not_positive")
    if valid_to < valid_from:
        raise refuse("validity_reversed")
    contract = Contract(
        seller=seller,
        buyer=buyer,
        origin_site=origin_site,
        destination_site=destination_site,
        grade=check_grade_in_force(grade, valid_from),
        quantity_kg=quantity_kg,
        unit_price=money(unit_price),
        valid_from=valid_from,
        valid_to=valid_to,
        region=county_of(origin_site.region),
        listing=listing,
        supersedes=supersedes,
        created_by=person_or_none(actor),
    )
    check_contract(contract)
    contract.number = number or _contract_number(valid_from.year)
    contract.save()
    record_change(actor=actor, obj=contract, action=ObjectChange.Action.CREATE)
    return contract


def _may_register(actor: Any, origin_site: Site, seller: Enterprise, buyer: Enterprise) -> None:
    if not is_person(actor) or actor.is_superuser or actor.role == ADMIN:
        return
    if actor.role == ENTERPRISE_USER:
        if actor.enterprise_id not in (seller.pk, buyer.pk):
            raise refuse("not_allowed", status=403)
        return
    if (
        actor.role in (COUNTY_OPERATOR, PROVINCE_OFFICE)
        and actor.region is not None
        and origin_site.region.path.startswith(actor.region.path)
    ):
        return
    raise refuse("not_allowed", status=403)


def create_contract(
    *,
    actor: Any,
    seller: Enterprise,
    buyer: Enterprise,
    origin_site: Site,
    destination_site: Site,
    grade: Grade,
    quantity_kg: int,
    unit_price: Decimal,
    valid_from: datetime.date,
    valid_to: datetime.date,
) -> Contract:
    """Register a contract negotiated off the platform, as a draft (a party or the county)."""
    _may_register(actor, origin_site, seller, buyer)
    with transaction.atomic():
        return new_contract(
            actor=actor,
            seller=seller,
            buyer=buyer,
            origin_site=origin_site,
            destination_site=destination_site,
            grade=grade,
            quantity_kg=quantity_kg,
            unit_price=unit_price,
            valid_from=valid_from,
            valid_to=valid_to,
        )


def update_contract(*, actor: Any, contract: Contract, **changes: Any) -> Contract:
    """Change a draft (e.g. after the county returned it); history keeps the before."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        contract = authorise(Contract.objects.select_for_update(), actor, CHANGE, pk=contract.pk)
        if contract.status != ContractStatus.DRAFT:
            raise conflict("contract_not_draft")
        before = snapshot(contract)
        for name, value in changes.items():
            setattr(contract, name, money(value) if name == "unit_price" else value)
        if contract.quantity_kg <= 0:
            raise refuse("quantity_not_positive")
        if contract.valid_to < contract.valid_from:
            raise refuse("validity_reversed")
        contract.grade = check_grade_in_force(contract.grade, contract.valid_from)
        check_contract(contract)
        contract.bump_version()
        contract.save()
        record_change(actor=actor, obj=contract, action=ObjectChange.Action.UPDATE, before=before)
    return contract


def _transition(actor: Any, contract: Contract, before: dict[str, Any], reason: str = "") -> None:
    contract.bump_version()
    contract.save()
    record_change(
        actor=actor, obj=contract, action=ObjectChange.Action.UPDATE, before=before, reason=reason
    )


def _tell_parties(contract: Contract, kind: str, **params: Any) -> None:
    for party in {contract.seller_id: contract.seller, contract.buyer_id: contract.buyer}.values():
        notify(
            kind=kind,
            enterprise=party,
            link=contract.get_absolute_url(),
            params={"contract": contract.number, **params},
        )


def submit_contract(*, actor: Any, contract: Contract) -> Contract:
    """Send a draft to the county for registration."""
    with transaction.atomic():
        contract = authorise(Contract.objects.select_for_update(), actor, CHANGE, pk=contract.pk)
        if contract.status != ContractStatus.DRAFT:
            raise conflict("contract_not_draft")
        check_grade_in_force(contract.grade, contract.valid_from)
        check_contract(contract)
        before = snapshot(contract)
        contract.status = ContractStatus.SUBMITTED
        contract.submitted_at = timezone.now()
        contract.return_note = ""
        _transition(actor, contract, before)
        _tell_parties(contract, NotificationKind.CONTRACT_SUBMITTED)
    return contract


def approve_contract(*, actor: Any, contract: Contract, override_reason: str = "") -> Contract:
    """Register a submitted contract; under the floor only with the province's reasoned override.

    An approved amendment replaces the contract it supersedes, delivered tonnage included.
    """
    override_reason = override_reason.strip()
    with transaction.atomic():
        contract = authorise(
            Contract.objects.select_for_update().select_related("grade", "seller", "buyer"),
            actor,
            APPROVE,
            pk=contract.pk,
        )
        if contract.status != ContractStatus.SUBMITTED:
            raise conflict("contract_not_submitted")
        floor = floor_for(contract.grade, contract.valid_from)
        before = snapshot(contract)
        below = floor is not None and contract.unit_price < floor.floor_yuan
        if below:
            assert floor is not None
            province = (
                not is_person(actor) or actor.is_superuser or actor.role in (PROVINCE_OFFICE, ADMIN)
            )
            if not province:
                raise refuse(
                    "price_below_floor",
                    status=403,
                    price=f"{contract.unit_price:.2f}",
                    floor=f"{floor.floor_yuan:.2f}",
                    grade=contract.grade.code,
                )
            if not override_reason:
                raise refuse("override_needs_reason")
            contract.override_reason = override_reason[:500]
            contract.override_by = person_or_none(actor)
            contract.override_at = timezone.now()
        if contract.supersedes_id:
            _replace(actor, contract)
        contract.floor_price = floor.floor_yuan if floor is not None else None
        contract.status = ContractStatus.APPROVED
        contract.approved_at = timezone.now()
        contract.approved_by = person_or_none(actor)
        _transition(actor, contract, before, reason=contract.override_reason)
        if below:
            assert floor is not None
            hooks.price_below_floor(
                contract=contract, floor_yuan=floor.floor_yuan, actor=actor, reason=override_reason
            )
        _tell_parties(contract, NotificationKind.CONTRACT_APPROVED)
    return contract


def _replace(actor: Any, amendment: Contract) -> None:
    old = Contract.objects.select_for_update().get(pk=amendment.supersedes_id or 0)
    if old.status != ContractStatus.APPROVED:
        raise conflict("contract_not_approved")
    if not within_ceiling(delivered_kg=old.delivered_kg, ceiling_kg=amendment.ceiling_kg):
        raise refuse("contract_undelivered", contract=old.number, tonnes=tonnes(old.delivered_kg))
    before = snapshot(old)
    amendment.delivered_kg = old.delivered_kg
    old.status = ContractStatus.TERMINATED
    _transition(actor, old, before, reason=amendment.number)


def return_contract(*, actor: Any, contract: Contract, note: str) -> Contract:
    """Send a submitted contract back to its parties as a draft, saying why."""
    note = note.strip()
    if not note:
        raise refuse("return_needs_reason")
    with transaction.atomic():
        contract = authorise(Contract.objects.select_for_update(), actor, APPROVE, pk=contract.pk)
        if contract.status != ContractStatus.SUBMITTED:
            raise conflict("contract_not_submitted")
        before = snapshot(contract)
        contract.status = ContractStatus.DRAFT
        contract.return_note = note[:500]
        _transition(actor, contract, before, reason=note)
        _tell_parties(contract, NotificationKind.CONTRACT_RETURNED, note=note[:200])
    return contract


def terminate_contract(*, actor: Any, contract: Contract, reason: str) -> Contract:
    """End a contract early: a party while it is a draft, the county at any time."""
    reason = reason.strip()
    if not reason:
        raise refuse("return_needs_reason")
    with transaction.atomic():
        county = (
            not is_person(actor)
            or Contract.objects.for_user(actor, APPROVE).filter(pk=contract.pk).exists()
        )
        contract = authorise(
            Contract.objects.select_for_update(),
            actor,
            APPROVE if county else CHANGE,
            pk=contract.pk,
        )
        if contract.status in (ContractStatus.COMPLETED, ContractStatus.TERMINATED):
            raise conflict("contract_closed")
        if not county and contract.status != ContractStatus.DRAFT:
            raise conflict("contract_not_draft")
        before = snapshot(contract)
        contract.status = ContractStatus.TERMINATED
        _transition(actor, contract, before, reason=reason)
    return contract


def complete_contract(*, actor: Any, contract: Contract) -> Contract:
    """Close an approved contract whose deliveries are done (the county)."""
    with transaction.atomic():
        contract = authorise(Contract.objects.select_for_update(), actor, APPROVE, pk=contract.pk)
        if contract.status != ContractStatus.APPROVED:
            raise conflict("contract_not_approved")
        before = snapshot(contract)
        contract.status = ContractStatus.COMPLETED
        _transition(actor, contract, before)
    return contract


def amend_contract(*, actor: Any, contract: Contract, **changes: Any) -> Contract:
    """Start a new version of an approved contract (a draft that supersedes it on approval)."""
    unknown = set(changes) - set(EDITABLE) | ({"buyer"} & set(changes))
    if unknown:
        raise ValueError(f"not amendable: {sorted(unknown)}")
    with transaction.atomic():
        contract = authorise(Contract.objects.select_for_update(), actor, CHANGE, pk=contract.pk)
        if contract.status != ContractStatus.APPROVED:
            raise conflict("contract_not_approved")
        root = contract
        while root.supersedes_id:
            root = Contract.objects.get(pk=root.supersedes_id or 0)
        count = Contract.objects.filter(number__startswith=f"{root.number}-A").count()
        values: dict[str, Any] = {name: getattr(contract, name) for name in EDITABLE}
        values.update(changes)
        return new_contract(
            actor=actor,
            seller=contract.seller,
            origin_site=contract.origin_site,
            listing=contract.listing,
            supersedes=contract,
            number=f"{root.number}-A{count + 1}",
            **values,
        )
