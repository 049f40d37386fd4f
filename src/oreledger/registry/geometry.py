"""Mining-right boundaries as GeoJSON (Polygon, MultiPolygon): validation and measures."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from oreledger.core.distance import haversine_km

MAX_POSITIONS = 20_000
MIN_RING_POSITIONS = 4

Position = tuple[float, float]  # (lon, lat), the GeoJSON order
Ring = list[Position]

# Float orientation results smaller than this share of their terms are recomputed exactly.
_ORIENTATION_TOLERANCE = 1e-12


def _error(message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _load(value: str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, str | bytes):
        try:
            loaded = json.loads(value)
        except ValueError as exc:
            raise _error(
                _("The boundary is not valid JSON: %(reason)s."), "boundary_json", reason=str(exc)
            ) from exc
    else:
        loaded = value
    if not isinstance(loaded, Mapping):
        raise _error(_("The boundary must be a GeoJSON object."), "boundary_json")
    if loaded.get("type") == "Feature" and isinstance(loaded.get("geometry"), Mapping):
        loaded = loaded["geometry"]
    return loaded


def _position(raw: Any) -> Position:
    if not isinstance(raw, list | tuple) or len(raw) < 2:
        raise _error(
            _("Each position must be a [longitude, latitude] pair, not %(value)s."),
            "boundary_coordinates",
            value=json.dumps(raw, default=str)[:60],
        )
    lon, lat = raw[0], raw[1]
    for number in (lon, lat):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise _error(
                _("Coordinates must be numbers, not %(value)s."),
                "boundary_coordinates",
                value=json.dumps(number, default=str)[:60],
            )
        if not math.isfinite(number):
            raise _error(_("Coordinates must be finite numbers."), "boundary_coordinates")
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        raise _error(
            _(
                "Position [%(lon)s, %(lat)s] is outside the globe: longitude must lie in "
                "[-180, 180] and latitude in [-90, 90] (GeoJSON puts longitude first)."
            ),
            "boundary_coordinates",
            lon=lon,
            lat=lat,
        )
    return (float(lon), float(lat))


def _ring(raw: Any) -> Ring:
    if not isinstance(raw, list | tuple):
        raise _error(_("A ring must be a list of positions."), "boundary_coordinates")
    ring: Ring = []
    for raw_position in raw:
        position = _position(raw_position)
        if not ring or ring[-1] != position:  # repeated consecutive positions carry nothing
            ring.append(position)
    if len(ring) < MIN_RING_POSITIONS or ring[0] != ring[-1]:
        raise _error(
            _(
                "Each ring must be closed (first position repeated at the end) and have at "
                "least 4 positions."
            ),
            "boundary_ring",
        )
    return ring


def _polygon_rings(raw: Any) -> list[Ring]:
    if not isinstance(raw, list | tuple) or not raw:
        raise _error(_("A polygon must be a non-empty list of rings."), "boundary_coordinates")
    return [_ring(raw_ring) for raw_ring in raw]


def _check_polygon(rings: list[Ring]) -> None:
    for index, ring in enumerate(rings):
        if _ring_self_intersects(ring):
            raise _error(
                _("Ring %(index)s of the boundary crosses or touches itself."),
                "boundary_self_intersection",
                index=index + 1,
            )
        if _signed_area(ring) == 0:
            raise _error(_("A ring encloses no area."), "boundary_ring")
    shell = rings[0]
    for index, hole in enumerate(rings[1:], start=2):
        if not _hole_inside(hole, shell):
            raise _error(
                _("Hole %(index)s of the boundary is not inside its outer ring."),
                "boundary_ring",
                index=index,
            )


def parse_boundary(value: str | Mapping[str, Any]) -> dict[str, Any]:
    """Validate a mining-right boundary (GeoJSON Polygon or MultiPolygon) and normalise it."""
    data = _load(value)
    kind = data.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise _error(
            _("The boundary must be a GeoJSON Polygon or MultiPolygon, not %(value)s."),
            "boundary_type",
            value=str(kind)[:40],
        )
    raw = data.get("coordinates")
    if kind == "Polygon":
        polygons = [_polygon_rings(raw)]
    else:
        if not isinstance(raw, list | tuple) or not raw:
            raise _error(
                _("A MultiPolygon must be a non-empty list of polygons."), "boundary_coordinates"
            )
        polygons = [_polygon_rings(raw_polygon) for raw_polygon in raw]
    count = sum(len(ring) for polygon in polygons for ring in polygon)
    if count > MAX_POSITIONS:
        raise _error(
            _("The boundary has %(count)s positions; at most %(limit)s are accepted."),
            "boundary_coordinates",
            count=count,
            limit=MAX_POSITIONS,
        )
    for polygon in polygons:
        _check_polygon(polygon)
    coordinates = [[[[lon, lat] for lon, lat in ring] for ring in polygon] for polygon in polygons]
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": coordinates[0]}
    return {"type": "MultiPolygon", "coordinates": coordinates}


def _polygons(geom: Mapping[str, Any]) -> Iterator[list[Ring]]:
    kind = geom.get("type")
    coordinates = geom.get("coordinates") or []
    raw_polygons = [coordinates] if kind == "Polygon" else coordinates
    for raw_polygon in raw_polygons:
        yield [[(float(p[0]), float(p[1])) for p in raw_ring] for raw_ring in raw_polygon]


def _vertices(geom: Mapping[str, Any]) -> Iterator[Position]:
    for polygon in _polygons(geom):
        for ring in polygon:
            yield from ring


def point_in_polygon(lat: float, lon: float, geom: Mapping[str, Any]) -> bool:
    """Whether a point lies inside (or on the edge of) a Polygon or MultiPolygon boundary."""
    point = (lon, lat)
    for shell, *holes in _polygons(geom):
        if _position_in_ring(point, shell) and not any(
            _position_in_ring(point, hole, on_edge=False) for hole in holes
        ):
            return True
    return False


def bbox(geom: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """Bounding box of a boundary as (min_lat, min_lon, max_lat, max_lon)."""
    vertices = list(_vertices(geom))
    if not vertices:
        raise ValueError("a boundary without positions has no bounding box")
    lons = [lon for lon, _lat in vertices]
    lats = [lat for _lon, lat in vertices]
    return (min(lats), min(lons), max(lats), max(lons))


def within_radius(
    geom: Mapping[str, Any], centre_lat: float, centre_lon: float, radius_km: float
) -> bool:
    """Whether every vertex of a boundary lies within radius_km of a centre."""
    return all(
        haversine_km(lat, lon, centre_lat, centre_lon) <= radius_km for lon, lat in _vertices(geom)
    )


def _signed_area(ring: Sequence[Position]) -> float:
    return (
        sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1))
        / 2
    )


def _orientation(a: Position, b: Position, c: Position) -> int:
    """Sign of the turn a → b → c: 1 counter-clockwise, -1 clockwise, 0 collinear."""
    left = (b[0] - a[0]) * (c[1] - a[1])
    right = (b[1] - a[1]) * (c[0] - a[0])
    det = left - right
    if abs(det) > _ORIENTATION_TOLERANCE * (abs(left) + abs(right)):
        return 1 if det > 0 else -1
    # Near-collinear: floats are exact rationals, so decide exactly rather than guess.
    fa, fb, fc = ((Fraction(p[0]), Fraction(p[1])) for p in (a, b, c))
    exact = (fb[0] - fa[0]) * (fc[1] - fa[1]) - (fb[1] - fa[1]) * (fc[0] - fa[0])
    return (exact > 0) - (exact < 0)


def _on_segment(p: Position, a: Position, b: Position) -> bool:
    """Whether p, known collinear with a–b, lies within the segment's extent."""
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_intersect(a: Position, b: Position, c: Position, d: Position) -> bool:
    """Whether closed segments a–b and c–d share at least one point."""
    o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
    o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True
    return (
        (o1 == 0 and _on_segment(c, a, b))
        or (o2 == 0 and _on_segment(d, a, b))
        or (o3 == 0 and _on_segment(a, c, d))
        or (o4 == 0 and _on_segment(b, c, d))
    )


