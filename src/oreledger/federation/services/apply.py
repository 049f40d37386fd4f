"""Applying changes received from another platform: idempotent by (uuid, version), in the
order given, with bulk statements; the caller owns the transaction."""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from django.db import DataError, connection, models
from django.db.models.constants import OnConflict

from oreledger.core.models import FederatedModel
from oreledger.federation.errors import FederationError
from oreledger.federation.records import (
    NESTED,
    apply_nested,
    decode,
    federated_models,
    hashable_key,
    is_federated,
    local_id,
    local_ids,
    travelling_fields,
)
from oreledger.federation.services.derived import settle_derived

# Columns a change always sets, whatever its data says.
_OWN = ("uuid", "version", "owner_node")
# Rows per INSERT: a ticket has about 30 columns, and SQLite takes 32,766 parameters.
_ROWS_PER_INSERT = 500


@functools.cache
def _links_to_itself(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is model
    )


def _refers_into(
    model: type[models.Model], run: list[dict[str, Any]], change: dict[str, Any]
) -> bool:
    """Whether the change refers to a record of the run (a region's parent, the consumption a
    reversal gives back): it must wait until the run is stored."""
    links = _links_to_itself(model)
    if not links:
        return False
    data = change.get("data") or {}
    wanted = {str(data[name]) for name in links if data.get(name) is not None}
    return bool(wanted) and any(str(c["uuid"]) in wanted for c in run)


