"""Federated records on the wire: which models federate, and their state with references as
UUIDs (docs/specs/federation-protocol.md, "data is the record's full state")."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.db import models, transaction

from oreledger.core.audit import _jsonable
from oreledger.core.models import FederatedModel

# Tickets are written once and never changed: their id is their UUID, their version is 1.
IMMUTABLE = {"weighing.ticket"}
# Province-owned records a node pulls down (the spec's "Down" list, as far as they exist).
REFERENCE = {
    "accounts.region",
    "grading.gradingstandard",
    "trade.floorprice",
    "quotas.quotaaccount",
}


def federated_models() -> dict[str, type[models.Model]]:
    """Every model that federates, by its `app_label.model_name`."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if issubclass(model, FederatedModel) or label in IMMUTABLE:
            found[label] = model
    return found


def is_federated(model: type[models.Model]) -> bool:
    """True if changes of this model's records go to the outbox."""
    return issubclass(model, FederatedModel) or model._meta.label_lower in IMMUTABLE


def record_uuid(obj: models.Model) -> uuid.UUID:
    """The record's federation identity."""
    value = obj.uuid if isinstance(obj, FederatedModel) else obj.pk
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def owner_of(obj: models.Model) -> str:
    """The node that owns the record (tickets: the platform that stored them)."""
    return obj.owner_node if isinstance(obj, FederatedModel) else str(settings.OL_NODE_CODE)


def version_of(obj: models.Model) -> int:
    """The record's version (tickets never change: 1)."""
    return int(obj.version) if isinstance(obj, FederatedModel) else 1


def _identity_field(model: type[models.Model]) -> str:
    return "uuid" if issubclass(model, FederatedModel) else "pk"


def _target(field: models.ForeignKey[Any, Any]) -> type[models.Model]:
    """The model a foreign key points at (a class once the apps are loaded, never 'self')."""
    return cast("type[models.Model]", field.related_model)


def _references(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    """The foreign keys that travel: those to federated models (others stay local)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and is_federated(_target(f))
    ]


def _skipped(model: type[models.Model]) -> set[str]:
    """Columns that never travel: local ids and links to records that do not federate."""
    names = {"id"} if issubclass(model, FederatedModel) else set()
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and not is_federated(_target(f)):
            names.add(f.name)
    return names


# (model label, local id) -> UUID of committed records: a record's UUID never changes, so
# the ticket path need not read its station's, site's and region's UUIDs again each time.
_UUIDS: dict[tuple[str, Any], str] = {}
_UUIDS_KEPT = 100_000


def _remember(found: dict[tuple[str, Any], str]) -> None:
    if len(_UUIDS) + len(found) > _UUIDS_KEPT:
        _UUIDS.clear()
    _UUIDS.update(found)


def _uuids_of(target: type[models.Model], ids: set[Any]) -> dict[Any, str]:
    """The UUIDs of these local ids (a UUID primary key is its own)."""
    if _identity_field(target) == "pk":
        return {pk: str(pk) for pk in ids}
    label = target._meta.label_lower
    found = {pk: _UUIDS[(label, pk)] for pk in ids if (label, pk) in _UUIDS}
    unknown = ids - set(found)
    if unknown:
        rows = target._default_manager.filter(pk__in=unknown).values_list("pk", "uuid")
        read = {pk: str(u) for pk, u in rows}
        found.update(read)
        # Kept once committed: a rolled-back row's id may be reused (SQLite).
        transaction.on_commit(lambda: _remember({(label, pk): u for pk, u in read.items()}))
    return found


def encode(objs: Sequence[models.Model]) -> list[dict[str, Any]]:
    """Each record's full state, references as UUIDs (read once per referenced record)."""
    if not objs:
        return []
    model = type(objs[0])
    refs = _references(model)
    uuids: dict[str, dict[Any, str]] = {}
    for f in refs:
        ids = {getattr(o, f.attname) for o in objs} - {None}
        uuids[f.name] = _uuids_of(_target(f), ids)
    skipped = _skipped(model)
    ref_names = {f.name for f in refs}
    states = []
    for obj in objs:
        data: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.name in skipped:
                continue
            value = getattr(obj, field.attname)
            if field.name in ref_names:
                data[field.name] = None if value is None else uuids[field.name].get(value)
            else:
                data[field.name] = _jsonable(value)
        states.append(data)
    return states


def local_ids(
    model: type[models.Model], states: Sequence[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Per travelling reference, the local id of each UUID the states name (one read per
    reference; a UUID this platform lacks is absent)."""
    local: dict[str, dict[str, Any]] = {}
    for f in _references(model):
        wanted = {s.get(f.name) for s in states} - {None}
        target = _target(f)
        ident = _identity_field(target)
        rows = target._default_manager.filter(**{f"{ident}__in": wanted}).values_list(ident, "pk")
        local[f.name] = {str(u): pk for u, pk in rows}
    return local


def travelling_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns a record's state carries, in the model's order."""
    skipped = _skipped(model)
    return [f for f in model._meta.concrete_fields if f.name not in skipped]


def decode(
    model: type[models.Model], states: Iterable[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Column values of each state, references resolved to local ids; and the references the
    hub lacks as (model, uuid)."""
    states = list(states)
    refs = _references(model)
    local = local_ids(model, states)
    fields = {f.name: f for f in model._meta.concrete_fields if f.name not in _skipped(model)}
    ref_names = {f.name for f in refs}
    rows_out, missing = [], []
    for state in states:
        values: dict[str, Any] = {}
        for name, value in state.items():
            field = fields.get(name)
            if field is None:
                continue
            if name in ref_names:
                if value is not None and value not in local[name]:
                    missing.append(
                        (cast("type[models.Model]", field.related_model)._meta.label_lower, value)
                    )
                values[field.attname] = None if value is None else local[name].get(value)
            else:
                values[field.attname] = field.to_python(value) if value is not None else None
        rows_out.append(values)
    return rows_out, missing
