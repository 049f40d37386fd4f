"""The ledger's mechanics: entry hashes, appending to a locked account, lock order.

Every writer first takes the account's row lock — by the conditional UPDATE that moves a
balance (draws) or by `lock_accounts` (allocations) — and only then reads `entry_count` and
`last_hash` to chain the next entry. The lock serialises each account's chain.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BigIntegerField, Count, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from oreledger.core.prepared import any_of, columns, every_field, for_update, load, run
from oreledger.quotas.choices import (
    ALLOCATION_KINDS,
    CONSUMPTION_KINDS,
    AccountLevel,
    EntryKind,
)
from oreledger.quotas.models import DRAW_ALLOWED, LedgerEntry, QuotaAccount

_LEVEL_ORDER = {AccountLevel.PROVINCE: 0, AccountLevel.COUNTY: 1, AccountLevel.MINE: 2}
_UUID_FIELD = LedgerEntry._meta.get_field("uuid")


def _instant(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


_SEP = "\x1f"


@functools.lru_cache(maxsize=4)
def _derived_key(material: str) -> bytes:
    # Kept per key material (tests change it); domain-separated from the checkpoints' use.
    return hashlib.sha256(b"oreledger quota ledger\x00" + material.encode()).digest()


def ledger_key() -> bytes:
    """The entries' HMAC key, derived from OL_LEDGER_KEY (never stored in the database)."""
    return _derived_key(settings.OL_LEDGER_KEY)


def hmac_pads() -> tuple[bytes, bytes]:
    """(inner, outer): the key XOR ipad and XOR opad, so SQL can compute the HMAC as
    sha256(outer || sha256(inner || payload)) — RFC 2104 with a 64-byte block."""
    block = ledger_key().ljust(64, b"\x00")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def sqlite_hmac(payload: str | None) -> str | None:
    """OL_LEDGER_HMAC(text) on SQLite: the keyed hash of a payload (registered per connection)."""
    if payload is None:
        return None
    return hmac.new(ledger_key(), payload.encode(), hashlib.sha256).hexdigest()


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give each new SQLite connection the ledger's keyed hash (connection_created)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("OL_LEDGER_HMAC", 1, sqlite_hmac, deterministic=True)


