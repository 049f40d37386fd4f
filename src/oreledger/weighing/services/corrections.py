"""Corrections of tickets: requested by a station's or county's operator, approved by the county.

The ticket is never changed. An approved correction is its own record; when it moves a
released exit to another waybill, the ledgers follow through reversal entries: the quota
draw is reversed and drawn again under the correction's reference, the old contract's
delivery is taken back and the new one's drawn — in one transaction, in the lock order of
the ticket path (waybills by id → quota account → contracts).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from oreledger.core.audit import announce_changes, record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import (
    ADMIN,
    APPROVE,
    COUNTY_OPERATOR,
    ENTERPRISE_USER,
    PROVINCE_OFFICE,
)
from oreledger.quotas.models import LedgerEntry
from oreledger.quotas.services import draw_quota, reverse_draw
from oreledger.registry.identifiers import validate_plate
from oreledger.trade.delivery import deliver_on_contract, undeliver_on_contract
from oreledger.weighing.choices import CorrectionStatus, TicketKind, WaybillStatus
from oreledger.weighing.errors import WeighingError, conflict, not_found
from oreledger.weighing.models import Ticket, TicketCorrection, Waybill


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _in_region(actor: Any, ticket: Ticket) -> bool:
    region = getattr(actor, "region", None)
    return region is not None and ticket.region.path.startswith(region.path)


def may_request(actor: Any, ticket: Ticket) -> bool:
    """The station's enterprise (its weighbridge operators) or a county/province operator."""
    if not _is_person(actor):
        return True
    role = getattr(actor, "role", None)
    if actor.is_superuser or role == ADMIN:
        return True
    if role == ENTERPRISE_USER:
        site = ticket.site
        return site is not None and actor.enterprise_id == site.enterprise_id
    return role in (COUNTY_OPERATOR, PROVINCE_OFFICE) and _in_region(actor, ticket)


def may_decide(actor: Any, ticket: Ticket) -> bool:
    """County or province operators of the ticket's region."""
    if not _is_person(actor):
        return True
    role = getattr(actor, "role", None)
    if actor.is_superuser or role == ADMIN:
        return True
    return role in (COUNTY_OPERATOR, PROVINCE_OFFICE) and _in_region(actor, ticket)


def request_correction(
    *, actor: Any, ticket: Ticket, reason: str, plate: str = "", waybill_number: str = ""
) -> TicketCorrection:
    """File a correction of a ticket's plate and/or waybill; nothing moves until approved."""
    if not may_request(actor, ticket):
        raise not_found()
    reason = (reason or "").strip()
    if not reason:
        raise WeighingError("reason_required", field="reason")
    plate = (plate or "").strip()
    if plate:
        try:
            plate = validate_plate(plate)
        except ValidationError:
            raise WeighingError("plate_invalid", field="plate") from None
    waybill_number = (waybill_number or "").strip()[:40]
    if (not plate or plate == ticket.plate) and (
        not waybill_number or waybill_number == ticket.waybill_number
    ):
        raise WeighingError("correction_no_change")
    try:
        with transaction.atomic():
            correction = TicketCorrection.objects.create(
                ticket=ticket,
                region=ticket.region,
                plate=plate,
                waybill_number=waybill_number,
                reason=reason[:500],
                requested_by=actor if _is_person(actor) else None,
            )
            record_change(
                actor=actor, obj=correction, action=ObjectChange.Action.CREATE, reason=reason
            )
    except IntegrityError:
        raise conflict("correction_pending") from None
    return correction


def reject_correction(*, actor: Any, correction: TicketCorrection, note: str) -> TicketCorrection:
    """Refuse a pending correction; nothing moves."""
    if not (note or "").strip():
        raise WeighingError("reason_required", field="note")
    with transaction.atomic():
        locked, before = _decide(actor, correction)
        locked.status = CorrectionStatus.REJECTED
        return _finish(actor, locked, before, note)


def approve_correction(
    *, actor: Any, correction: TicketCorrection, note: str = ""
) -> TicketCorrection:
    """Approve a pending correction and let the ledgers and waybills follow it."""
    with transaction.atomic():
        locked, before = _decide(actor, correction)
        ticket = Ticket.objects.select_related("site").get(pk=locked.ticket_id)
        if locked.waybill_number and locked.waybill_number != _current_waybill(ticket):
            if ticket.kind == TicketKind.EXIT and ticket.release:
                locked.effects = _move_exit(actor, ticket, locked)
            elif ticket.kind == TicketKind.ENTRY:
                locked.effects = _move_entry(ticket, locked)
        locked.status = CorrectionStatus.APPROVED
        return _finish(actor, locked, before, note)


def _decide(actor: Any, correction: TicketCorrection) -> tuple[TicketCorrection, dict[str, Any]]:
    locked = TicketCorrection.objects.select_for_update().get(pk=correction.pk)
    ticket = Ticket.objects.select_related("region", "site").get(pk=locked.ticket_id)
    if not may_decide(actor, ticket):
        raise WeighingError("not_allowed", status=403)
    if locked.status != CorrectionStatus.PENDING:
        raise conflict("correction_decided")
    if _is_person(actor) and locked.requested_by_id == actor.pk:
        raise WeighingError("self_approval", status=403)
    return locked, snapshot(locked)


def _finish(
    actor: Any, locked: TicketCorrection, before: dict[str, Any], note: str
) -> TicketCorrection:
    locked.decided_by = actor if _is_person(actor) else None
    locked.decided_at = timezone.now()
    locked.decision_note = (note or "")[:500]
    locked.bump_version()
    locked.save()
    record_change(
        actor=actor, obj=locked, action=ObjectChange.Action.UPDATE, before=before, reason=note
    )
    return locked


