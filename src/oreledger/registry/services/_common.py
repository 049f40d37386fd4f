"""Shared steps of the registry use cases: scope checks, validation, saving with audit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import FederatedModel, ObjectChange
from oreledger.core.permissions import (
    ADMIN,
    VIEW,
    may,
)
from oreledger.registry.errors import InvalidRecord, NotYours, field_error
from oreledger.registry.models import (
    PermitType,
    Station,
)

M = TypeVar("M", bound=models.Model)

UNKNOWN_REGION = _("Unknown region %(value)s, or outside your jurisdiction.")
UNKNOWN_DEPARTMENT = _("Unknown department %(value)s.")
UNKNOWN_ENTERPRISE = _("Unknown enterprise %(value)s, or outside your jurisdiction.")
UNKNOWN_SITE = _("Unknown site %(value)s, or outside your jurisdiction.")
UNKNOWN_PERMIT_TYPE = _("Unknown permit type %(value)s.")
UNKNOWN_HOLDER_KIND = _("Unknown holder kind %(value)s for this kind of requirement.")
REASON_REQUIRED = _("Give the reason for this change.")
OWN_DEPARTMENT_ONLY = _("You may only record permits issued by your own department.")
OWNER_REQUIRED = _("A vehicle needs an owner.")
GRACE_RANGE = _("The grace period must lie between 0 and 30 days.")
REGION_LEVEL = _("Registry records belong to a county or a town, not to %(value)s.")

DEFAULT_GRACE = datetime.timedelta(hours=24)
MAX_GRACE = datetime.timedelta(days=30)
# Ciphertexts stay out of the audit trail: it is read by many, and a diff of them says nothing.
_SECRET_FIELDS = ("secret_encrypted", "previous_secret_encrypted")


def _is_system(actor: Any) -> bool:
    """Importers, jobs and the shell act without a person; their callers checked access."""
    return actor is None or not getattr(actor, "is_authenticated", False)


def _is_admin(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == ADMIN)


def _require_role(actor: Any, action: str, model: type[models.Model]) -> None:
    if not _is_system(actor) and not may(actor, action, model):
        raise NotYours()


def _require_region(actor: Any, region: Region, field: str = "region") -> None:
    if region.level not in ("county", "town"):
        raise field_error(field, REGION_LEVEL, "region_level", value=region.name)
    if _is_system(actor) or _is_admin(actor):
        return
    own = getattr(actor, "region", None)
    if own is None or not region.path.startswith(own.path):
        raise field_error(field, UNKNOWN_REGION, "unknown_region", value=region.code)


def _region(value: Region | str | None, field: str = "region") -> Region:
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(code=str(value or "").strip()).first()
    if region is None:
        raise field_error(field, UNKNOWN_REGION, "unknown_region", value=value or "—")
    return region


def _department_kind(value: DepartmentKind | str, field: str = "department") -> DepartmentKind:
    if isinstance(value, DepartmentKind):
        return value
    kind = DepartmentKind.objects.filter(code=str(value or "").strip()).first()
    if kind is None:
        raise field_error(field, UNKNOWN_DEPARTMENT, "unknown_department", value=value or "—")
    return kind


def _permit_type(value: PermitType | str, field: str = "type") -> PermitType:
    if isinstance(value, PermitType):
        return value
    found = PermitType.objects.select_related("department_kind").filter(code=str(value)).first()
    if found is None:
        raise field_error(field, UNKNOWN_PERMIT_TYPE, "unknown_permit_type", value=value)
    return found


def _in_scope(actor: Any, obj: models.Model, field: str, message: Any, action: str = VIEW) -> None:
    if _is_system(actor):
        return
    manager: Any = type(obj)._default_manager
    if not manager.for_user(actor, action).filter(pk=obj.pk).exists():
        raise field_error(field, message, f"unknown_{field}", value=str(obj))


def _validate(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise InvalidRecord(exc) from None


def _apply(obj: models.Model, changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"{type(obj).__name__} cannot change {sorted(unknown)} here")
    for name, value in changes.items():
        setattr(obj, name, value)


def _scrubbed(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {k: v for k, v in data.items() if k not in _SECRET_FIELDS}


def _record(actor: Any, obj: models.Model, action: str, before: Any, reason: str) -> None:
    change = record_change(
        actor=actor, obj=obj, action=action, before=_scrubbed(before), reason=reason
    )
    if isinstance(obj, Station):
        change.after = _scrubbed(change.after)
        change.save(update_fields=["after"])


def _save(obj: M, *, actor: Any, before: dict[str, Any] | None, reason: str = "") -> M:
    """Validate and store a new or changed record with its audit row; a no-op if unchanged."""
    _validate(obj)
    if before is not None and snapshot(obj) == before:
        return obj
    if before is not None and isinstance(obj, FederatedModel):
        obj.bump_version()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        # Lost a race against the same key: report it as the form would have.
        _validate(obj)
        raise
    _record(
        actor,
        obj,
        ObjectChange.Action.UPDATE if before is not None else ObjectChange.Action.CREATE,
        before,
        reason,
    )
    return obj


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", REASON_REQUIRED, "reason_required")
    return reason


def _fresh(obj: M) -> tuple[M, dict[str, Any]]:
    """The row locked and re-read, and its snapshot, so concurrent changes serialise."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    return locked, snapshot(locked)
