"""Draws on a mine's quota (the weighing hot path) and their reversal."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from oreledger.quotas.choices import (
    EntryKind,
)
from oreledger.quotas.errors import refuse
from oreledger.quotas.ledger import (
    chain_after_increment,
    take_consumption,
)
from oreledger.quotas.models import (
    LedgerEntry,
    QuotaAccount,
)

# docs/reference/rules.md quota_warning: the shares of the allocation that raise a warning.
WARNING_THRESHOLDS = (80, 90, 100)


@dataclass(frozen=True)
class DrawResult:
    """The outcome of a draw: whether it was taken, what remains, which warnings it crossed."""

    ok: bool
    remaining_kg: int
    thresholds_crossed: list[int] = field(default_factory=list)
    entry: LedgerEntry | None = None
    # "quota_exhausted" or "quota_frozen" when refused; empty when taken.
    code: str = ""
    # True when `ref` had been drawn already: nothing was drawn again.
    duplicate: bool = False
    # The account's allocation the draw was decided against (evidence for alerts).
    allocated_kg: int | None = None


def draw_quota(
    *,
    account: QuotaAccount,
    amount_kg: int,
    ref: str,
    at: datetime.datetime,
    actor: Any = None,
    thresholds: Sequence[int] = WARNING_THRESHOLDS,
) -> DrawResult:
    """Draw `amount_kg` from a mine's account, in the caller's transaction if there is one.

    One conditional UPDATE takes the row lock and moves the balance only if the account is
    not frozen and the draw fits within allocated + tolerance (`ledger.take_consumption`); it
    is atomic on its own. A resent `ref` returns the first draw (duplicate=True) and draws
    nothing. The caller outboxes the entry (the ticket path with its ticket, in bulk).
    """
    if amount_kg <= 0:
        raise refuse("amount_not_positive")
    db = connections[DEFAULT_DB_ALIAS]
    postgresql = db.vendor == "postgresql"
    try:
        # One statement on PostgreSQL is atomic by itself; SQLite's two need a transaction.
        with nullcontext() if postgresql else transaction.atomic():
            taken = take_consumption(
                account.pk,
                amount_kg=amount_kg,
                ref=ref,
                at=at,
                created_at=timezone.now(),
                actor=actor if actor is not None else "station",
            )
    except IntegrityError:
        # The same ref drawn concurrently by another transaction: its draw stands. Inside a
        # caller's PostgreSQL transaction the failed statement has aborted that transaction,
        # which must then be retried as a whole (weighing's refs are unique per ticket).
        if postgresql and db.in_atomic_block:
            raise
        taken = None
    if taken is None:
        # Refused, unless this ref was drawn before (a resent ticket is not a new draw).
        earlier = _consumption(account.pk, ref)
        if earlier is not None:
            return _duplicate(earlier)
        state = QuotaAccount.objects.values("allocated_kg", "consumed_kg", "frozen_at").get(
            pk=account.pk
        )
        return DrawResult(
            ok=False,
            remaining_kg=state["allocated_kg"] - state["consumed_kg"],
            code="quota_frozen" if state["frozen_at"] is not None else "quota_exhausted",
            allocated_kg=state["allocated_kg"],
        )
    allocated, consumed = taken.allocated_kg, taken.consumed_kg
    return DrawResult(
        ok=True,
        remaining_kg=allocated - consumed,
        thresholds_crossed=crossed(consumed - amount_kg, consumed, allocated, thresholds),
        entry=taken.entry,
        allocated_kg=allocated,
    )


def _consumption(account_id: int, ref: str) -> LedgerEntry | None:
    return (
        LedgerEntry.objects.filter(account_id=account_id, kind=EntryKind.CONSUME, ref=ref)
        .order_by()
        .first()
    )


def _duplicate(entry: LedgerEntry) -> DrawResult:
    state = QuotaAccount.objects.values("allocated_kg", "consumed_kg").get(pk=entry.account_id)
    return DrawResult(
        ok=True,
        remaining_kg=state["allocated_kg"] - state["consumed_kg"],
        entry=entry,
        duplicate=True,
    )


def crossed(before: int, after: int, allocated: int, thresholds: Sequence[int]) -> list[int]:
    """The warning thresholds (percent of allocated) passed going from before to after."""
    if allocated <= 0:
        return list(thresholds) if before <= 0 < after else []
    return [t for t in thresholds if before * 100 < t * allocated <= after * 100]


def reverse_draw(
    *, actor: Any, entry: LedgerEntry, reason: str, at: datetime.datetime | None = None
) -> LedgerEntry:
    """Give back a consumption (a corrected or voided ticket), inside the caller's transaction;
    the caller outboxes the reversal (`core.audit.announce_changes`)."""
    if entry.kind != EntryKind.CONSUME:
        raise refuse("not_a_consumption")
    if not reason.strip():
        raise refuse("reason_required")
    now = timezone.now()
    try:
        with transaction.atomic():
            QuotaAccount.objects.filter(pk=entry.account_id).update(
                consumed_kg=F("consumed_kg") - entry.amount_kg, entry_count=F("entry_count") + 1
            )
            reversal, _state = chain_after_increment(
                entry.account_id,
                kind=EntryKind.REVERSE,
                amount_kg=-entry.amount_kg,
                at=at or now,
                created_at=now,
                actor=actor,
                reason=reason,
                ref=entry.ref,
                reverses_id=entry.pk,
            )
    except IntegrityError:
        raise refuse("already_reversed") from None
    return reversal
