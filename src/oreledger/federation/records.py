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
# Province-owned records a node pulls down (the spec's "Down" list, as far as they are
# federated records): regions, grading standards (their grades inside), floor prices, quota
# allocations (the accounts and the ledger entries on them, narrowed to the node's county and
# the province account above it, services/hub.py), the province's vehicle register with its
# blacklist, assessment schemes (their indicators inside), the weekly reporting rules (a node
# judges "on time" by the province's grace days) and the rule thresholds (the province's and
# the node region's own).
REFERENCE = {
    "accounts.region",
    "grading.gradingstandard",
    "trade.floorprice",
    "quotas.quotaaccount",
    "quotas.ledgerentry",
    "registry.vehicle",
    "assessment.scheme",
    "worklist.reportingrules",
    "alerts.ruleversion",
}
# Configuration rows every platform holds (by migration, or made on arrival), referred to on
# the wire by their natural key rather than left behind: without them a floor price, contract,
# permit or quota account could not be stored on the other side.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "quotas.quotaperiod": ("year",),
    "quotas.mineral": ("code",),
    "registry.permittype": ("code",),
    "accounts.departmentkind": ("code",),
    "grading.grade": ("standard", "code"),
    "assessment.indicator": ("scheme", "kind"),
}
# Of those, the ones a platform makes when a record refers to one it lacks (a quota year is
# nothing but its number; the others are the province's catalogue and must match).
MADE_ON_ARRIVAL = {"quotas.quotaperiod"}
# Rows that are part of a federated record and travel inside its state: a standard's grades,
# a scheme's indicators.
NESTED = {"grading.gradingstandard": "grades", "assessment.scheme": "indicators"}
# Of those, the ones whose state is the whole set: a row the state no longer names is removed
# (a scheme's indicators are replaced together; a grade stays, contracts and assays name it).
NESTED_WHOLE = {"assessment.scheme"}
# Columns that only mean something on their own platform and never travel: an alert's key for
# taking repeats and its events' occurrence keys (each platform dedupes what it raises itself;
# a county's key would collide with another county's on the hub).
LOCAL_COLUMNS = {
    "alerts.alert": {"open_key"},
    "alerts.alertevent": {"occurrence_key"},
}
# Columns computed from other records, never carried: a quota account's balances and chain
# head are sums of its ledger entries (which federate), and what it passed on is the sum of
# its children's allocations (quotas.integrity checks each against its source). The owner of
# an account is not the only writer of them (a node allocating onwards moves its county
# account's allocated_to_children_kg), so carrying them would let one side overwrite the
# other's; the receiver recomputes them after each batch (`services.apply.apply_changes`).
DERIVED: dict[str, frozenset[str]] = {
    "quotas.quotaaccount": frozenset(
        {
            "allocated_kg",
            "allocated_to_children_kg",
            "consumed_kg",
            "entry_count",
            "last_hash",
            "prev_hash",
        }
    ),
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


def local_id(model: type[models.Model], field: models.Field[Any, Any]) -> bool:
    """True for a federated record's local id, a number of its platform's (a UUID id, as an
    alert's, travels: the record keeps it everywhere)."""
    return (
        issubclass(model, FederatedModel)
        and field.primary_key
        and not isinstance(field, models.UUIDField)
    )


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


def _by_natural_key(field: models.Field[Any, Any]) -> bool:
    """True for a link to a configuration row that travels as its natural key."""
    return isinstance(field, models.ForeignKey) and _target(field)._meta.label_lower in NATURAL_KEYS


def _natural_links(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    """The model's links to configuration rows that travel as their natural key."""
    return [
        cast("models.ForeignKey[Any, Any]", f)
        for f in model._meta.concrete_fields
        if _by_natural_key(f)
    ]


def _skipped(model: type[models.Model]) -> set[str]:
    """Columns that never travel: local ids, links to records that do not federate (users, a
    quota change's approval), columns only their platform understands (`LOCAL_COLUMNS`) and
    columns derived from other records (`DERIVED`)."""
    names = {f.name for f in model._meta.concrete_fields if local_id(model, f)}
    names |= LOCAL_COLUMNS.get(model._meta.label_lower, set())
    names |= DERIVED.get(model._meta.label_lower, frozenset())
    for f in model._meta.concrete_fields:
        if (
            isinstance(f, models.ForeignKey)
            and not is_federated(_target(f))
            and not _by_natural_key(f)
        ):
            names.add(f.name)
    return names


def _key_lookups(target: type[models.Model]) -> list[str]:
    """The natural key's columns as lookups (a link to a federated record by its UUID)."""
    lookups = []
    for name in NATURAL_KEYS[target._meta.label_lower]:
        field = target._meta.get_field(name)
        linked = isinstance(field, models.ForeignKey)
        lookups.append(f"{name}__uuid" if linked else name)
    return lookups


def _wire_key(values: Sequence[Any]) -> Any:
    """One column's key as itself; a key of several columns as a list of strings."""
    if len(values) == 1:
        return _jsonable(values[0])
    return [str(v) for v in values]


def _natural_keys_of(target: type[models.Model], ids: set[Any]) -> dict[Any, Any]:
    """The natural keys of these local ids."""
    rows = target._default_manager.filter(pk__in=ids).values_list("pk", *_key_lookups(target))
    return {row[0]: _wire_key(row[1:]) for row in rows}


def _local_ids_of(target: type[models.Model], keys: set[Any]) -> dict[Any, Any]:
    """Local ids by wire key (hashable: a list key as a tuple); years made on arrival."""
    label = target._meta.label_lower
    lookups = _key_lookups(target)
    plain = {k for k in keys if not isinstance(k, tuple)}
    if label in MADE_ON_ARRIVAL:
        (name,) = NATURAL_KEYS[label]
        have = set(target._default_manager.filter(**{f"{name}__in": plain}).values_list(name))
        target._default_manager.bulk_create(
            [target(**{name: k}) for k in plain if (k,) not in have], ignore_conflicts=True
        )
    query = models.Q()
    if plain:
        query |= models.Q(**{f"{lookups[0]}__in": plain})
    for key in keys - plain:
        query |= models.Q(**dict(zip(lookups, key, strict=True)))
    if not keys:
        return {}
    found: dict[Any, Any] = {}
    for row in target._default_manager.filter(query).values_list("pk", *lookups):
        wire = _wire_key(row[1:])
        found[tuple(wire) if isinstance(wire, list) else wire] = row[0]
    return found


def hashable_key(value: Any) -> Any:
    """A wire key usable in a set or as a dict key (a key of several columns as a tuple)."""
    return tuple(value) if isinstance(value, list) else value


def _nested_state(model: type[models.Model], objs: Sequence[models.Model]) -> dict[Any, list[Any]]:
    """The nested rows of each record (a standard's grades), by the record's local id."""
    relation = NESTED[model._meta.label_lower]
    child = cast("type[models.Model]", model._meta.get_field(relation).related_model)
    parent_field = next(
        f.name
        for f in child._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and _target(f) is model
    )
    skipped = {"id", parent_field}
    found: dict[Any, list[Any]] = {o.pk: [] for o in objs}
    for row in child._default_manager.filter(**{f"{parent_field}__in": list(found)}).order_by("pk"):
        found[getattr(row, f"{parent_field}_id")].append(
            {
                f.name: _jsonable(getattr(row, f.attname))
                for f in child._meta.concrete_fields
                if f.name not in skipped
            }
        )
    return found


def apply_nested(model: type[models.Model], states: Sequence[dict[str, Any]]) -> None:
    """Store the nested rows that came inside these states (added or updated by natural key;
    removed only where the state is the whole set, NESTED_WHOLE)."""
    label = model._meta.label_lower
    relation = NESTED.get(label)
    if relation is None:
        return
    child = cast("type[models.Model]", model._meta.get_field(relation).related_model)
    parent_field, key = NATURAL_KEYS[child._meta.label_lower]
    parents = dict(
        model._default_manager.filter(uuid__in=[s["uuid"] for s in states]).values_list(
            "uuid", "pk"
        )
    )
    fields = {f.name: f for f in child._meta.concrete_fields if f.name not in {"id", parent_field}}
    for state in states:
        parent = parents[uuid.UUID(str(state["uuid"]))]
        rows = state.get(relation) or []
        if label in NESTED_WHOLE:
            child._default_manager.filter(**{f"{parent_field}_id": parent}).exclude(
                **{f"{key}__in": [row[key] for row in rows]}
            ).delete()
        for row in rows:
            values = {
                name: None if value is None else fields[name].to_python(value)
                for name, value in row.items()
                if name in fields and name != key
            }
            child._default_manager.update_or_create(
                **{f"{parent_field}_id": parent, key: row[key]}, defaults=values
            )


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
    uuids: dict[str, dict[Any, Any]] = {}
    for f in refs:
        ids = {getattr(o, f.attname) for o in objs} - {None}
        uuids[f.name] = _uuids_of(_target(f), ids)
    for link in _natural_links(model):
        ids = {getattr(o, link.attname) for o in objs} - {None}
        uuids[link.name] = _natural_keys_of(_target(link), ids) if ids else {}
    skipped = _skipped(model)
    ref_names = set(uuids)
    nested = model._meta.label_lower in NESTED
    children = _nested_state(model, objs) if nested else {}
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
        if nested:
            data[NESTED[model._meta.label_lower]] = children[obj.pk]
        states.append(data)
    return states


def local_ids(
    model: type[models.Model], states: Sequence[dict[str, Any]], *, by_uuid: bool = True
) -> dict[str, dict[str, Any]]:
    """Per travelling reference, the local id of each UUID the states name, and per link to a
    configuration row, of each natural key (one read per link; what this platform lacks is
    absent). `by_uuid` False: the natural keys only (the hub's apply on PostgreSQL resolves
    the UUIDs in its statements)."""
    local: dict[str, dict[str, Any]] = {}
    for f in _references(model) if by_uuid else []:
        wanted = {s.get(f.name) for s in states} - {None}
        target = _target(f)
        ident = _identity_field(target)
        rows = target._default_manager.filter(**{f"{ident}__in": wanted}).values_list(ident, "pk")
        local[f.name] = {str(u): pk for u, pk in rows}
    for link in _natural_links(model):
        keys = {hashable_key(s.get(link.name)) for s in states} - {None}
        local[link.name] = _local_ids_of(_target(link), keys)
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
    local = local_ids(model, states)
    fields = {f.name: f for f in model._meta.concrete_fields if f.name not in _skipped(model)}
    ref_names = set(local)
    rows_out, missing = [], []
    for state in states:
        values: dict[str, Any] = {}
        for name, value in state.items():
            field = fields.get(name)
            if field is None:
                continue
            if name in ref_names:
                value = hashable_key(value)
                if value is not None and value not in local[name]:
                    missing.append((_target(cast("Any", field))._meta.label_lower, str(value)))
                values[field.attname] = None if value is None else local[name].get(value)
            else:
                values[field.attname] = field.to_python(value) if value is not None else None
        rows_out.append(values)
    return rows_out, missing
