"""Transfers between sibling mines and adjustments: requested, then approved or rejected."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oreledger.core.audit import announce_changes, record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import APPROVE, CHANGE
from oreledger.quotas.choices import (
    AccountLevel,
    ChangeKind,
    ChangeStatus,
    EntryKind,
)
from oreledger.quotas.errors import refuse, tonnes
from oreledger.quotas.ledger import (
    lock_accounts,
    move,
)
from oreledger.quotas.models import (
    QuotaAccount,
    QuotaChange,
    within_allocation,
)
from oreledger.quotas.services._common import authorise, is_person
from oreledger.quotas.services.freezes import refuse_frozen


def request_transfer(
    *, actor: Any, source: QuotaAccount, target: QuotaAccount, amount_kg: int, reason: str
) -> QuotaChange:
    """Ask to move quota from one mine to another of the same county (capacity replacement)."""
    if amount_kg <= 0:
        raise refuse("amount_not_positive")
    if source.pk == target.pk:
        raise refuse("transfer_same_account")
    if (
        source.level != AccountLevel.MINE
        or target.level != AccountLevel.MINE
        or source.parent_id != target.parent_id
    ):
        raise refuse("transfer_not_siblings")
    if not reason.strip():
        raise refuse("reason_required")
    refuse_frozen(source, target)
    assert source.parent is not None
    authorise(actor, source.parent, CHANGE)
    if not within_allocation(
        allocated_kg=source.allocated_kg - amount_kg,
        consumed_kg=source.consumed_kg,
        tolerance_kg=source.tolerance_kg,
    ):
        raise refuse("below_consumption", consumed=tonnes(source.consumed_kg))
    return _create_change(
        actor, kind=ChangeKind.TRANSFER, account=target, source=source, amount=amount_kg, why=reason
    )


def request_adjustment(
    *, actor: Any, account: QuotaAccount, amount_kg: int, reason: str
) -> QuotaChange:
    """Ask to correct an account's allocation by a signed amount, with a reason."""
    if amount_kg == 0:
        raise refuse("amount_not_positive")
    if not reason.strip():
        raise refuse("reason_required")
    refuse_frozen(account)
    authorise(actor, account.parent or account, CHANGE)
    return _create_change(
        actor, kind=ChangeKind.ADJUST, account=account, source=None, amount=amount_kg, why=reason
    )


def _create_change(
    actor: Any,
    *,
    kind: str,
    account: QuotaAccount,
    source: QuotaAccount | None,
    amount: int,
    why: str,
) -> QuotaChange:
    with transaction.atomic():
        change = QuotaChange.objects.create(
            kind=kind,
            account=account,
            source=source,
            amount_kg=amount,
            reason=why[:500],
            requested_by=actor if is_person(actor) else None,
        )
        record_change(actor=actor, obj=change, action=ObjectChange.Action.CREATE, reason=why)
    return change


def _decide(actor: Any, change: QuotaChange, status: str, note: str) -> None:
    authority = change.account.parent or change.account
    authorise(actor, authority, APPROVE)
    if is_person(actor) and change.requested_by_id == actor.pk:
        raise refuse("self_approval")
    decided = QuotaChange.objects.filter(pk=change.pk, status=ChangeStatus.PENDING).update(
        status=status,
        decided_by=actor if is_person(actor) else None,
        decided_at=timezone.now(),
        decision_note=note[:500],
    )
    if not decided:
        raise refuse("change_decided")


def approve_change(*, actor: Any, change: QuotaChange, note: str = "") -> QuotaChange:
    """Approve a pending transfer or adjustment and write its entries."""
    now = timezone.now()
    with transaction.atomic():
        before = snapshot(change)
        _decide(actor, change, ChangeStatus.APPROVED, note)
        account = change.account
        ids = [account.pk] + [i for i in (change.source_id, account.parent_id) if i]
        locked = lock_accounts(ids)
        # Frozen since the request: a shut-down decision came first and stands.
        refuse_frozen(*(locked[i] for i in ids if locked[i].level == AccountLevel.MINE))
        entry_fields = {"actor": actor, "reason": change.reason, "change_id": change.pk}
        target = locked[account.pk]
        entries = []
        if change.kind == ChangeKind.TRANSFER:
            assert change.source_id is not None
            source = locked[change.source_id]
            if not within_allocation(
                allocated_kg=source.allocated_kg - change.amount_kg,
                consumed_kg=source.consumed_kg,
                tolerance_kg=source.tolerance_kg,
            ):
                raise refuse("below_consumption", consumed=tonnes(source.consumed_kg))
            for account_id, amount in sorted(
                [(source.pk, -change.amount_kg), (target.pk, change.amount_kg)]
            ):
                entry = move(
                    account_id,
                    kind=EntryKind.TRANSFER,
                    amount_kg=amount,
                    field="allocated_kg",
                    at=now,
                    created_at=now,
                    **entry_fields,
                )
                entries.append(entry)
        else:
            new = target.allocated_kg + change.amount_kg
            if new < 0:
                raise refuse("amount_negative")
            if new < target.allocated_to_children_kg:
                raise refuse(
                    "below_children_allocation", allocated=tonnes(target.allocated_to_children_kg)
                )
            if not within_allocation(
                allocated_kg=new, consumed_kg=target.consumed_kg, tolerance_kg=target.tolerance_kg
            ):
                raise refuse("below_consumption", consumed=tonnes(target.consumed_kg))
            if account.parent_id:
                head = locked[account.parent_id]
                requested = head.allocated_to_children_kg + change.amount_kg
                if requested > head.allocated_kg:
                    raise refuse(
                        "over_parent_allocation",
                        requested=tonnes(requested),
                        parent=head.holder_label,
                        available=tonnes(head.allocated_kg),
                    )
                QuotaAccount.objects.filter(pk=head.pk).update(
                    allocated_to_children_kg=F("allocated_to_children_kg") + change.amount_kg
                )
            entries.append(
                move(
                    target.pk,
                    kind=EntryKind.ADJUST,
                    amount_kg=change.amount_kg,
                    field="allocated_kg",
                    at=now,
                    created_at=now,
                    **entry_fields,
                )
            )
        # The entries federate (their approval, a local record, does not travel).
        announce_changes(entries, ObjectChange.Action.CREATE)
        change.refresh_from_db()
        record_change(actor=actor, obj=change, action=ObjectChange.Action.UPDATE, before=before)
    return change


def reject_change(*, actor: Any, change: QuotaChange, note: str) -> QuotaChange:
    """Refuse a pending transfer or adjustment; nothing moves."""
    if not note.strip():
        raise refuse("reason_required")
    with transaction.atomic():
        before = snapshot(change)
        _decide(actor, change, ChangeStatus.REJECTED, note)
        change.refresh_from_db()
        record_change(actor=actor, obj=change, action=ObjectChange.Action.UPDATE, before=before)
    return change
