"""Permits, and the permit catalogue the province edits without code."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from oreledger.accounts.models import Department, DepartmentKind, Region
from oreledger.accounts.services import department_for
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import (
    ADD,
    CHANGE,
    DEPARTMENT_OFFICER,
)
from oreledger.registry.choices import (
    EnterpriseKind,
    PermitStatus,
    SiteKind,
)
from oreledger.registry.errors import field_error
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitRequirement,
    PermitType,
    Site,
    validity_state,
)
from oreledger.registry.services._common import (
    OWN_DEPARTMENT_ONLY,
    UNKNOWN_ENTERPRISE,
    UNKNOWN_HOLDER_KIND,
    UNKNOWN_SITE,
    _apply,
    _department_kind,
    _fresh,
    _in_scope,
    _permit_type,
    _require_reason,
    _require_region,
    _require_role,
    _save,
)


def _issuing_department(actor: Any, kind: DepartmentKind, region: Region) -> Department:
    """The nearest department of `kind` at or above `region`; created at county level if none."""
    chain = [node for node in _ancestors(region)]
    found = {
        d.region_id: d
        for d in Department.objects.select_related("kind", "region").filter(
            kind=kind, region__in=chain
        )
    }
    department = next((found[node.pk] for node in chain if node.pk in found), None)
    if department is None:
        county = next((node for node in chain if node.level == "county"), region)
        department = department_for(kind_code=kind.code, region=county)
    if getattr(actor, "role", None) == DEPARTMENT_OFFICER and department.pk != getattr(
        actor, "department_id", None
    ):
        raise field_error("department", OWN_DEPARTMENT_ONLY, "own_department_only")
    return department


def _ancestors(region: Region) -> list[Region]:
    chain = []
    node: Region | None = region
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def refresh_validity(permit: Permit, today: datetime.date | None = None) -> None:
    """Set the permit's validity_state for today (before saving it)."""
    if permit.valid_from and permit.valid_to:
        permit.validity_state = validity_state(
            permit.status, permit.valid_from, permit.valid_to, today or timezone.localdate()
        )


def create_permit(
    *,
    actor: Any,
    number: str,
    type: PermitType | str,
    holder: Enterprise,
    valid_from: datetime.date,
    valid_to: datetime.date,
    site: Site | None = None,
    department: DepartmentKind | Department | str | None = None,
    status: str = PermitStatus.VALID,
    scope_t: int | None = None,
    mineral: str = "",
) -> Permit:
    """Record a permit issued to an enterprise or one of its sites."""
    _require_role(actor, ADD, Permit)
    permit_type = _permit_type(type)
    _in_scope(actor, holder, "holder", UNKNOWN_ENTERPRISE)
    if site is not None:
        _in_scope(actor, site, "site", UNKNOWN_SITE)
    region = site.region if site is not None else holder.region
    _require_region(actor, region)
    # The issuing department may be made on first use: in the permit's transaction, so a
    # refused permit leaves no department (nor its audit and outbox rows) behind.
    with transaction.atomic():
        issuer = _resolve_department(actor, department, permit_type, region)
        permit = Permit(
            number=number,
            type=permit_type,
            holder=holder,
            site=site,
            department=issuer,
            region=region,
            valid_from=valid_from,
            valid_to=valid_to,
            status=status,
            scope_t=scope_t,
            mineral=mineral,
        )
        refresh_validity(permit)
        return _save(permit, actor=actor, before=None)


def _resolve_department(
    actor: Any,
    value: DepartmentKind | Department | str | None,
    permit_type: PermitType,
    region: Region,
) -> Department:
    if isinstance(value, Department):
        return _issuing_department(actor, value.kind, value.region)
    kind = _department_kind(value) if value else permit_type.department_kind
    return _issuing_department(actor, kind, region)


def update_permit(*, actor: Any, permit: Permit, reason: str = "", **changes: Any) -> Permit:
    """Change a permit's type, site, issuer, validity or scope."""
    _require_role(actor, CHANGE, Permit)
    if "type" in changes:
        changes["type"] = _permit_type(changes["type"])
    if changes.get("site") is not None:
        _in_scope(actor, changes["site"], "site", UNKNOWN_SITE)
    with transaction.atomic():
        permit, before = _fresh(permit)
        department = changes.pop("department", None)
        _apply(permit, changes, ("type", "site", "valid_from", "valid_to", "scope_t", "mineral"))
        permit.region = (
            permit.site.region if permit.site_id and permit.site else permit.holder.region
        )
        _require_region(actor, permit.region)
        if department is not None or "type" in changes:
            permit.department = _resolve_department(actor, department, permit.type, permit.region)
        refresh_validity(permit)
        return _save(permit, actor=actor, before=before, reason=reason)


def change_permit_status(*, actor: Any, permit: Permit, status: str, reason: str) -> Permit:
    """Suspend, revoke or reinstate a permit."""
    _require_role(actor, CHANGE, Permit)
    reason = _require_reason(reason)
    with transaction.atomic():
        permit, before = _fresh(permit)
        permit.status = status
        refresh_validity(permit)
        return _save(permit, actor=actor, before=before, reason=reason)


def create_permit_type(
    *,
    actor: Any,
    code: str,
    name_zh: str,
    name_en: str,
    department_kind: DepartmentKind | str,
    holder: str,
    required_at_gate: bool = False,
) -> PermitType:
    """Add a kind of permit to the catalogue (province office only)."""
    _require_role(actor, ADD, PermitType)
    permit_type = PermitType(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        department_kind=_department_kind(department_kind, "department_kind"),
        holder=holder,
        required_at_gate=required_at_gate,
    )
    with transaction.atomic():
        return _save(permit_type, actor=actor, before=None)


def update_permit_type(*, actor: Any, permit_type: PermitType, **changes: Any) -> PermitType:
    """Rename a permit type, move it to another department, or change its gate check."""
    _require_role(actor, CHANGE, PermitType)
    if "department_kind" in changes:
        changes["department_kind"] = _department_kind(changes["department_kind"], "department_kind")
    with transaction.atomic():
        permit_type, before = _fresh(permit_type)
        _apply(
            permit_type,
            changes,
            ("name_zh", "name_en", "department_kind", "holder", "required_at_gate"),
        )
        return _save(permit_type, actor=actor, before=before)


def add_permit_requirement(
    *, actor: Any, applies_to: str, holder_kind: str, permit_type: PermitType | str
) -> PermitRequirement:
    """Require a permit type of every enterprise or site of a kind (province office only)."""
    _require_role(actor, ADD, PermitRequirement)
    kinds = (
        {"*", *EnterpriseKind.values}
        if applies_to == PermitRequirement.AppliesTo.ENTERPRISE
        else set(SiteKind.values)
    )
    if holder_kind not in kinds:
        raise field_error(
            "holder_kind", UNKNOWN_HOLDER_KIND, "unknown_holder_kind", value=holder_kind
        )
    requirement = PermitRequirement(
        applies_to=applies_to,
        holder_kind=holder_kind,
        permit_type=_permit_type(permit_type, "permit_type"),
    )
    with transaction.atomic():
        return _save(requirement, actor=actor, before=None)


def remove_permit_requirement(*, actor: Any, requirement: PermitRequirement) -> None:
    """Take a cell out of the required-permit matrix."""
    _require_role(actor, CHANGE, PermitRequirement)
    with transaction.atomic():
        before = snapshot(requirement)
        record_change(
            actor=actor, obj=requirement, action=ObjectChange.Action.DELETE, before=before
        )
        requirement.delete()
