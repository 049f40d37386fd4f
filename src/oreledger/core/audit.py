"""The audit trail: every change of a regulated record keeps who, when, before and after."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from oreledger.core.models import ObjectChange

# Columns that change on every save and say nothing about the regulated content.
_NOISE = {"updated_at", "password", "version"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
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
