"""The demo province's ore: mining quotas, grades with their assays and floor prices, contracts."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from oreledger.demo import catalogue, names
from oreledger.demo.geography import COUNTIES, PROVINCE_CODE
from oreledger.demo.places import MINERAL, Site

Rows = list[dict[str, Any]]


def quota_rows(
    rng: random.Random, today: date, sites: Sequence[Site]
) -> tuple[Rows, dict[str, int]]:
    """The quotas sheet for last year and this one, and each mine's quota of this year."""
    rows: Rows = []
    current: dict[str, int] = {}
    mines = [s for s in sites if s.kind == "mine"]
    capacity = {c.code: sum(s.capacity_t or 0 for s in mines if s.town.county is c)
                for c in COUNTIES}  # fmt: skip
    total_capacity = sum(capacity.values())
    if not total_capacity:
        return rows, current
    province_total = rng.randint(205, 250) * 100_000
    for period in (today.year - 1, today.year):
        rows.append({"period": period, "holder": PROVINCE_CODE, "mineral": MINERAL,
                     "allocated_t": province_total})  # fmt: skip
        counties_total = province_total * rng.uniform(0.88, 0.95)
        for county in COUNTIES:
            if not capacity[county.code]:
                continue
            share = capacity[county.code] / total_capacity
            county_t = math.floor(counties_total * share / 1000) * 1000
            rows.append({"period": period, "holder": county.code, "mineral": MINERAL,
                         "allocated_t": county_t})  # fmt: skip
            mines_total = county_t * rng.uniform(0.85, 0.95)
            for mine in mines:
                if mine.town.county is not county:
                    continue
                mine_capacity = mine.capacity_t or 0
                exact = mines_total * mine_capacity / capacity[county.code]
                mine_t = min(mine_capacity, math.floor(exact / 1000) * 1000)
                rows.append({"period": period, "holder": mine.code, "mineral": MINERAL,
                             "allocated_t": mine_t})  # fmt: skip
                current[mine.code] = mine_t
        province_total = max(20_000_000, province_total - rng.randint(3, 15) * 100_000)
    return rows, current


def grading_rows(
    rng: random.Random, today: date, sites: Sequence[Site], assays_per_mine: tuple[int, int]
) -> tuple[dict[str, Rows], dict[str, list[str]]]:
    """The grades, floor_prices and assays sheets, and each mine's lot grades, oldest first."""
    sheets: dict[str, Rows] = {"grades": [], "floor_prices": [], "assays": []}
    lots: dict[str, list[str]] = {}
    for code, name_zh, rank, mgo_min, cao_max, sio2_max in catalogue.GRADES:
        sheets["grades"].append(
            {"standard": catalogue.GRADING_STANDARD, "code": code, "name_zh": name_zh,
             "rank": rank, "mgo_min": mgo_min, "cao_max": cao_max, "sio2_max": sio2_max,
             "fe2o3_max": None, "al2o3_max": None,
             "effective_from": catalogue.GRADING_EFFECTIVE}
        )  # fmt: skip
    for code, _name, *_limits in catalogue.GRADES:
        sheets["floor_prices"].append(
            {"grade": code, "valid_from": date(today.year, 1, 1), "valid_to": None,
             "floor_yuan": catalogue.FLOOR_YUAN[code]}
        )  # fmt: skip
    ladder = [code for code, *_rest in catalogue.GRADES]
    weights = catalogue.TYPICAL_GRADE_WEIGHTS
    for mine in (s for s in sites if s.kind == "mine"):
        typical = rng.choices(list(weights), weights=list(weights.values()))[0]
        lab = rng.choice(names.LABS)
        low, high = assays_per_mine
        days = sorted(rng.sample(range(3, 300), rng.randint(low, high)), reverse=True)
        lots[mine.code] = []
        for number, days_ago in enumerate(days, start=1):
            step = rng.choices((-1, 0, 1), weights=(10, 75, 15))[0]  # + is a worse grade
            target = ladder[min(len(ladder) - 1, max(0, ladder.index(typical) + step))]
            sampled_on = today - timedelta(days=days_ago)
            values = catalogue.assay(rng, target)
            lots[mine.code].append(catalogue.grade_of(*values[:3]))
            mgo, cao, sio2, fe2o3, al2o3, loi = (v / 100 for v in values)
            sheets["assays"].append(
                {"site_code": mine.code, "lot": f"{sampled_on:%Y%m%d}-{number:02d}",
                 "sampled_on": sampled_on, "mgo": mgo, "cao": cao, "sio2": sio2,
                 "fe2o3": fe2o3, "al2o3": al2o3, "loi": loi,
                 "lab": lab if rng.random() < 0.85 else rng.choice(names.LABS)}
            )  # fmt: skip
    return sheets, lots


def contract_rows(
    rng: random.Random,
    today: date,
    sites: Sequence[Site],
    lots: dict[str, list[str]],
    current_quota: dict[str, int],
    contracts_per_mine: tuple[int, int],
) -> Rows:
    """The contracts sheet: each operating mine sells to plants nearby, within its quota."""
    rows: Rows = []
    year = today.year
    plants = [s for s in sites if s.kind == "plant" and s.status == "operating"]
    serial = 0
    ladder = [code for code, *_rest in catalogue.GRADES]
    for mine in sites:
        if mine.kind != "mine" or mine.status != "operating" or not plants:
            continue
        assert mine.owner is not None
        county = mine.town.county
        near = [p for p in plants if p.town.county.code in (county.code, *county.neighbours)]
        candidates = near or plants
        # Weighted sampling without replacement: buyers in the same county come first.
        weights = [3.0 if p.town.county is county else 1.0 for p in candidates]
        keyed = sorted(
            zip(candidates, weights, strict=True),
            key=lambda pair: -(rng.random() ** (1 / pair[1])),
        )
        low, high = contracts_per_mine
        count = rng.randint(low, high)
        mine_lots = lots.get(mine.code) or ["LG"]
        mode = Counter(mine_lots).most_common(1)[0][0]
        quota = current_quota.get(mine.code, 0)
        ceiling = min(200, max(20, int(0.9 * quota / count) // 1000))
        for plant, _weight in keyed[:count]:
            assert plant.owner is not None
            serial += 1
            grade = mode if rng.random() < 0.75 else rng.choice(mine_lots)
            # Never sell better ore than the latest assay supports: an honest mine's trucks
            # must not raise grade_mismatch (docs/reference/rules.md) on every trip.
            if ladder.index(grade) < ladder.index(mine_lots[-1]):
                grade = mine_lots[-1]
            floor = catalogue.FLOOR_YUAN[grade]
            draw = 1.0 if mine.owner.pristine else rng.random()
            status = "draft" if draw < 0.05 else "submitted" if draw < 0.15 else "approved"
            rows.append(
                {"number": f"HT-{year}-{serial:04d}", "seller_uscc": mine.owner.uscc,
                 "buyer_uscc": plant.owner.uscc, "origin_site_code": mine.code,
                 "destination_site_code": plant.code, "grade": grade,
                 "quantity_t": rng.randint(20, ceiling) * 1000,
                 "unit_price_yuan": rng.randint(floor, floor * 13 // 10),
                 "valid_from": date(year, 1, 1), "valid_to": date(year, 12, 31),
                 "status": status}
            )  # fmt: skip
    return rows
