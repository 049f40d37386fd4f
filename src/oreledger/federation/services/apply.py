"""Applying changes received from another platform: idempotent by (uuid, version), in the
order given, with bulk statements; the caller owns the transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.constants import OnConflict

from oreledger.core.models import FederatedModel
from oreledger.federation.errors import FederationError
from oreledger.federation.records import apply_nested, decode, federated_models

# Columns a change always sets, whatever its data says.
_OWN = ("uuid", "version", "owner_node")
# Rows per INSERT: a ticket has about 30 columns, and SQLite takes 32,766 parameters.
_ROWS_PER_INSERT = 500


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
    columns = ["pk", "version"] if federated else ["pk"]
    existing = {
        str(row[0]): row
        for row in model._default_manager.filter(**{f"{ident}__in": list(latest)}).values_list(
            ident, *columns
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
