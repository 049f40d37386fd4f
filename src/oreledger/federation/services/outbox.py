"""The transactional outbox: each committed change of a federated record gets the next seq,
in the change's own transaction (a rollback takes its seqs with it, leaving no gap)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from oreledger.core.models import ObjectChange
from oreledger.core.prepared import run
from oreledger.federation.models import OutboxChange, OutboxCounter
from oreledger.federation.records import encode, is_federated, owner_of, record_uuid, version_of
from oreledger.federation.states import outbox_insert

_TAKE_SEQS = (
    "UPDATE federation_outboxcounter SET last_seq = last_seq + %s WHERE id = 1 RETURNING last_seq"
)


def federating() -> bool:
    """True if this platform is a hub or a node (a standalone platform keeps no outbox)."""
    return settings.OL_NODE_ROLE != "standalone"


def next_seqs(count: int) -> int:
    """Reserve `count` consecutive seqs; returns the first. The counter row stays locked until
    the caller's transaction ends, so seqs are handed out in commit order and never skipped."""
    # One statement (prepared on PostgreSQL): it moves and reads the counter at once.
    rows = run(_TAKE_SEQS, [count]).rows
    if not rows:
        OutboxCounter.objects.create(pk=1, last_seq=count)
        return 1
    return int(rows[0][0]) - count + 1


def last_seq() -> int:
    """The last seq this platform handed out (0 before its first change)."""
    return int(next(iter(OutboxCounter.objects.filter(pk=1).values_list("last_seq", flat=True)), 0))


def append(objs: Sequence[models.Model], op: str, at: datetime.datetime | None = None) -> int:
    """Write the changes of own records to the outbox in one statement; returns how many."""
    own = [o for o in objs if owner_of(o) == settings.OL_NODE_CODE]
    if not own:
        return 0
    at = at or timezone.now()
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for obj in own:
        by_model.setdefault(type(obj), []).append(obj)
    states: dict[int, Any] = {}
    for group in by_model.values():
        data: list[dict[str, Any] | None] = (
            list(encode(group)) if op == "upsert" else [None] * len(group)
        )
        states.update({id(o): d for o, d in zip(group, data, strict=True)})
    # Inside the caller's transaction (no savepoint of its own: two statements fewer).
    with transaction.atomic(savepoint=False):
        first = next_seqs(len(own))
        OutboxChange.objects.bulk_create(
            OutboxChange(
                seq=first + i,
                model=obj._meta.label_lower,
                uuid=record_uuid(obj),
                version=version_of(obj),
                op=op,
                at=at,
                data=states[id(obj)],
            )
            for i, obj in enumerate(own)
        )
    return len(own)


def write_changes(objs: Sequence[models.Model], action: str) -> None:
    """The audit path's listener: changes of federated records go to the outbox."""
    if not federating():
        return
    objs = [o for o in objs if is_federated(type(o))]
    if objs:
        append(objs, "delete" if action == ObjectChange.Action.DELETE else "upsert")


def append_stored(objs: Sequence[models.Model], at: datetime.datetime | None = None) -> int:
    """Write upserts of own records already stored in this transaction, their states built
    by the database from the stored rows in one INSERT … SELECT (`federation.states`: no
    per-row Python on the ticket path); through `append` if a model's state needs Python.
    Returns how many."""
    own = [o for o in objs if owner_of(o) == settings.OL_NODE_CODE]
    if not own:
        return 0
    # Runs of one model, in the order given (a moved waybill after the ticket it refers to).
    runs: list[tuple[type[models.Model], list[Any]]] = []
    for obj in own:
        if not runs or runs[-1][0] is not type(obj):
            runs.append((type(obj), []))
        runs[-1][1].append(obj.pk)
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is asked once per id below
    postgres = db.vendor == "postgresql"
    sql = outbox_insert(tuple(m._meta.label_lower for m, _ in runs), db.vendor)
    if sql is None:
        return append(own, "upsert", at)
    when = OutboxChange._meta.get_field("at").get_db_prep_save(at or timezone.now(), db)
    with transaction.atomic(savepoint=False):
        seq = next_seqs(len(own))
        params: list[Any] = []
        for model, pks in runs:
            prep = model._meta.pk.get_db_prep_value
            ids = [prep(pk, db) for pk in pks]
            params += [seq, when, ids, ids] if postgres else [seq, when, json.dumps(ids)]
            seq += len(pks)
        written = run(sql, params).rowcount
        if written != len(own):
            # A record handed over but not stored would leave its seq unused: a gap the hub
            # would wait on forever. Refuse the whole transaction instead.
            raise RuntimeError(f"outbox: {written} of {len(own)} stored records found")
    return len(own)


class TicketOutbox:
    """The ticket path's writer: a unit's quota draws, tickets and moved waybills, outboxed in
    the unit's own statements (their states built by the database, `append_stored`)."""

    def __init__(self, snapshot: Any) -> None:
        self._entries: list[models.Model] = []
        self._tickets: list[models.Model] = []
        self._waybills: dict[Any, models.Model] = {}

    def add(self, ctx: Any, ticket: models.Model) -> None:
        """Remember a kept ticket, the ledger entry it drew and the waybill it moved."""
        entry = getattr(ticket, "quota_entry", None)
        if entry is not None:
            self._entries.append(entry)
        self._tickets.append(ticket)
        waybill = getattr(ctx, "waybill", None)
        if waybill is not None:
            self._waybills[waybill.pk] = waybill

    def write(self) -> None:
        """The unit's outbox rows: the draws' entries (a ticket refers to its entry), the
        tickets (a moved waybill refers to its ticket; the waybill itself was outboxed when
        it was issued), then the waybills they moved."""
        if federating() and self._tickets:
            append_stored([*self._entries, *self._tickets, *self._waybills.values()])
        self._entries, self._tickets, self._waybills = [], [], {}


def resume_after(hub_acked: int, node_acked: int) -> int:
    """After a restore from an older backup: the changes after what the restored node knew
    the hub held are renumbered to follow the hub's acked seq (what the hub already holds
    is skipped there by (uuid, version)); returns how many were renumbered."""
    with transaction.atomic():
        next_seqs(0)  # locks the counter row: nothing is numbered meanwhile
        rows = list(OutboxChange.objects.filter(seq__gt=node_acked).order_by("seq"))
        OutboxChange.objects.filter(seq__gt=node_acked).delete()
        for i, row in enumerate(rows):
            row.seq = hub_acked + 1 + i
        OutboxChange.objects.bulk_create(rows)
        OutboxCounter.objects.filter(pk=1).update(last_seq=hub_acked + len(rows))
    return len(rows)
