"""Waybills: issued by the seller against an approved contract, one truck and one trip."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from oreledger.accounts.models import Region
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import (
    ADMIN,
    COUNTY_OPERATOR,
    ENTERPRISE_USER,
    PROVINCE_OFFICE,
)
from oreledger.registry.choices import VehicleStatus
from oreledger.registry.identifiers import validate_plate
from oreledger.registry.models import Vehicle, VehicleBlacklisting
from oreledger.registry.queries import federated, is_blacklisted
from oreledger.trade.choices import ContractStatus
from oreledger.trade.models import Contract
from oreledger.weighing.choices import WaybillStatus
from oreledger.weighing.errors import WeighingError
from oreledger.weighing.models import Waybill

MAX_VALID_HOURS = 72
_ISSUERS = {COUNTY_OPERATOR, PROVINCE_OFFICE, ENTERPRISE_USER}


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _may_issue(actor: Any, contract: Contract) -> bool:
    """The seller's enterprise users; government issuers within the contract's region."""
    if not _is_person(actor):
        return True
    role = getattr(actor, "role", None)
    if actor.is_superuser or role == ADMIN:
        return True
    if role == ENTERPRISE_USER:
        return bool(actor.enterprise_id) and actor.enterprise_id == contract.seller_id
    region = getattr(actor, "region", None)
    return role in _ISSUERS and region is not None and contract.region.path.startswith(region.path)


def may_issue_waybills(actor: Any) -> bool:
    """Whether the person's role issues waybills at all (the form, its button, its search)."""
    if not _is_person(actor) or not actor.is_active:
        return False
    return bool(actor.is_superuser or actor.role == ADMIN or actor.role in _ISSUERS)


def issuable_contracts(actor: Any, today: datetime.date | None = None) -> QuerySet[Contract]:
    """The contracts a person may issue waybills against today: approved, valid today, with
    tonnes left to deliver, and theirs to issue (the rule of `_may_issue`, as a query)."""
    today = today or timezone.localdate()
    contracts = Contract.objects.filter(
        status=ContractStatus.APPROVED,
        valid_from__lte=today,
        valid_to__gte=today,
        delivered_kg__lt=F("quantity_kg"),
    )
    if not _is_person(actor):
        return contracts.none()
    role = getattr(actor, "role", None)
    if actor.is_superuser or role == ADMIN:
        return contracts
    if role == ENTERPRISE_USER:
        if not actor.enterprise_id:
            return contracts.none()
        return contracts.filter(seller_id=actor.enterprise_id)
    region = getattr(actor, "region", None)
    if role in _ISSUERS and region is not None:
        return contracts.filter(region__path__startswith=region.path)
    return contracts.none()


def _home_region(actor: Any) -> Region | None:
    region = getattr(actor, "region", None)
    if region is None and getattr(actor, "enterprise_id", None):
        region = actor.enterprise.region
    return region


def registered_vehicles(actor: Any) -> QuerySet[Vehicle]:
    """The trucks a person may put on a waybill: registered (not blacklisted) in their
    province — hauliers carry for any mine, so a mine's issuer sees every registered truck."""
    vehicles = Vehicle.objects.filter(status=VehicleStatus.REGISTERED)
    if federated():
        barred = VehicleBlacklisting.objects.filter(in_force=True).values("plate")
        vehicles = vehicles.exclude(plate__in=barred)
    if not _is_person(actor):
        return vehicles.none()
    if actor.is_superuser or getattr(actor, "role", None) == ADMIN:
        return vehicles
    region = _home_region(actor)
    if region is None:
        return vehicles.none()
    province = "/" + region.path.strip("/").split("/")[0] + "/"
    return vehicles.filter(owner__region__path__startswith=province)


def _contract(value: Contract | str) -> Contract | None:
    if isinstance(value, Contract):
        return value
    return (
        Contract.objects.select_related("region", "origin_site", "destination_site")
        .filter(number=str(value or "").strip())
        .first()
    )