def _parts(
    *,
    keyed: bool = True,
    account_id: int,
    seq: int | str,
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
) -> list[str]:
    parts = (
        "v2" if keyed else "v1",
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
    return [part.replace(_SEP, " ") for part in parts]


def entry_hash(*, keyed: bool = True, **fields: Any) -> str:
    """HMAC-SHA256 (under the ledger key) over a canonical serialisation of the entry's fields
    and the previous hash; plain SHA-256 for the entries written before the ledger was keyed."""
    payload = _SEP.join(_parts(keyed=keyed, **fields)).encode()
    if keyed:
        return hmac.new(ledger_key(), payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def hash_around(**fields: Any) -> tuple[str, str]:
    """(before, between): the payload is before + seq + between + prev_hash.

    For the database to chain an entry whose seq and prev_hash only the locked row knows.
    """
    parts = _parts(**fields, seq="", prev_hash="")
    return _SEP.join(parts[:2]) + _SEP, _SEP + _SEP.join(parts[3:-1]) + _SEP


def hash_of(entry: LedgerEntry) -> str:
    """The hash an entry should carry, recomputed from its stored fields."""
    return entry_hash(
        keyed=entry.keyed,
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
    owner_node: str,
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
    """An unsaved entry with its chained hash (owned, as its account, by `owner_node`)."""
    who = actor_fields(actor)
    entry = LedgerEntry(
        account_id=account_id,
        owner_node=owner_node,
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
        keyed=True,
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
        .values(
            "entry_count",
            "last_hash",
            "allocated_kg",
            "consumed_kg",
            "tolerance_kg",
            "owner_node",
        )
        .get()
    )
    entry = build_entry(
        account_id=account_id,
        owner_node=state["owner_node"],
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
    QuotaAccount.objects.filter(pk=account_id).update(
        prev_hash=entry.prev_hash, last_hash=entry.hash
    )
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


def _entries_sum(kinds: Iterable[str]) -> Coalesce:
    of_account = LedgerEntry.objects.filter(account=OuterRef("pk"), kind__in=list(kinds))
    total = of_account.order_by().values("account").annotate(total=Sum("amount_kg"))
    return Coalesce(Subquery(total.values("total"), output_field=BigIntegerField()), Value(0))


def _head(column: str) -> Coalesce:
    newest = LedgerEntry.objects.filter(account=OuterRef("pk")).order_by("-seq")
    return Coalesce(Subquery(newest.values(column)[:1]), Value(""))


# Accounts per statement (an id list well under SQLite's parameter limit).
_RECOMPUTED_AT_ONCE = 500


def recompute_balances(account_ids: Iterable[int]) -> None:
    """Set the accounts' balances and chain heads to what their entries say, then what each of
    them and their parents passed on to what their children hold (set-based: two UPDATEs per
    500 accounts). For accounts whose entries arrived from another platform: the entries are
    the record, the balances only their sums (`quotas.integrity` checks the same sums)."""
    ids = sorted(set(account_ids))
    counted = LedgerEntry.objects.filter(account=OuterRef("pk")).order_by().values("account")
    for start in range(0, len(ids), _RECOMPUTED_AT_ONCE):
        QuotaAccount.objects.filter(pk__in=ids[start : start + _RECOMPUTED_AT_ONCE]).update(
            allocated_kg=_entries_sum(ALLOCATION_KINDS),
            consumed_kg=_entries_sum(CONSUMPTION_KINDS),
            entry_count=Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), Value(0)),
            last_hash=_head("hash"),
            prev_hash=_head("prev_hash"),
        )
    parents = set(
        QuotaAccount.objects.filter(pk__in=ids, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    # After the balances: a parent's total reads its children's new allocations.
    given = QuotaAccount.objects.filter(parent=OuterRef("pk")).order_by().values("parent")
    total = given.annotate(total=Sum("allocated_kg")).values("total")
    wanted = sorted(parents | set(ids))
    for start in range(0, len(wanted), _RECOMPUTED_AT_ONCE):
        QuotaAccount.objects.filter(pk__in=wanted[start : start + _RECOMPUTED_AT_ONCE]).update(
            allocated_to_children_kg=Coalesce(
                Subquery(total, output_field=BigIntegerField()), Value(0)
            )
        )


def lock_accounts(ids: Iterable[int]) -> dict[int, QuotaAccount]:
    """Lock accounts in the fixed order (province → county → mine, ascending id); by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    names = every_field(QuotaAccount)
    where, params = any_of("id", wanted)
    sql = (
        f"SELECT {columns(QuotaAccount, names)} FROM quotas_quotaaccount"  # noqa: S608
        f" WHERE {where} ORDER BY {_LEVEL_RANK}, id{for_update()}"
    )
    return {row.pk: row for row in load(QuotaAccount, names, run(sql, params).rows)}


_LEVEL_RANK = (
    "CASE level "
    + " ".join(f"WHEN '{level.value}' THEN {rank}" for level, rank in _LEVEL_ORDER.items())
    + " END"
)


# A draw is one statement, so on its own it is one transaction (as cheap as the bare UPDATE
# allows) and inside a caller's transaction it is one round trip. The conditional UPDATE takes
# the row lock, moves the balance only if the draw fits and the ref was never consumed, and
# chains in SQL: SET clauses see the row as it was, so `prev_hash` receives the old head and
# `last_hash` the new entry's hash — sha256(before || seq || between || old head), the payload
# of `entry_hash`. A concurrent draw of the same ref that the snapshot could not see fails on
# the unique (account, ref) index and the whole statement with it.
_STATEMENTS = {
    # PostgreSQL: the entry is inserted from the UPDATE's RETURNING (a data-modifying CTE).
    "postgresql": (
        # The only interpolation is models.DRAW_ALLOWED, a constant.
        "WITH drawn AS ("  # noqa: S608
        " UPDATE quotas_quotaaccount SET consumed_kg = consumed_kg + %(amount)s,"
        " entry_count = entry_count + 1, prev_hash = last_hash,"
        " last_hash = encode(sha256(%(outer)s || sha256(%(inner)s ||"
        " convert_to(%(before)s || CAST(entry_count + 1 AS TEXT) || %(between)s || last_hash,"
        " 'UTF8'))), 'hex')"
        f" WHERE id = %(account)s AND {DRAW_ALLOWED}"
        " AND NOT EXISTS (SELECT 1 FROM quotas_ledgerentry WHERE account_id = %(account)s"
        " AND kind = 'consume' AND ref = %(ref)s)"
        " RETURNING entry_count, prev_hash, last_hash, allocated_kg, consumed_kg, owner_node)"
        " INSERT INTO quotas_ledgerentry (account_id, seq, kind, amount_kg, at, created_at,"
        " actor_id, actor_name, reason, change_id, ref, reverses_id, prev_hash, hash, keyed,"
        " uuid, owner_node, version)"
        " SELECT %(account)s, entry_count, 'consume', %(amount)s, %(at)s, %(created_at)s,"
        " %(actor_id)s, %(actor_name)s, '', NULL, %(ref)s, NULL, prev_hash, last_hash, TRUE,"
        " %(uuid)s, owner_node, 1"
        " FROM drawn RETURNING id, seq, prev_hash, hash,"
        " (SELECT allocated_kg FROM drawn), (SELECT consumed_kg FROM drawn), owner_node",
    ),
    # SQLite has no data-modifying CTE: two statements in the caller's transaction. The
    # quotas app registers OL_LEDGER_HMAC(text) -> hex digest on every SQLite connection.
    "sqlite": (
        # The only interpolation is models.DRAW_ALLOWED, a constant.
        "UPDATE quotas_quotaaccount SET consumed_kg = consumed_kg + %(amount)s,"  # noqa: S608
        " entry_count = entry_count + 1, prev_hash = last_hash, last_hash = OL_LEDGER_HMAC("
        "%(before)s || CAST(entry_count + 1 AS TEXT) || %(between)s || last_hash)"
        f" WHERE id = %(account)s AND {DRAW_ALLOWED}"
        " AND NOT EXISTS (SELECT 1 FROM quotas_ledgerentry WHERE account_id = %(account)s"
        " AND kind = 'consume' AND ref = %(ref)s)"
        " RETURNING entry_count, prev_hash, last_hash, allocated_kg, consumed_kg, owner_node",
        "INSERT INTO quotas_ledgerentry (account_id, seq, kind, amount_kg, at, created_at,"
        " actor_id, actor_name, reason, change_id, ref, reverses_id, prev_hash, hash, keyed,"
        " uuid, owner_node, version)"
        " VALUES (%(account)s, %(seq)s, 'consume', %(amount)s, %(at)s, %(created_at)s,"
        " %(actor_id)s, %(actor_name)s, '', NULL, %(ref)s, NULL, %(prev_hash)s, %(hash)s, 1,"
        " %(uuid)s, %(owner)s, 1)"
        " RETURNING id",
    ),
}


class Taken(NamedTuple):
    """A consumption written and the account's balances after it."""

    entry: LedgerEntry
    allocated_kg: int
    consumed_kg: int


def take_consumption(
    account_id: int,
    *,
    amount_kg: int,
    ref: str,
    at: datetime.datetime,
    created_at: datetime.datetime,
    actor: Any,
) -> Taken | None:
    """Draw and chain a consumption (hot path of every weighed truck); None if it cannot.

    None when the account is frozen, the draw does not fit or `ref` was consumed before.
    One statement on PostgreSQL; on SQLite two, so the caller must hold a transaction there.
    """
    who = actor_fields(actor)
    before, between = hash_around(
        account_id=account_id,
        kind=EntryKind.CONSUME,
        amount_kg=amount_kg,
        at=at,
        created_at=created_at,
        actor_name=who["actor_name"],
        reason="",
        change_id=None,
        ref=ref,
        reverses_id=None,
    )
    db = connections[DEFAULT_DB_ALIAS]
    adapt = db.ops.adapt_datetimefield_value
    # The entry's federation identity; its owner is the account's (read by the UPDATE).
    key = uuid.uuid4()
    params: dict[str, Any] = {
        "uuid": _UUID_FIELD.get_db_prep_value(key, db),
        "account": account_id,
        "amount": amount_kg,
        "ref": ref,
        "before": before,
        "between": between,
        "at": adapt(at),
        "created_at": adapt(created_at),
        "actor_id": who["actor"].pk if who["actor"] is not None else None,
        "actor_name": who["actor_name"],
    }
    statements = _STATEMENTS[db.vendor]
    if db.vendor == "postgresql":
        params["inner"], params["outer"] = hmac_pads()
        rows = run(statements[0], params).rows
        row = rows[0] if rows else None
        if row is None:
            return None
        entry_id, seq, prev_hash, hash_, allocated, consumed, owner = row
    else:
        with db.cursor() as cursor:
            cursor.execute(statements[0], params)
            row = cursor.fetchone()
            if row is None:
                return None
            seq, prev_hash, hash_, allocated, consumed, owner = row
            chained = {"seq": seq, "prev_hash": prev_hash, "hash": hash_, "owner": owner}
            cursor.execute(statements[1], {**params, **chained})
            (entry_id,) = cursor.fetchone()
    entry = LedgerEntry(
        pk=entry_id,
        uuid=key,
        owner_node=owner,
        account_id=account_id,
        seq=seq,
        kind=EntryKind.CONSUME,
        amount_kg=amount_kg,
        at=at,
        created_at=created_at,
        ref=ref,
        prev_hash=prev_hash,
        hash=hash_,
        keyed=True,
        **who,
    )
    entry._state.adding = False
    entry._state.db = db.alias
    return Taken(entry, allocated, consumed)
