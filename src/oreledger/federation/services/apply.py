"""Applying changes received from another platform: idempotent by (uuid, version), in the
order given, with bulk statements; the caller owns the transaction."""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from oreledger.core.models import FederatedModel
from oreledger.federation.errors import FederationError
from oreledger.federation.records import decode, federated_models


def _refers_to_itself(model: type[models.Model]) -> bool:
    return any(
        isinstance(f, models.ForeignKey) and f.related_model is model
        for f in model._meta.concrete_fields
    )


def _runs(changes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive changes of one model (references point backwards, so order is kept); a
    model that refers to itself (a region's parent) is applied one change at a time."""
    known = federated_models()
    runs: list[list[dict[str, Any]]] = []
    for change in changes:
        model = known[change["model"]]
        if runs and runs[-1][0]["model"] == change["model"] and not _refers_to_itself(model):
            runs[-1].append(change)
        else:
            runs.append([change])
    return runs


def check_owner(changes: list[dict[str, Any]], owner: str) -> None:
    """Refuse (422 not_owner) if any change touches a record another node owns."""
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
    for label, uuids in by_model.items():
        model = known[label]
        if not issubclass(model, FederatedModel):
            continue
        foreign = (
            model._default_manager.filter(uuid__in=uuids)
            .exclude(owner_node=owner)
            .values_list("uuid", "owner_node")
            .first()
        )
        if foreign is not None:
            raise FederationError("not_owner", status=422, uuid=foreign[0], owner=foreign[1])


def apply_changes(changes: list[dict[str, Any]]) -> int:
    """Apply the changes in order; returns how many changed a record (older versions skip)."""
    known = federated_models()
    applied = 0
    for run in _runs(changes):
        applied += _apply_run(known[run[0]["model"]], run)
    return applied


def _apply_run(model: type[models.Model], run: list[dict[str, Any]]) -> int:
    federated = issubclass(model, FederatedModel)
    ident = "uuid" if federated else "pk"
    # The newest version of each record in the run is its state (data is the full state).
    latest: dict[str, dict[str, Any]] = {}
    for change in run:
        held = latest.get(change["uuid"])
        if held is None or change["version"] > held["version"]:
            latest[change["uuid"]] = change
    fields = ["pk", "version"] if federated else ["pk"]
    existing = {
        str(row[0]): row
        for row in model._default_manager.filter(**{f"{ident}__in": list(latest)}).values_list(
            ident, *fields
        )
    }
    deletes = [u for u, c in latest.items() if c["op"] == "delete" and u in existing]
    upserts = [
        c
        for u, c in latest.items()
        if c["op"] == "upsert"
        and (u not in existing or (federated and existing[u][2] < c["version"]))
    ]
    if deletes:
        model._default_manager.filter(**{f"{ident}__in": deletes}).delete()
    if not upserts:
        return len(deletes)
    values, missing = decode(model, [c["data"] for c in upserts])
    if missing:
        label, uuid = missing[0]
        raise FederationError(
            "unknown_reference", status=422, seq=upserts[0]["seq"], model=label, uuid=uuid
        )
    objs = []
    for change, row in zip(upserts, values, strict=True):
        obj = model(**row)
        if federated:
            obj.uuid, obj.version = change["uuid"], change["version"]
            obj.owner_node = change["data"].get("owner_node", obj.owner_node)
        objs.append(obj)
    columns = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.name != "uuid"
        and (f.attname in values[0] or f.name in ("version", "owner_node"))
    ]
    # One INSERT … ON CONFLICT DO UPDATE for new and newer records alike (the older
    # versions were left out above).
    model._default_manager.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["uuid" if federated else model._meta.pk.name],
        update_fields=columns,
    )
    stamped = [f for f in model._meta.concrete_fields if _stamped(f) and f.name in columns]
    if stamped:
        # bulk_create stamps auto_now columns with this platform's clock; keep the owner's.
        table = connection.ops.quote_name(model._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in stamped)
        key = connection.ops.quote_name("uuid" if federated else model._meta.pk.column)
        ident_field = model._meta.get_field("uuid") if federated else model._meta.pk
        rows = [
            [f.get_db_prep_save(row[f.attname], connection) for f in stamped]
            + [ident_field.get_db_prep_save(change["uuid"], connection)]
            for change, row in zip(upserts, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", rows)  # noqa: S608
    return len(deletes) + len(upserts)


def _stamped(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
