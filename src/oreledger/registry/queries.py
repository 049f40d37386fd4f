"""Read-side lookups of the registry that other apps ask for instead of naming its tables."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from oreledger.core.prepared import any_of, columns, every_field, load, run
from oreledger.registry.models import Vehicle, VehicleBlacklisting

_VEHICLE_FIELDS = every_field(Vehicle)


def vehicles_of(plates: Iterable[str]) -> dict[str, Vehicle]:
    """The registered vehicles of these plates, by plate, in one statement."""
    wanted = sorted(set(plates))
    if not wanted:
        return {}
    where, params = any_of("plate", wanted)
    sql = f"SELECT {columns(Vehicle, _VEHICLE_FIELDS)} FROM {Vehicle._meta.db_table} WHERE {where}"  # noqa: S608
    return {v.plate: v for v in load(Vehicle, _VEHICLE_FIELDS, run(sql, params).rows)}


def county_blacklisted_plates() -> frozenset[str]:
    """The plates a county's blacklisting in force bars in every county (one statement)."""
    rows = VehicleBlacklisting.objects.filter(in_force=True).values_list("plate", flat=True)
    return frozenset(rows)


def is_blacklisted(plate: str) -> bool:
    """Whether a plate is barred: its vehicle blacklisted, or a county's blacklisting in force."""
    if Vehicle.objects.filter(plate=plate, status="blacklisted").exists():
        return True
    return federated() and VehicleBlacklisting.objects.filter(plate=plate, in_force=True).exists()


def federated() -> bool:
    """Whether county blacklistings can exist here (a hub or a node; never standalone)."""
    return bool(settings.OL_NODE_ROLE != "standalone")


def county_blacklistings(plate: str) -> list[VehicleBlacklisting]:
    """The county blacklistings in force of a plate, wherever made (the vehicle's page)."""
    found = VehicleBlacklisting.objects.filter(plate=plate, in_force=True)
    return list(found.select_related("region"))


def blacklisted_here(vehicle: Vehicle) -> bool:
    """Whether this platform's own blacklisting of the truck is in force: what its page may
    lift (a node: its county blacklisting or its own vehicle's status; elsewhere the status)."""
    if settings.OL_NODE_ROLE != "node":
        return bool(vehicle.status == "blacklisted")
    own = VehicleBlacklisting.objects.filter(
        owner_node=settings.OL_NODE_CODE, plate=vehicle.plate, in_force=True
    )
    return own.exists() or (
        vehicle.owner_node == settings.OL_NODE_CODE and vehicle.status == "blacklisted"
    )
