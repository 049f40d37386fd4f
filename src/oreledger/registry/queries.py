"""Read-side lookups of the registry that other apps ask for instead of naming its tables."""

from __future__ import annotations

from collections.abc import Iterable

from oreledger.core.prepared import any_of, columns, every_field, load, run
from oreledger.registry.models import Vehicle

_VEHICLE_FIELDS = every_field(Vehicle)


def vehicles_of(plates: Iterable[str]) -> dict[str, Vehicle]:
    """The registered vehicles of these plates, by plate, in one statement."""
    wanted = sorted(set(plates))
    if not wanted:
        return {}
    where, params = any_of("plate", wanted)
    sql = f"SELECT {columns(Vehicle, _VEHICLE_FIELDS)} FROM {Vehicle._meta.db_table} WHERE {where}"  # noqa: S608
    return {v.plate: v for v in load(Vehicle, _VEHICLE_FIELDS, run(sql, params).rows)}
