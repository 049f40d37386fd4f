"""What every inspections service checks first: the actor's role and reach."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from oreledger.core.permissions import VIEW, may
from oreledger.inspections.errors import InspectionError

M = TypeVar("M", bound=models.Model)


def is_person(actor: Any) -> bool:
    """Importers, jobs and the shell act without a person; their callers checked access."""
    return actor is not None and getattr(actor, "is_authenticated", False)


def require_role(actor: Any, action: str, model: type[models.Model]) -> None:
    """Refuse a person whose role may not take `action` on any row of `model`."""
    if is_person(actor) and not may(actor, action, model):
        raise InspectionError("not_allowed", status=403)


def in_reach(actor: Any, obj: M, action: str = VIEW) -> M:
    """The row as the actor may act on it; outside their reach it does not exist for them."""
    manager: Any = type(obj)._default_manager
    if not is_person(actor):
        found: M = manager.get(pk=obj.pk)
        return found
    row = manager.for_user(actor, action).filter(pk=obj.pk).first()
    if row is None:
        if action != VIEW and manager.for_user(actor, VIEW).filter(pk=obj.pk).exists():
            raise InspectionError("not_allowed", status=403)
        raise InspectionError("not_allowed", status=404)
    return row