def _latest_effects(ticket: Ticket) -> dict[str, Any]:
    latest = (
        TicketCorrection.objects.filter(ticket=ticket, status=CorrectionStatus.APPROVED)
        .exclude(effects={})
        .order_by("-decided_at", "-pk")
        .first()
    )
    return latest.effects if latest else {}


def _current_waybill(ticket: Ticket) -> str:
    """The waybill the ticket counts against now (after earlier approved corrections)."""
    effects = _latest_effects(ticket)
    return str(effects.get("to_waybill") or ticket.waybill_number)


def _move_exit(actor: Any, ticket: Ticket, correction: TicketCorrection) -> dict[str, Any]:
    effects = _latest_effects(ticket)
    old_id: int | None = effects.get("to_waybill_id", ticket.waybill_id)
    entry_id = effects.get("new_entry_id", ticket.quota_entry_id)
    contract_id = effects.get("to_contract_id", ticket.contract_id)
    assert entry_id is not None and contract_id is not None  # a released exit drew both
    new = Waybill.objects.filter(number=correction.waybill_number).first()
    if new is None:
        raise WeighingError(
            "waybill_unknown", field="waybill_number", value=correction.waybill_number
        )
    # Lock 2 (waybills by id), as on the ticket path.
    ids = sorted(i for i in {old_id, new.pk} if i)
    waybills = {
        w.pk: w for w in Waybill.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    new = waybills[new.pk]
    plate = correction.plate or ticket.plate
    if (
        new.origin_site_id != ticket.site_id
        or new.status != WaybillStatus.ISSUED
        or new.plate != plate
    ):
        raise WeighingError("waybill_mismatch", field="waybill_number", value=new.number)
    # Lock 3: the quota account — reversal, then the draw under the correction's reference.
    entry = LedgerEntry.objects.select_related("account").get(pk=entry_id)
    reversal = reverse_draw(actor=actor, entry=entry, reason=correction.reason)
    drawn = draw_quota(
        account=entry.account,
        amount_kg=ticket.net_kg,
        ref=f"correction:{correction.pk}",
        at=ticket.gross_at,
        actor=actor,
    )
    if not drawn.ok or drawn.entry is None:
        raise WeighingError("contract_exceeded", value=new.number)
    # The quota's draws write no outbox rows of their own (the ticket path batches them).
    announce_changes([reversal, drawn.entry], ObjectChange.Action.CREATE)
    # Lock 4: contracts, old before new by id.
    for cid in sorted({contract_id, new.contract_id}):
        if cid == contract_id:
            undeliver_on_contract(contract_id=contract_id, net_kg=ticket.net_kg)
        if cid == new.contract_id and not deliver_on_contract(
            contract_id=new.contract_id, net_kg=ticket.net_kg
        ):
            raise WeighingError("contract_exceeded", value=new.number)
    now = timezone.now()
    if old_id:
        Waybill.objects.filter(pk=old_id, exit_ticket=ticket).update(
            status=WaybillStatus.VOID,
            exit_ticket=None,
            departed_at=None,
            exit_net_kg=None,
            void_reason=f"correction #{correction.pk}",
            version=F("version") + 1,
            updated_at=now,
        )
    Waybill.objects.filter(pk=new.pk).update(
        status=WaybillStatus.DEPARTED,
        exit_ticket=ticket,
        departed_at=ticket.gross_at,
        exit_net_kg=ticket.net_kg,
        version=F("version") + 1,
        updated_at=now,
    )
    return {
        "from_waybill_id": old_id,
        "to_waybill_id": new.pk,
        "to_waybill": new.number,
        "reversed_entry_id": entry.pk,
        "reversal_entry_id": reversal.pk,
        "new_entry_id": drawn.entry.pk,
        "from_contract_id": contract_id,
        "to_contract_id": new.contract_id,
    }


def _move_entry(ticket: Ticket, correction: TicketCorrection) -> dict[str, Any]:
    effects = _latest_effects(ticket)
    old_id: int | None = effects.get("to_waybill_id", ticket.waybill_id)
    new = Waybill.objects.filter(number=correction.waybill_number).first()
    if new is None:
        raise WeighingError(
            "waybill_unknown", field="waybill_number", value=correction.waybill_number
        )
    ids = sorted(i for i in {old_id, new.pk} if i)
    waybills = {
        w.pk: w for w in Waybill.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    new = waybills[new.pk]
    if new.destination_site_id != ticket.site_id or new.status != WaybillStatus.DEPARTED:
        raise WeighingError("waybill_mismatch", field="waybill_number", value=new.number)
    now = timezone.now()
    if old_id:
        old = waybills[old_id]
        back = WaybillStatus.DEPARTED if old.exit_ticket_id else WaybillStatus.ISSUED
        Waybill.objects.filter(pk=old_id, entry_ticket=ticket).update(
            status=back,
            entry_ticket=None,
            arrived_at=None,
            entry_net_kg=None,
            discrepancy_kg=None,
            version=F("version") + 1,
            updated_at=now,
        )
    assert new.exit_net_kg is not None
    discrepancy = ticket.net_kg - new.exit_net_kg
    Waybill.objects.filter(pk=new.pk).update(
        status=WaybillStatus.CLOSED,
        entry_ticket=ticket,
        arrived_at=ticket.gross_at,
        entry_net_kg=ticket.net_kg,
        discrepancy_kg=discrepancy,
        version=F("version") + 1,
        updated_at=now,
    )
    return {
        "from_waybill_id": old_id,
        "to_waybill_id": new.pk,
        "to_waybill": new.number,
        "discrepancy_kg": discrepancy,
    }


def corrections_for_approval(user: Any) -> Any:
    """Pending corrections the user may decide."""
    return TicketCorrection.objects.for_user(user, APPROVE).filter(status=CorrectionStatus.PENDING)
