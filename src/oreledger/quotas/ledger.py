"""The ledger's mechanics: entry hashes, appending to a locked account, lock order.

Every writer first takes the account's row lock — by the conditional UPDATE that moves a
balance (draws) or by `lock_accounts` (allocations) — and only then reads `entry_count` and
`last_hash` to chain the next entry. The lock serialises each account's chain.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, F, IntegerField, Value, When

from oreledger.quotas.choices import AccountLevel
from oreledger.quotas.models import LedgerEntry, QuotaAccount

_LEVEL_ORDER = {AccountLevel.PROVINCE: 0, AccountLevel.COUNTY: 1, AccountLevel.MINE: 2}


def _instant(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    account_id: int,
    seq: int,
    kind: str,
    amount_kg: int,
    at: datetime.datetime,
    created_at: datetime.datetime,
    actor_name: str,
    reason: str,
    change_id: int | None,
    ref: str,
    reverses_id: int | None,
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical serialisation of the entry's fields and the previous hash."""
    parts = (
        "v1",
        str(account_id),
        str(seq),
        kind,
        str(amount_kg),
        _instant(at),
        _instant(created_at),
        actor_name,
        reason,
        "" if change_id is None else str(change_id),
        ref,
        "" if reverses_id is None else str(reverses_id),
        prev_hash,
    )
    payload = "\x1f".join(part.replace("\x1f", " ") for part in parts)
    return hashlib.sha256(payload.encode()).hexdigest()


def hash_of(entry: LedgerEntry) -> str:
    """The hash an entry should carry, recomputed from its stored fields."""
    return entry_hash(
        account_id=entry.account_id,
        seq=entry.seq,
        kind=entry.kind,
        amount_kg=entry.amount_kg,
        at=entry.at,
        created_at=entry.created_at,
        actor_name=entry.actor_name,
        reason=entry.reason,
        change_id=entry.change_id,
        ref=entry.ref,
        reverses_id=entry.reverses_id,
        prev_hash=entry.prev_hash,
    )


def actor_fields(actor: Any) -> dict[str, Any]:
    """The actor of an entry: a person, or a named system (import, station)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor": actor, "actor_name": actor.get_username()[:150]}
    return {"actor": None, "actor_name": str(actor or "system")[:150]}


def build_entry(
    *,
    account_id: int,
    seq: int,
    prev_hash: str,
    kind: str,
    amount_kg: int,
    at: datetime.datetime,
    created_at: datetime.datetime,
    actor: Any = None,
    reason: str = "",
    change_id: int | None = None,
    ref: str = "",
    reverses_id: int | None = None,
) -> LedgerEntry:
    """An unsaved entry with its chained hash."""
    who = actor_fields(actor)
    entry = LedgerEntry(
        account_id=account_id,
        seq=seq,
        kind=kind,
        amount_kg=amount_kg,
        at=at,
        created_at=created_at,
        reason=reason[:500],
        change_id=change_id,
        ref=ref,
        reverses_id=reverses_id,
        prev_hash=prev_hash,
        **who,
    )
    entry.hash = hash_of(entry)
    return entry


def chain_after_increment(
    account_id: int,
    *,
    kind: str,
    amount_kg: int,
    at: datetime.datetime,
    created_at: datetime.datetime,
    actor: Any = None,
    reason: str = "",
    change_id: int | None = None,
    ref: str = "",
    reverses_id: int | None = None,
) -> tuple[LedgerEntry, Any]:
    """Write the entry of a movement whose UPDATE (entry_count + 1) has just taken the lock.

    Returns the entry and the account's balances after the movement.
    """
    state = (
        QuotaAccount.objects.filter(pk=account_id)
        .values("entry_count", "last_hash", "allocated_kg", "consumed_kg", "tolerance_kg")
        .get()
    )
    entry = build_entry(
        account_id=account_id,
        seq=state["entry_count"],
        prev_hash=state["last_hash"],
        kind=kind,
        amount_kg=amount_kg,
        at=at,
        created_at=created_at,
        actor=actor,
        reason=reason,
        change_id=change_id,
        ref=ref,
        reverses_id=reverses_id,
    )
    entry.save(force_insert=True)
    QuotaAccount.objects.filter(pk=account_id).update(last_hash=entry.hash)
    return entry, state


def move(
    account_id: int,
    *,
    kind: str,
    amount_kg: int,
    field: str,
    at: datetime.datetime,
    created_at: datetime.datetime,
    **entry_fields: Any,
) -> LedgerEntry:
    """Move one balance of an account already locked by the caller, with its entry."""
    QuotaAccount.objects.filter(pk=account_id).update(
        **{field: F(field) + amount_kg, "entry_count": F("entry_count") + 1}
    )
    entry, _state = chain_after_increment(
        account_id, kind=kind, amount_kg=amount_kg, at=at, created_at=created_at, **entry_fields
    )
    return entry


def lock_accounts(ids: Iterable[int]) -> dict[int, QuotaAccount]:
    """Lock accounts in the fixed order (province → county → mine, ascending id); by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    level_order = Case(
        *(When(level=level, then=Value(rank)) for level, rank in _LEVEL_ORDER.items()),
        output_field=IntegerField(),
    )
    rows = (
        QuotaAccount.objects.select_for_update().filter(pk__in=wanted).order_by(level_order, "pk")
    )
    return {row.pk: row for row in rows}
