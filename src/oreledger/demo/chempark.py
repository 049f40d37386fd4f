"""The demo's chemical park (化工园区): about twenty chemical enterprises in one town of one
county, each with its plant and its own permits (危险化学品安全生产许可证 and the rest),
written as rows of the bundle's enterprises, sites and permits sheets — a second industry
configured through the same importer as the magnesite one.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from oreledger.demo import catalogue, names
from oreledger.demo.geography import County
from oreledger.registry.identifiers import make_uscc

__all__ = ["PARK_SIZE", "chemical_park"]

PARK_SIZE = 20
# Enterprise serials below the generator's (10,000,000 and up): the park never collides.
_SERIALS = 1_000
# Permit serials above the generator's, per permit type.
_PERMIT_SERIALS = 9_000
_PRODUCTS = ("氯化镁", "硫酸镁", "氢氧化镁", "氧化镁精细化学品", "镁基阻燃剂", "硼酸", "氨水")


def chemical_park(
    *, seed: int, county: County, town: str, lat: float, lon: float, today: date,
    size: int = PARK_SIZE,
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """The park's rows by sheet: enterprises, their plants, and every permit a chemical
    enterprise must hold (a few expiring or suspended, as a real park has)."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {"enterprises": [], "sites": [], "permits": []}
    used: set[str] = set()
    for n in range(1, size + 1):
        uscc = make_uscc(county.code, _SERIALS + n)
        while True:
            brand = names.brand(rng)
            suffix = rng.choice(names.COMPANY_SUFFIXES["chemical"])
            name = county.company_prefix + brand + suffix
            if name not in used:
                break
        used.add(name)
        rows["enterprises"].append(
            {"uscc": uscc, "name": name, "kind": "chemical", "industry": "chemical",
             "region_code": county.code, "legal_rep": names.person_name(rng),
             "status": "operating"}
        )  # fmt: skip
        rows["sites"].append(
            {"code": f"{county.prefix}-C-{n:03d}", "enterprise_uscc": uscc, "kind": "plant",
             "name": f"{brand}{rng.choice(_PRODUCTS)}装置",
             "region_code": town, "lat": round(lat + rng.uniform(-0.01, 0.01), 6), "boundary": None,
             "lon": round(lon + rng.uniform(-0.012, 0.012), 6),
             "capacity_t": int(round(rng.triangular(10_000, 200_000, 50_000), -3)),
             "permitted_hours": "00:00-24:00", "status": "operating"}
        )  # fmt: skip
        for permit_type in ("business_licence", *catalogue.REQUIRED_PERMITS["chemical"]):
            rows["permits"].append(_permit(rng, permit_type, uscc, county, today, n))
    return rows


def _permit(
    rng: random.Random, permit_type: str, uscc: str, county: County, today: date, n: int
) -> dict[str, Any]:
    valid_from = today - timedelta(days=rng.randint(60, 3 * 365))
    valid_to = today + timedelta(days=rng.randint(200, 3 * 365))
    status = "valid"
    if permit_type == "business_licence":
        valid_to = valid_from + timedelta(days=30 * 365 + 7)
    elif permit_type == "hazardous_chemicals_licence" and n % 7 == 0:
        valid_to = today + timedelta(days=rng.randint(5, 25))  # up for renewal this month
    elif permit_type == "pollutant_discharge_permit" and n % 9 == 0:
        status = "suspended"
    number = catalogue.permit_number(permit_type, _PERMIT_SERIALS + n, uscc, county, valid_from)
    return {"number": number, "type": permit_type, "holder_uscc": uscc, "site_code": None,
            "department": catalogue.PERMIT_DEPARTMENTS[permit_type], "region_code": county.code,
            "valid_from": valid_from, "valid_to": valid_to, "status": status,
            "scope_t": None, "mineral": None}  # fmt: skip