def _runs(changes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive changes of one model (references point backwards, so order is kept); a
    change that refers to a record of its own run starts the next run."""
    known = federated_models()
    runs: list[list[dict[str, Any]]] = []
    for change in changes:
        model = known[change["model"]]
        if (
            runs
            and runs[-1][0]["model"] == change["model"]
            and not _refers_into(model, runs[-1], change)
        ):
            runs[-1].append(change)
        else:
            runs.append([change])
    return runs


def check_owner(changes: list[dict[str, Any]], owner: str, *, stored: bool = True) -> None:
    """Refuse (422 not_owner) if any change touches a record another node owns (`stored`
    False: only what the changes say; apply_changes(owner=…) then checks the stored owners)."""
    known = federated_models()
    by_model: dict[str, set[str]] = {}
    for change in changes:
        model = known.get(change["model"])
        if model is None:
            raise FederationError("unknown_model", status=422, model=change["model"])
        data = change.get("data") or {}
        if issubclass(model, FederatedModel) and data.get("owner_node", owner) != owner:
            raise FederationError(
                "not_owner", status=422, uuid=change["uuid"], owner=data["owner_node"]
            )
        by_model.setdefault(change["model"], set()).add(change["uuid"])
    if not stored:
        return
    for label, uuids in by_model.items():
        model = known[label]
        if not issubclass(model, FederatedModel):
            continue
        # Unordered: ordered by id, PostgreSQL walks the whole table by its primary key
        # hoping to meet a foreign record early (50 ms at 20,000 records, growing with them).
        foreign = next(
            iter(
                model._default_manager.filter(uuid__in=uuids)
                .exclude(owner_node=owner)
                .order_by()
                .values_list("uuid", "owner_node")[:1]
            ),
            None,
        )
        if foreign is not None:
            raise FederationError("not_owner", status=422, uuid=foreign[0], owner=foreign[1])


def apply_changes(changes: list[dict[str, Any]], *, owner: str | None = None) -> int:
    """Apply the changes in order; returns how many changed a record (older versions skip).
    With `owner`, a change to a stored record another node owns refuses the whole batch
    (not_owner; the stored owners are read with the versions, not once more before)."""
    known = federated_models()
    applied = 0
    for run in _runs(changes):
        applied += _apply_run(known[run[0]["model"]], run, owner)
    settle_derived(changes)
    return applied


def _held(model: type[models.Model], keys: list[str]) -> dict[str, tuple[Any, int, str]]:
    """The stored records among these UUIDs: local id, version and owner (tickets: 1, '')."""
    federated = issubclass(model, FederatedModel)
    if connection.vendor == "postgresql":
        # One array parameter: a thousand literals cost PostgreSQL more to plan than to run.
        qn = connection.ops.quote_name
        key = qn("uuid" if federated else model._meta.pk.column)
        own = f"{qn('version')}, {qn('owner_node')}" if federated else "1, ''"
        sql = (
            f"SELECT {key}::text, {qn(model._meta.pk.column)}, {own}"  # noqa: S608 (names from the model)
            f" FROM {qn(model._meta.db_table)} WHERE {key} = ANY(%s::uuid[])"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [keys])
            return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}
    if federated:
        rows = model._default_manager.filter(uuid__in=keys).values_list(
            "uuid", "pk", "version", "owner_node"
        )
        return {str(u): (pk, v, o) for u, pk, v, o in rows}
    return {
        str(pk): (pk, 1, "")
        for pk in model._default_manager.filter(pk__in=keys).values_list("pk", flat=True)
    }


def _apply_run(model: type[models.Model], run: list[dict[str, Any]], owner: str | None) -> int:
    federated = issubclass(model, FederatedModel)
    ident = "uuid" if federated else "pk"
    # The newest version of each record in the run is its state (data is the full state).
    latest: dict[str, dict[str, Any]] = {}
    for change in run:
        held = latest.get(change["uuid"])
        if held is None or change["version"] > held["version"]:
            latest[change["uuid"]] = change
    on_postgresql = connection.vendor == "postgresql"
    if on_postgresql and all(c["op"] == "upsert" for c in latest.values()):
        # The stored versions and owners are read by the writing statement itself.
        written = _write_in_sql(model, list(latest.values()), owner)
        _apply_nested_of(model, latest, written)
        return len(written)
    existing = _held(model, list(latest))
    if owner is not None and federated:
        for held_uuid, (_pk, _version, stored_owner) in existing.items():
            if stored_owner != owner:
                raise FederationError("not_owner", status=422, uuid=held_uuid, owner=stored_owner)
    deletes = [u for u, c in latest.items() if c["op"] == "delete" and u in existing]
    upserts = [
        c
        for u, c in latest.items()
        if c["op"] == "upsert"
        and (u not in existing or (federated and existing[u][1] < c["version"]))
    ]
    if deletes:
        model._default_manager.filter(**{f"{ident}__in": deletes}).delete()
    if not upserts:
        return len(deletes)
    if on_postgresql:
        written = _write_in_sql(model, upserts, owner)
        _apply_nested_of(model, latest, written)
        return len(deletes) + len(written)
    values, missing = decode(model, [c["data"] for c in upserts])
    if missing:
        label, uuid = missing[0]
        raise FederationError(
            "unknown_reference", status=422, seq=upserts[0]["seq"], model=label, uuid=uuid
        )
    objs = []
    for change, row in zip(upserts, values, strict=True):
        obj = model(**row)
        if isinstance(obj, FederatedModel):
            obj.uuid, obj.version = change["uuid"], change["version"]
            obj.owner_node = change["data"].get("owner_node", obj.owner_node)
        objs.append(obj)
    # One INSERT … ON CONFLICT DO UPDATE for new and newer records alike (older versions were
    # left out above). Raw, as loaddata inserts: the owner's created_at/updated_at are kept,
    # not stamped with this platform's clock.
    # Inserted: every column (a new record takes the model's defaults for what does not
    # travel); updated: what the change carries.
    fields = [f for f in model._meta.concrete_fields if not local_id(model, f)]
    key = model._meta.get_field("uuid") if federated else model._meta.pk
    update = [
        f
        for f in fields
        if f is not key and not f.primary_key and (f.attname in values[0] or f.name in _OWN)
    ]
    for i in range(0, len(objs), _ROWS_PER_INSERT):
        model._base_manager._insert(  # type: ignore[attr-defined]
            objs[i : i + _ROWS_PER_INSERT],
            fields=fields,
            raw=True,
            on_conflict=OnConflict.UPDATE,
            update_fields=update,
            unique_fields=[key],
        )
    apply_nested(model, [c["data"] for c in upserts])
    return len(deletes) + len(upserts)


def _apply_nested_of(
    model: type[models.Model], latest: dict[str, dict[str, Any]], written: list[str]
) -> None:
    """The nested rows (a standard's grades) of the records written, known by their UUID."""
    if model._meta.label_lower in NESTED:
        states = {str(uuid.UUID(key)): change["data"] for key, change in latest.items()}
        apply_nested(model, [states[key] for key in written])


def _write_in_sql(
    model: type[models.Model], upserts: list[dict[str, Any]], owner: str | None
) -> list[str]:
    """PostgreSQL: one statement per run of one model, its states given as one JSON document
    (`jsonb_to_recordset`), so PostgreSQL parses and casts the values, finds each record's
    stored version and owner and the local id of each UUID a state names (joins), inserts the
    new records and updates those it holds at an older version. A record another node owns or
    a UUID this platform lacks writes nothing and refuses the batch. Raw, as loaddata inserts:
    the owner's created_at/updated_at are kept. Returns the keys of the records written."""
    federated = issubclass(model, FederatedModel)
    # What the changes carry (the first one's keys, as the update below) and the own columns.
    sent = frozenset(upserts[0]["data"]) | frozenset(_OWN)
    statement = _statement(model, sent, checks_owner=owner is not None and federated)
    natural = statement.natural
    local = local_ids(model, [c["data"] for c in upserts], by_uuid=False) if natural else {}
    states = []
    for change in upserts:
        state = change["data"]
        if federated or natural:
            # The envelope's identity and version are the change's, whatever the data says.
            state = {**state, "uuid": change["uuid"], "version": change["version"]}
            for name, target in natural:
                wanted = state.get(name)
                if wanted is None:
                    continue
                state[name] = local[name].get(hashable_key(wanted))
                if state[name] is None:
                    raise FederationError(
                        "unknown_reference",
                        status=422,
                        seq=change["seq"],
                        model=target,
                        uuid=wanted,
                    )
        states.append(state)
    staying = [f.get_db_prep_save(f.get_default(), connection) for f in statement.staying]
    params = [_document(states), *([owner] if statement.checks_owner else []), *statement.labels]
    try:
        with _binding_on_server() as cursor:
            cursor.execute(statement.sql, [*params, *staying])
            rows = cursor.fetchall()
    except DataError as error:
        raise FederationError("malformed", detail=str(error).splitlines()[0][:200]) from error
    written = []
    for problem, label, name, wanted in rows:
        if problem == "not_owner":
            raise FederationError("not_owner", status=422, uuid=wanted, owner=label)
        if problem == "unknown_reference":
            naming = [c["seq"] for c in upserts if _same(c["data"].get(name), wanted)]
            seq = min(naming, default=upserts[0]["seq"])
            raise FederationError(
                "unknown_reference", status=422, seq=seq, model=label, uuid=wanted
            )
        written.append(wanted)
    return written


def _binding_on_server() -> Any:
    """A cursor that sends the values apart from the statement (Django's binds them into its
    text): a document of a hundred states is then not escaped, sent and lexed as a literal."""
    connection.ensure_connection()
    return connection.make_cursor(cast("Any", psycopg.Cursor(connection.connection)))


def _same(sent: Any, wanted: str) -> bool:
    try:
        return uuid.UUID(str(sent)) == uuid.UUID(wanted)
    except ValueError:
        return False


def _refers_by_uuid(field: models.Field[Any, Any]) -> bool:
    """A reference that travels as the UUID of a federated record (a ticket's: its id)."""
    target = field.related_model if isinstance(field, models.ForeignKey) else None
    return target is not None and is_federated(cast("type[models.Model]", target))


@dataclass(frozen=True)
class _Statement:
    """The writing statement of one model's run, for the columns its states carry."""

    sql: str
    checks_owner: bool
    # (label, field name) of each reference by UUID, in the order of their checks.
    labels: tuple[str, ...]
    # (field name, label) of each link to a configuration row by natural key.
    natural: tuple[tuple[str, str], ...]
    # Columns a new record takes its model's default for.
    staying: tuple[models.Field[Any, Any], ...]


@functools.cache
def _statement(
    model: type[models.Model], sent: frozenset[str], *, checks_owner: bool
) -> _Statement:
    """Built once per model and carried columns: `x` is the run's states, each joined to the
    record it names (`_held`, its version and owner) and to the local id of each reference;
    `lacking` is the first reason to refuse; `inserted` and `updated` write only without one."""
    qn = connection.ops.quote_name
    federated = issubclass(model, FederatedModel)
    table = qn(model._meta.db_table)
    pk = qn(model._meta.pk.column)
    key = "uuid" if federated else model._meta.pk.name
    # The column the records are known by on the wire: their UUID (a ticket: its id).
    known_by = qn(model._meta.pk.column if not federated else "uuid")
    travelling = [f for f in travelling_fields(model) if f.name in sent and not local_id(model, f)]
    linked = [f for f in travelling if _refers_by_uuid(f)]
    natural = [f for f in travelling if f.is_relation and f not in linked]
    shape = ", ".join(
        f"{qn(f.name)} {'uuid' if f in linked else f.db_type(connection)}" for f in travelling
    )
    value = {f: f"x.{qn(f.name)}" for f in travelling}
    found = [f"h.{pk} AS _held"]
    if federated:
        found += [f"h.{qn('version')} AS _version", f"h.{qn('owner_node')} AS _owner"]
    joins = [f" LEFT JOIN {table} h ON h.{known_by} = x.{qn(key)}"]
    checks = []
    if checks_owner:
        checks.append(
            "('not_owner', x._owner, 'uuid', x.uuid::text,"
            " x._held IS NOT NULL AND x._owner <> %s::text)"
        )
    labels: list[str] = []
    for i, f in enumerate(linked):
        target = cast("type[models.Model]", f.related_model)
        ident = "uuid" if issubclass(target, FederatedModel) else target._meta.pk.column
        joins.append(
            f" LEFT JOIN {qn(target._meta.db_table)} r{i} ON r{i}.{qn(ident)} = x.{qn(f.name)}"
        )
        found.append(f"r{i}.{qn(target._meta.pk.column)} AS _r{i}")
        checks.append(
            f"('unknown_reference', %s::text, %s::text, x.{qn(f.name)}::text,"
            f" x.{qn(f.name)} IS NOT NULL AND x._r{i} IS NULL)"
        )
        labels += [target._meta.label_lower, f.name]
        value[f] = f"x._r{i}"
    staying = [
        f for f in model._meta.concrete_fields if f not in travelling and not local_id(model, f)
    ]
    columns = ", ".join(qn(f.column) for f in [*travelling, *staying])
    picked = ", ".join([*(value[f] for f in travelling), *(["%s"] * len(staying))])
    guard = " AND NOT EXISTS (SELECT FROM lacking)" if checks else ""
    parts = [
        f"WITH x AS (SELECT x.*, {', '.join(found)}"  # noqa: S608 (names from the model)
        f" FROM jsonb_to_recordset(%s::jsonb) AS x({shape}){''.join(joins)})",
    ]
    if checks:
        parts.append(
            "lacking AS (SELECT v.problem, v.label, v.name, v.wanted FROM x CROSS JOIN LATERAL"  # noqa: S608
            f" (VALUES {', '.join(checks)}) AS v(problem, label, name, wanted, refused)"
            " WHERE v.refused LIMIT 1)"
        )
    parts.append(
        f"inserted AS (INSERT INTO {table} ({columns}) SELECT {picked} FROM x"  # noqa: S608 (names from the model)
        f" WHERE x._held IS NULL{guard} RETURNING {known_by}::text AS written)"
    )
    answer = ["SELECT 'written', NULL, NULL, written FROM inserted"]
    if federated:
        # A UUID id travels in the state (an alert's) but is never rewritten.
        carried = ", ".join(
            f"{qn(f.column)} = {value[f]}"
            for f in travelling
            if f.name != "uuid" and not f.primary_key
        )
        parts.append(
            f"updated AS (UPDATE {table} SET {carried} FROM x"  # noqa: S608 (names from the model)
            f" WHERE {table}.{pk} = x._held AND x._version < x.{qn('version')}{guard}"
            f" RETURNING {table}.{known_by}::text AS written)"
        )
        answer.append("SELECT 'written', NULL, NULL, written FROM updated")
    if checks:
        answer.insert(0, "SELECT problem, label, name, wanted FROM lacking")
    return _Statement(
        sql=", ".join(parts) + " " + " UNION ALL ".join(answer),
        checks_owner=checks_owner,
        labels=tuple(labels),
        natural=tuple(
            (f.name, cast("type[models.Model]", f.related_model)._meta.label_lower) for f in natural
        ),
        staying=tuple(staying),
    )


def _document(states: list[dict[str, Any]]) -> str:
    return json.dumps(states, separators=(",", ":"), default=str)