def _candidate_pairs(ring: Sequence[Position]) -> Iterator[tuple[int, int]]:
    """Pairs of segments whose longitude extents overlap (a sweep that skips far pairs)."""
    spans = sorted(
        (min(ring[i][0], ring[i + 1][0]), max(ring[i][0], ring[i + 1][0]), i)
        for i in range(len(ring) - 1)
    )
    active: list[tuple[float, int]] = []
    for west, east, index in spans:
        active = [(other_east, other) for other_east, other in active if other_east >= west]
        for _other_east, other in active:
            yield (min(index, other), max(index, other))
        active.append((east, index))


def _ring_self_intersects(ring: Sequence[Position]) -> bool:
    segments = len(ring) - 1
    for i, j in _candidate_pairs(ring):
        a, b, c, d = ring[i], ring[i + 1], ring[j], ring[j + 1]
        adjacent = j == i + 1 or (i == 0 and j == segments - 1)
        if not adjacent:
            if _segments_intersect(a, b, c, d):
                return True
            continue
        # Neighbours share one vertex by construction; they may not fold back over each other.
        if j == i + 1:
            shared, far_first, far_second = b, a, d
        else:
            shared, far_first, far_second = a, b, c
        if _orientation(far_first, shared, far_second) == 0 and (
            _on_segment(far_second, far_first, shared) or _on_segment(far_first, shared, far_second)
        ):
            return True
    return False


def _position_in_ring(point: Position, ring: Sequence[Position], *, on_edge: bool = True) -> bool:
    """Even-odd test; points on an edge count as inside when on_edge is true."""
    inside = False
    x, y = point
    for i in range(len(ring) - 1):
        a, b = ring[i], ring[i + 1]
        if _orientation(a, b, point) == 0 and _on_segment(point, a, b):
            return on_edge
        if (a[1] > y) != (b[1] > y):
            crossing_x = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if x < crossing_x:
                inside = not inside
    return inside


def _hole_inside(hole: Sequence[Position], shell: Sequence[Position]) -> bool:
    if not all(_position_in_ring(vertex, shell) for vertex in hole):
        return False
    for i in range(len(hole) - 1):
        for j in range(len(shell) - 1):
            a, b, c, d = hole[i], hole[i + 1], shell[j], shell[j + 1]
            o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
            o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
            if o1 * o2 < 0 and o3 * o4 < 0:  # a proper crossing leaves the shell
                return False
    return True
