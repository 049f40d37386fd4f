"""Mining-right boundaries are valid GeoJSON areas, and points and distances are measured right."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from oreledger.core.distance import haversine_km
from oreledger.registry.geometry import (
    MAX_POSITIONS,
    bbox,
    parse_boundary,
    point_in_polygon,
    within_radius,
)

SQUARE = [[122.0, 40.0], [122.1, 40.0], [122.1, 40.1], [122.0, 40.1], [122.0, 40.0]]
HOLE = [[122.02, 40.02], [122.04, 40.02], [122.04, 40.04], [122.02, 40.04], [122.02, 40.02]]


def polygon(*rings: Any) -> dict[str, Any]:
    """A GeoJSON Polygon from rings."""
    return {"type": "Polygon", "coordinates": list(rings)}


def error_code(value: Any) -> str:
    """The code of the ValidationError that parsing raises."""
    with pytest.raises(ValidationError) as caught:
        parse_boundary(value)
    return str(caught.value.code)


def test_parse_boundary_normalises_a_polygon() -> None:
    # given a polygon as JSON text with integer coordinates, an altitude, a repeated position
    # and extra members
    text = json.dumps(
        {
            "type": "Polygon",
            "bbox": [0, 0, 1, 1],
            "coordinates": [[[0, 0, 12.5], [1, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
        }
    )
    # when it is parsed
    geom = parse_boundary(text)
    # then only type and 2-D float coordinates remain, without the repeated position
    assert geom == {
        "type": "Polygon",
        "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]],
    }


def test_parse_boundary_accepts_a_multipolygon_with_a_hole() -> None:
    # given a MultiPolygon whose first part has a hole
    far = [[123.0, 41.0], [123.01, 41.0], [123.01, 41.01], [123.0, 41.0]]
    value = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [far]]}
    # when it is parsed
    geom = parse_boundary(value)
    # then it is returned unchanged
    assert geom == value


def test_parse_boundary_unwraps_a_feature() -> None:
    # given a GeoJSON Feature holding a polygon, as drawing tools export it
    feature = {"type": "Feature", "properties": {}, "geometry": polygon(SQUARE)}
    # when it is parsed
    # then its geometry is returned
    assert parse_boundary(feature) == polygon(SQUARE)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("{not json", "boundary_json"),
        ("[1, 2]", "boundary_json"),
        ({"type": "Point", "coordinates": [122.0, 40.0]}, "boundary_type"),
        ({"coordinates": [SQUARE]}, "boundary_type"),
        ({"type": "Polygon", "coordinates": []}, "boundary_coordinates"),
        (polygon([[0, 0], [1, 0], [1, "1"], [0, 0]]), "boundary_coordinates"),
        (polygon([[0, 0], [1, 0], [1, True], [0, 0]]), "boundary_coordinates"),
        (polygon([[0, 0], [1, 0], [1], [0, 0]]), "boundary_coordinates"),
        (polygon([[0, 0], [181, 0], [1, 1], [0, 0]]), "boundary_coordinates"),
        (polygon([[0, 0], [1, 0], [1, 91], [0, 0]]), "boundary_coordinates"),
        (polygon([[0, 0], [1, 0], [1, float("nan")], [0, 0]]), "boundary_coordinates"),
        ({"type": "MultiPolygon", "coordinates": []}, "boundary_coordinates"),
        (polygon([[0, 0], [1, 0], [0, 0]]), "boundary_ring"),
        (polygon([[0, 0], [1, 0], [1, 1], [0, 1]]), "boundary_ring"),
        (polygon([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]), "boundary_self_intersection"),
    ],
)
def test_parse_boundary_reports_stable_codes(value: Any, code: str) -> None:
    # given a malformed boundary
    # when it is parsed
    # then the error carries the stable code for what is wrong
    assert error_code(value) == code


def test_parse_boundary_rejects_a_ring_through_one_vertex_twice() -> None:
    # given a figure-eight ring that passes through (1, 1) twice
    ring = [[0, 0], [1, 1], [2, 0], [2, 2], [1, 1], [0, 2], [0, 0]]
    # when it is parsed
    # then it touches itself
    assert error_code(polygon(ring)) == "boundary_self_intersection"


def test_parse_boundary_rejects_a_spike_that_folds_back() -> None:
    # given a ring whose edge goes out to (3, 0.5) and straight back along itself
    ring = [[0, 0], [2, 0], [2, 0.5], [3, 0.5], [2.5, 0.5], [2, 1], [0, 1], [0, 0]]
    # when it is parsed
    # then the overlapping neighbour edges count as self-intersection
    assert error_code(polygon(ring)) == "boundary_self_intersection"


def test_parse_boundary_rejects_a_flat_ring() -> None:
    # given a ring whose positions all lie on one line
    ring = [[0, 0], [1, 0], [2, 0], [0, 0]]
    # when it is parsed
    # then it is rejected (its closing edge runs back over the others)
    assert error_code(polygon(ring)) == "boundary_self_intersection"


def test_parse_boundary_rejects_crossing_far_apart_edges() -> None:
    # given a ring whose fourth and sixth edges both cross its first edge
    ring = [[0, 0], [4, 0], [4, 4], [3, 4], [3, -1], [2, -1], [2, 5], [0, 5], [0, 0]]
    # when it is parsed
    # then it is reported as self-intersecting
    assert error_code(polygon(ring)) == "boundary_self_intersection"


def test_parse_boundary_rejects_a_hole_outside_its_shell() -> None:
    # given a hole that lies beside the shell
    hole = [[123.0, 40.0], [123.1, 40.0], [123.1, 40.1], [123.0, 40.0]]
    # when it is parsed
    # then the hole is reported
    assert error_code(polygon(SQUARE, hole)) == "boundary_ring"


def test_parse_boundary_rejects_a_hole_crossing_its_shell() -> None:
    # given a hole whose vertices are all inside the shell but whose edge crosses its notch
    shell = [[0, 0], [4, 0], [4, 4], [2, 1], [0, 4], [0, 0]]
    hole = [[1, 2], [3, 2], [3, 2.5], [1, 2.5], [1, 2]]
    # when it is parsed
    # then the hole is reported
    assert error_code(polygon(shell, hole)) == "boundary_ring"


def test_parse_boundary_limits_the_number_of_positions() -> None:
    # given a ring with more positions than accepted
    n = MAX_POSITIONS + 1
    ring = [[math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)] for i in range(n)]
    ring.append(ring[0])
    # when it is parsed
    # then it is refused before any geometry work
    assert error_code(polygon(ring)) == "boundary_coordinates"


def test_parse_boundary_handles_a_ring_of_two_thousand_positions() -> None:
    # given a simple star-shaped ring of 1,999 distinct positions
    n = 1999
    ring = [
        [
            122.5 + 0.01 * math.cos(2 * math.pi * i / n) * (1 + 0.2 * (i % 2)),
            40.8 + 0.01 * math.sin(2 * math.pi * i / n) * (1 + 0.2 * (i % 2)),
        ]
        for i in range(n)
    ]
    ring.append(ring[0])
    # when it is parsed
    geom = parse_boundary(polygon(ring))
    # then it is accepted with all positions
    assert len(geom["coordinates"][0]) == n + 1


def test_point_in_polygon_inside_outside_edge_and_hole() -> None:
    # given a square with a hole
    geom = parse_boundary(polygon(SQUARE, HOLE))
    # when points are tested (lat first)
    # then inside and edge points count, outside and hole points do not
    assert point_in_polygon(40.05, 122.05, geom) is True
    assert point_in_polygon(40.0, 122.05, geom) is True
    assert point_in_polygon(40.1, 122.1, geom) is True
    assert point_in_polygon(40.03, 122.03, geom) is False
    assert point_in_polygon(40.02, 122.03, geom) is True
    assert point_in_polygon(40.2, 122.05, geom) is False
    assert point_in_polygon(40.05, 122.2, geom) is False


def test_point_in_polygon_checks_every_part_of_a_multipolygon() -> None:
    # given a MultiPolygon of two distant squares
    other = [[p[0] + 1.0, p[1]] for p in SQUARE]
    geom = parse_boundary({"type": "MultiPolygon", "coordinates": [[SQUARE], [other]]})
    # when a point inside the second square is tested
    # then it is inside; a point between them is not
    assert point_in_polygon(40.05, 123.05, geom) is True
    assert point_in_polygon(40.05, 122.5, geom) is False


def test_point_in_polygon_concave_shape() -> None:
    # given a U-shaped ring
    ring = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]
    geom = parse_boundary(polygon(ring))
    # when points in the arms and in the notch are tested
    # then the arms are inside and the notch is not
    assert point_in_polygon(2.0, 0.5, geom) is True
    assert point_in_polygon(2.0, 2.5, geom) is True
    assert point_in_polygon(2.0, 1.5, geom) is False


def test_bbox_is_lat_lon_ordered() -> None:
    # given a square from (122.0, 40.0) to (122.1, 40.1) in GeoJSON order
    geom = parse_boundary(polygon(SQUARE))
    # when its bounding box is taken
    # then it reads (min_lat, min_lon, max_lat, max_lon)
    assert bbox(geom) == (40.0, 122.0, 40.1, 122.1)


def test_within_radius_checks_every_vertex() -> None:
    # given a square of about 8.5 km by 11 km and a centre on its south-west corner
    geom = parse_boundary(polygon(SQUARE))
    farthest = haversine_km(40.0, 122.0, 40.1, 122.1)
    # when it is tested against radii around its south-west corner
    # then only a radius reaching the far corner contains it
    assert within_radius(geom, 40.0, 122.0, farthest + 0.001) is True
    assert within_radius(geom, 40.0, 122.0, farthest - 0.001) is False
