"""The audit trail: every change of a regulated record keeps who, when, before and after."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from oreledger.core.display import (
    Shown,
    actor_label,
    field_label,
    field_value,
    local_time,
    related_records,
    shown_in_history,
)
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import require_node_region

# Called with (records, action) inside the changes' transaction (federation's outbox).
_CHANGE_LISTENERS: list[Callable[[Sequence[models.Model], str], None]] = []


def register_change_listener(listener: Callable[[Sequence[models.Model], str], None]) -> None:
    """Have `listener(objs, action)` run for every recorded change, in its transaction."""
    if listener not in _CHANGE_LISTENERS:
        _CHANGE_LISTENERS.append(listener)


def announce_changes(objs: Sequence[models.Model], action: str) -> None:
    """Tell the listeners about records changed together (bulk paths write their own audit).
    Every recorded change passes here, services and imports alike: a county node refuses here
    what it owns outside its county (`other_region`), before anything is sent or committed."""
    if action != ObjectChange.Action.DELETE:
        require_node_region(objs)
    for listener in _CHANGE_LISTENERS:
        listener(objs, action)


# Columns that change on every save and say nothing about the regulated content.
_NOISE = {"updated_at", "password", "version"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, FieldFile):  # an uploaded file: where it is stored
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The record's regulated content as JSON-safe values (foreign keys by id)."""
    data: dict[str, Any] = {}
    for fld in obj._meta.concrete_fields:
        if fld.name in _NOISE:
            continue
        data[fld.name] = _jsonable(getattr(obj, fld.attname))
    return data


def record_change(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    reason: str = "",
) -> ObjectChange:
    """Write one audit row; called by the service that made the change, in its transaction."""
    after = None if action == ObjectChange.Action.DELETE else snapshot(obj)
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    announce_changes([obj], action)
    return ObjectChange.objects.create(
        actor=actor if is_person else None,
        actor_name=(actor.get_username() if is_person else str(actor or "system"))[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        reason=reason[:500],
    )


def history_for(obj: models.Model) -> models.QuerySet[ObjectChange]:
    """The record's changes, newest first."""
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
    ).select_related("actor")


@dataclass(frozen=True)
class HistoryLine:
    """One change as a reader reads it: local time, who, what, and each field's label."""

    time: str
    who: str
    action: str
    reason: str
    created: bool
    fields: list[tuple[str, Shown, Shown]]


def readable_history(changes: Iterable[ObjectChange], user: Any = None) -> list[HistoryLine]:
    """The changes with labelled fields, choice labels and related records by name.

    A related record is linked when `user` may open it.
    """
    changes = list(changes)
    by_model: dict[Any, list[ObjectChange]] = {}
    for change in changes:
        by_model.setdefault(_model(change), []).append(change)
    records: dict[Any, Any] = {}
    for model, group in by_model.items():
        if model is not None:
            rows = [c.before or {} for c in group] + [c.after or {} for c in group]
            records.update(related_records(model, rows, user))
    lines = []
    for change in changes:
        model = _model(change)
        fields = []
        order = {f.name: i for i, f in enumerate(model._meta.fields)} if model else {}
        changed = sorted(change.changed_fields(), key=lambda c: order.get(c[0], len(order)))
        for name, before, after in changed:
            if model is None or not shown_in_history(model, name):
                continue
            fields.append(
                (
                    field_label(model, name),
                    field_value(model, name, before, records),
                    field_value(model, name, after, records),
                )
            )
        lines.append(
            HistoryLine(
                time=local_time(change.time),
                who=actor_label(change.actor, change.actor_name),
                action=change.get_action_display(),
                reason=change.reason,
                created=change.action == ObjectChange.Action.CREATE,
                fields=fields,
            )
        )
    return lines


def _model(change: ObjectChange) -> Any:
    return ContentType.objects.get_for_id(change.content_type_id).model_class()
