"""Applying changes received from another platform: idempotent by (uuid, version), in the
order given, with bulk statements; the caller owns the transaction."""

from __future__ import annotations

import functools
import json
from typing import Any, cast

from django.db import DataError, connection, models
from django.db.models.constants import OnConflict

from oreledger.core.models import FederatedModel
from oreledger.federation.errors import FederationError
from oreledger.federation.records import (
    apply_nested,
    decode,
    federated_models,
    hashable_key,
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
    if connection.vendor == "postgresql":
        _write_in_sql(model, upserts, existing)
        apply_nested(model, [c["data"] for c in upserts])
        return len(deletes) + len(upserts)
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
    fields = [f for f in model._meta.concrete_fields if not (federated and f.primary_key)]
    key = model._meta.get_field("uuid") if federated else model._meta.pk
    update = [f for f in fields if f is not key and (f.attname in values[0] or f.name in _OWN)]
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


def _write_in_sql(
    model: type[models.Model],
    upserts: list[dict[str, Any]],
    existing: dict[str, tuple[Any, int, str]],
) -> None:
    """PostgreSQL: the run's states go as one JSON document per statement, an INSERT of the
    new records and an UPDATE of the newer versions, each `… FROM jsonb_to_recordset(…)`, so
    PostgreSQL parses and casts the values (no model instance, no per-value Python). Raw, as
    loaddata inserts: the owner's created_at/updated_at are kept, not stamped anew."""
    federated = issubclass(model, FederatedModel)
    key = model._meta.get_field("uuid") if federated else model._meta.pk
    # What the changes carry (the first one's keys, as the update below) and the own columns.
    sent = set(upserts[0]["data"]) | set(_OWN)
    travelling = [
        f for f in travelling_fields(model) if f.name in sent and not (federated and f.primary_key)
    ]
    local = local_ids(model, [c["data"] for c in upserts])
    references = [f for f in travelling if f.name in local]
    pk = model._meta.pk.column
    new, newer = [], []
    for change in upserts:
        data = change["data"]
        row = {f.column: data.get(f.name) for f in travelling}
        for f in references:
            wanted = data.get(f.name)
            if wanted is None:
                continue
            found = local[f.name].get(hashable_key(wanted))
            if found is None:
                target = cast("type[models.Model]", f.related_model)._meta.label_lower
                raise FederationError(
                    "unknown_reference", status=422, seq=change["seq"], model=target, uuid=wanted
                )
            # A ticket's id is its UUID (json.dumps below writes it as text).
            row[f.column] = found
        if federated:
            row["uuid"], row["version"] = change["uuid"], change["version"]
        held = existing.get(change["uuid"])
        if held is None:
            new.append(row)
        else:
            row[pk] = held[0]
            newer.append(row)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    shape = ", ".join(f"{qn(f.column)} {f.db_type(connection)}" for f in travelling)
    statements: list[tuple[str, list[Any]]] = []
    if new:
        # A new record takes the model's default for each column that does not travel.
        staying = [
            f
            for f in model._meta.concrete_fields
            if f not in travelling and not (federated and f.primary_key)
        ]
        defaults = [f.get_db_prep_save(f.get_default(), connection) for f in staying]
        columns = ", ".join(qn(f.column) for f in [*travelling, *staying])
        picked = ", ".join([*(f"x.{qn(f.column)}" for f in travelling), *(["%s"] * len(staying))])
        insert = (
            f"INSERT INTO {table} ({columns}) SELECT {picked}"  # noqa: S608 (names from the model)
            f" FROM jsonb_to_recordset(%s::jsonb) AS x({shape})"
        )
        statements.append((insert, [*defaults, json.dumps(new, default=str)]))
    if newer:
        carried = ", ".join(
            f"{qn(f.column)} = x.{qn(f.column)}" for f in travelling if f is not key
        )
        update = (
            f"UPDATE {table} SET {carried}"  # noqa: S608 (names from the model)
            f" FROM jsonb_to_recordset(%s::jsonb) AS x({shape}, {qn(pk)} bigint)"
            f" WHERE {table}.{qn(pk)} = x.{qn(pk)}"
        )
        statements.append((update, [json.dumps(newer, default=str)]))
    try:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
    except DataError as error:
        raise FederationError("malformed", detail=str(error).splitlines()[0][:200]) from error
