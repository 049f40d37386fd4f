"""One distance on the Earth's surface for the whole platform."""

from __future__ import annotations

import math

import pytest

from oreledger.core.distance import EARTH_RADIUS_KM, haversine_km


def test_a_degree_along_the_equator_or_a_meridian_is_the_radius_times_pi_over_180() -> None:
    # given one degree east and one degree north of (0, 0)
    # then each is an arc of one degree of the mean radius
    degree = EARTH_RADIUS_KM * math.pi / 180
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(degree, abs=1e-9)
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(degree, abs=1e-9)


def test_haicheng_to_dashiqiao_is_symmetric_and_antipodes_half_the_circumference() -> None:
    # given two county seats, and two antipodal points
    there = haversine_km(40.88, 122.68, 40.64, 122.51)
    back = haversine_km(40.64, 122.51, 40.88, 122.68)
    # then the way there is the way back, a point is 0 from itself, antipodes do not overflow
    assert there == back
    assert there == pytest.approx(30.285256, abs=1e-6)
    assert haversine_km(40.88, 122.68, 40.88, 122.68) == 0.0
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(EARTH_RADIUS_KM * math.pi, abs=1e-9)
