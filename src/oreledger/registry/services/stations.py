"""Weighbridge stations and their signing secrets (shown once, rotated with grace)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region
from oreledger.core.permissions import (
    ADD,
    CHANGE,
)
from oreledger.registry import secrets
from oreledger.registry.errors import field_error
from oreledger.registry.models import (
    Site,
    Station,
)
from oreledger.registry.services._common import (
    DEFAULT_GRACE,
    GRACE_RANGE,
    MAX_GRACE,
    UNKNOWN_SITE,
    _apply,
    _fresh,
    _in_scope,
    _region,
    _require_reason,
    _require_region,
    _require_role,
    _save,
)


def create_station(
    *,
    actor: Any,
    code: str,
    name: str,
    region: Region | str | None,
    lat: Any,
    lon: Any,
    site: Site | None = None,
    issue_secret: bool = True,
) -> tuple[Station, str | None]:
    """Register a weighbridge; returns it with its new secret — the only time it is shown."""
    _require_role(actor, ADD, Station)
    if site is not None:
        _in_scope(actor, site, "site", UNKNOWN_SITE, CHANGE)
    region = _region(region) if region is not None or site is None else site.region
    _require_region(actor, region)
    secret = secrets.new_secret() if issue_secret else None
    station = Station(code=code, name=name, site=site, region=region, lat=lat, lon=lon)
    if secret is not None:
        station.secret_encrypted = secrets.encrypt(secret)
        station.secret_rotated_at = timezone.now()
    with transaction.atomic():
        _save(station, actor=actor, before=None)
    return station, secret


def update_station(*, actor: Any, station: Station, reason: str = "", **changes: Any) -> Station:
    """Change a station's name, place, or the site it guards."""
    _require_role(actor, CHANGE, Station)
    if "region" in changes:
        changes["region"] = _region(changes["region"])
        _require_region(actor, changes["region"])
    if changes.get("site") is not None:
        _in_scope(actor, changes["site"], "site", UNKNOWN_SITE, CHANGE)
    with transaction.atomic():
        station, before = _fresh(station)
        _apply(station, changes, ("name", "site", "region", "lat", "lon"))
        return _save(station, actor=actor, before=before, reason=reason)


def rotate_station_secret(
    *, actor: Any, station: Station, grace: datetime.timedelta = DEFAULT_GRACE
) -> str:
    """Issue a new secret; the old one is still accepted until the grace period ends."""
    _require_role(actor, CHANGE, Station)
    if not datetime.timedelta(0) <= grace <= MAX_GRACE:
        raise field_error("grace", GRACE_RANGE, "grace_range")
    secret = secrets.new_secret()
    now = timezone.now()
    with transaction.atomic():
        station, before = _fresh(station)
        if station.secret_encrypted and grace > datetime.timedelta(0):
            station.previous_secret_encrypted = station.secret_encrypted
            station.previous_secret_expires_at = now + grace
        else:
            station.previous_secret_encrypted = ""
            station.previous_secret_expires_at = None
        station.secret_encrypted = secrets.encrypt(secret)
        station.secret_rotated_at = now
        _save(station, actor=actor, before=before, reason=str(_("secret rotated")))
    return secret


def disable_station(*, actor: Any, station: Station, reason: str) -> Station:
    """Stop accepting anything signed by this station (its secrets are no longer honoured)."""
    _require_role(actor, CHANGE, Station)
    reason = _require_reason(reason)
    with transaction.atomic():
        station, before = _fresh(station)
        if station.disabled_at is not None:
            return station
        station.disabled_at = timezone.now()
        station.previous_secret_encrypted = ""
        station.previous_secret_expires_at = None
        return _save(station, actor=actor, before=before, reason=reason)


def enable_station(*, actor: Any, station: Station, reason: str) -> Station:
    """Accept the station's current secret again."""
    _require_role(actor, CHANGE, Station)
    reason = _require_reason(reason)
    with transaction.atomic():
        station, before = _fresh(station)
        station.disabled_at = None
        return _save(station, actor=actor, before=before, reason=reason)


def station_secrets(station: Station, now: datetime.datetime | None = None) -> list[str]:
    """The secrets a signature from this station may be made with, newest first."""
    if station.disabled_at is not None or not station.secret_encrypted:
        return []
    now = now or timezone.now()
    accepted = [secrets.decrypt(station.secret_encrypted)]
    expires = station.previous_secret_expires_at
    if station.previous_secret_encrypted and expires is not None and now < expires:
        accepted.append(secrets.decrypt(station.previous_secret_encrypted))
    return accepted
