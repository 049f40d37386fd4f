"""Enterprises, their sites and their vehicles."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from oreledger.accounts.models import Region
from oreledger.core.permissions import (
    ADD,
    CHANGE,
)
from oreledger.registry.choices import (
    Industry,
    OperatingStatus,
)
from oreledger.registry.errors import field_error
from oreledger.registry.models import (
    Enterprise,
    Site,
    Vehicle,
)
from oreledger.registry.services._common import (
    OWNER_REQUIRED,
    UNKNOWN_ENTERPRISE,
    _apply,
    _fresh,
    _in_scope,
    _region,
    _require_reason,
    _require_region,
    _require_role,
    _save,
)


def create_enterprise(
    *,
    actor: Any,
    uscc: str,
    name: str,
    kind: str,
    region: Region | str,
    industry: str = Industry.MAGNESITE,
    legal_rep: str = "",
    status: str = OperatingStatus.OPERATING,
    classification: str = "",
) -> Enterprise:
    """Register an enterprise under its unified social credit code."""
    _require_role(actor, ADD, Enterprise)
    region = _region(region)
    _require_region(actor, region)
    enterprise = Enterprise(
        uscc=uscc,
        name=name,
        kind=kind,
        industry=industry,
        region=region,
        legal_rep=legal_rep,
        status=status,
        classification=classification,
    )
    with transaction.atomic():
        return _save(enterprise, actor=actor, before=None)


def update_enterprise(
    *, actor: Any, enterprise: Enterprise, reason: str = "", **changes: Any
) -> Enterprise:
    """Change an enterprise's identity (name, kind, industry, region, legal representative)."""
    _require_role(actor, CHANGE, Enterprise)
    if "region" in changes:
        changes["region"] = _region(changes["region"])
        _require_region(actor, changes["region"])
    with transaction.atomic():
        enterprise, before = _fresh(enterprise)
        _apply(enterprise, changes, ("name", "kind", "industry", "region", "legal_rep"))
        return _save(enterprise, actor=actor, before=before, reason=reason)


def change_enterprise_status(
    *,
    actor: Any,
    enterprise: Enterprise,
    status: str,
    reason: str,
    classification: str | None = None,
) -> Enterprise:
    """Suspend, reopen, or shut an enterprise, or change its rectification classification."""
    _require_role(actor, CHANGE, Enterprise)
    reason = _require_reason(reason)
    with transaction.atomic():
        enterprise, before = _fresh(enterprise)
        enterprise.status = status
        if classification is not None:
            enterprise.classification = classification
        return _save(enterprise, actor=actor, before=before, reason=reason)


def create_site(
    *,
    actor: Any,
    enterprise: Enterprise,
    code: str,
    kind: str,
    name: str,
    lat: Any,
    lon: Any,
    region: Region | str | None = None,
    boundary: Any = None,
    capacity_t: int | None = None,
    hours_from: int = 6 * 60,
    hours_to: int = 22 * 60,
    status: str = OperatingStatus.OPERATING,
) -> Site:
    """Register a mine, plant or yard of an enterprise."""
    _require_role(actor, ADD, Site)
    _in_scope(actor, enterprise, "enterprise", UNKNOWN_ENTERPRISE, CHANGE)
    region = _region(region) if region is not None else enterprise.region
    _require_region(actor, region)
    site = Site(
        enterprise=enterprise,
        code=code,
        kind=kind,
        name=name,
        region=region,
        lat=lat,
        lon=lon,
        boundary=boundary,
        capacity_t=capacity_t,
        hours_from=hours_from,
        hours_to=hours_to,
        status=status,
    )
    with transaction.atomic():
        return _save(site, actor=actor, before=None)


def update_site(*, actor: Any, site: Site, reason: str = "", **changes: Any) -> Site:
    """Change a site's name, place, boundary, capacity or working hours."""
    _require_role(actor, CHANGE, Site)
    if "region" in changes:
        changes["region"] = _region(changes["region"])
        _require_region(actor, changes["region"])
    allowed = ("name", "kind", "region", "lat", "lon", "boundary", "capacity_t")
    with transaction.atomic():
        site, before = _fresh(site)
        _apply(site, changes, (*allowed, "hours_from", "hours_to"))
        return _save(site, actor=actor, before=before, reason=reason)


def change_site_status(*, actor: Any, site: Site, status: str, reason: str) -> Site:
    """Suspend, reopen or shut a site."""
    _require_role(actor, CHANGE, Site)
    reason = _require_reason(reason)
    with transaction.atomic():
        site, before = _fresh(site)
        site.status = status
        return _save(site, actor=actor, before=before, reason=reason)


def create_vehicle(
    *, actor: Any, plate: str, owner: Enterprise | None, axles: int, tare_kg: int
) -> Vehicle:
    """Register a truck by its plate."""
    _require_role(actor, ADD, Vehicle)
    if owner is None:
        raise field_error("owner", OWNER_REQUIRED, "required")
    _in_scope(actor, owner, "owner", UNKNOWN_ENTERPRISE, CHANGE)
    vehicle = Vehicle(plate=plate, owner=owner, axles=axles, tare_kg=tare_kg)
    with transaction.atomic():
        return _save(vehicle, actor=actor, before=None)


def update_vehicle(*, actor: Any, vehicle: Vehicle, reason: str = "", **changes: Any) -> Vehicle:
    """Change a truck's owner, axles or registered tare."""
    _require_role(actor, CHANGE, Vehicle)
    if "owner" in changes:
        if changes["owner"] is None:
            raise field_error("owner", OWNER_REQUIRED, "required")
        _in_scope(actor, changes["owner"], "owner", UNKNOWN_ENTERPRISE, CHANGE)
    with transaction.atomic():
        vehicle, before = _fresh(vehicle)
        _apply(vehicle, changes, ("owner", "axles", "tare_kg"))
        return _save(vehicle, actor=actor, before=before, reason=reason)