def new_waybill_number(day: datetime.date) -> str:
    """ "WB" + local date + 6 random digits (retried on the rare collision)."""
    return f"WB{day:%Y%m%d}{secrets.randbelow(1_000_000):06d}"


def issue_waybill(
    *,
    actor: Any,
    contract: Contract | str,
    plate: str,
    planned_net_kg: int,
    valid_hours: int = 24,
    now: datetime.datetime | None = None,
) -> Waybill:
    """Issue a waybill for one plate against an approved contract valid today."""
    now = now or timezone.now()
    role = getattr(actor, "role", None)
    if _is_person(actor) and not (actor.is_superuser or role == ADMIN or role in _ISSUERS):
        raise WeighingError("not_allowed", status=403)
    found = _contract(contract)
    if found is None or not _may_issue(actor, found):
        raise WeighingError("contract_unknown", field="contract", value=str(contract))
    today = timezone.localtime(now).date()
    if found.status != "approved":
        raise WeighingError("contract_not_approved", field="contract")
    if not found.is_valid_on(today):
        raise WeighingError("contract_not_valid_today", field="contract")
    try:
        plate = validate_plate(plate)
    except ValidationError:
        raise WeighingError("plate_invalid", field="plate") from None
    if is_blacklisted(plate):
        raise WeighingError("vehicle_blacklisted", field="plate", value=plate)
    if isinstance(planned_net_kg, bool) or not isinstance(planned_net_kg, int):
        raise WeighingError("planned_net_range", field="planned_net_kg")
    if not 0 < planned_net_kg <= 100_000:
        raise WeighingError("planned_net_range", field="planned_net_kg")
    if isinstance(valid_hours, bool) or not isinstance(valid_hours, int):
        raise WeighingError("valid_hours_range", field="valid_hours")
    if not 1 <= valid_hours <= MAX_VALID_HOURS:
        raise WeighingError("valid_hours_range", field="valid_hours")
    with transaction.atomic():
        # An open waybill past its expiry no longer holds the plate (the job may lag).
        Waybill.objects.filter(plate=plate, origin_site=found.origin_site).expire_lapsed(now)
        for _attempt in range(8):
            waybill = Waybill(
                number=new_waybill_number(today),
                contract=found,
                seller_id=found.seller_id,
                buyer_id=found.buyer_id,
                origin_site=found.origin_site,
                destination_site=found.destination_site,
                region_id=found.origin_site.region_id,
                plate=plate,
                planned_net_kg=planned_net_kg,
                issued_at=now,
                expires_at=now + datetime.timedelta(hours=valid_hours),
                issued_by=actor if _is_person(actor) else None,
            )
            # The one-open-waybill-per-plate constraint decides, not a read before the insert
            # (one query less per waybill, and no race between the read and the insert).
            try:
                with transaction.atomic():
                    waybill.save(force_insert=True)
            except IntegrityError:
                if Waybill.objects.filter(
                    plate=plate, origin_site=found.origin_site, status=WaybillStatus.ISSUED
                ).exists():
                    raise WeighingError(
                        "waybill_open", status=409, field="plate", value=plate
                    ) from None
                continue  # a number collision: draw another number
            record_change(actor=actor, obj=waybill, action=ObjectChange.Action.CREATE)
            return waybill
    raise WeighingError("waybill_open", status=409, field="plate", value=plate)


def void_waybill(*, actor: Any, waybill: Waybill, reason: str) -> Waybill:
    """Cancel an issued, unused waybill (the truck will not travel)."""
    reason = (reason or "").strip()
    if not reason:
        raise WeighingError("reason_required", field="reason")
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        if locked.status != WaybillStatus.ISSUED:
            raise WeighingError("waybill_not_open", status=409)
        before = snapshot(locked)
        locked.status = WaybillStatus.VOID
        locked.void_reason = reason[:300]
        locked.bump_version()
        locked.save(update_fields=["status", "void_reason", "version", "updated_at"])
        record_change(
            actor=actor,
            obj=locked,
            action=ObjectChange.Action.UPDATE,
            before=before,
            reason=reason,
        )
    return locked
