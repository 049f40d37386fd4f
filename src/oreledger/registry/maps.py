"""What the registry's Leaflet maps draw (registry/static/registry/map.js reads it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from oreledger.registry.models import Site, Station

CountyShading = Callable[[Any], dict[str, dict[str, Any]]]
# The figure the registry map shades counties by. Dashboards registers its quota use
# (dashboards.places.county_quota_use), so the map and the dashboard agree without registry,
# a floor below dashboards, importing it.
_COUNTY_SHADING: list[CountyShading] = []


def register_county_shading(shading: CountyShading) -> None:
    """Declare how the registry map shades counties: `shading(user)` gives the figures of the
    counties the person may see, by county code (from an app's AppConfig.ready)."""
    _COUNTY_SHADING[:] = [shading]


def county_shading(user: Any) -> dict[str, dict[str, Any]]:
    """The county figures the registry map shades by for this person; {} when none."""
    return _COUNTY_SHADING[0](user) if _COUNTY_SHADING else {}


def _point(lat: Any, lon: Any) -> list[float]:
    return [float(lat), float(lon)]


def map_data(
    sites: Iterable[Site],
    stations: Iterable[Station],
    regions: Iterable[Any],
    link: str,
    quota_use: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What map.js draws: county outlines (shaded by quota use when given), sites coloured
    by status, stations.

    `link` is "enterprise" (click through to the enterprise file) or "site"; `quota_use` is
    the registered county shading (the figure the dashboard shows), by county code.
    """
    return {
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "at": _point(r.lat, r.lon) if r.lat is not None and r.lon is not None else None,
                "used_pct": (quota_use or {}).get(r.code, {}).get("used_pct"),
            }
            for r in regions
        ],
        "shaded": quota_use is not None,
        "sites": [
            {
                "code": s.code,
                "name": s.name,
                "enterprise": s.enterprise.name,
                "kind": s.get_kind_display(),
                "status": s.status,
                "status_label": str(s.get_status_display()),
                "at": _point(s.lat, s.lon),
                "boundary": s.boundary,
                "url": s.enterprise.get_absolute_url()
                if link == "enterprise"
                else s.get_absolute_url(),
            }
            for s in sites
        ],
        "stations": [
            {
                "code": st.code,
                "name": st.name,
                "active": st.disabled_at is None,
                "at": _point(st.lat, st.lon),
                "url": st.get_absolute_url(),
            }
            for st in stations
        ],
    }
