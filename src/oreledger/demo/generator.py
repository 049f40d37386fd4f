"""The demo province: a Haicheng-like magnesite province written as a province bundle."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from oreledger.core.workbook import write_sheet
from oreledger.demo import catalogue, names
from oreledger.demo.catalogue import DEMO_USERS, DemoScale, DemoUser
from oreledger.demo.checklists import PARK_COUNTY, campaign_rows, checklist_rows
from oreledger.demo.chempark import chemical_park
from oreledger.demo.geography import (
    COUNTIES,
    COUNTIES_BY_CODE,
    PROVINCE_CODE,
    REGIONS,
    SITE_SPREAD_KM,
    TOWN_SPREAD_KM,
    County,
    mine_boundary,
    offset,
    point_inside,
)
from oreledger.registry.identifiers import make_uscc

__all__ = [
    "DEMO_TODAY",
    "DEMO_USERS",
    "DemoProvince",
    "DemoScale",
    "DemoUser",
    "build_bundle",
    "generate_province",
    "write_bundle",
]

# The demo's "today": dates are relative to it, never to the clock, so bundles are reproducible.
DEMO_TODAY = date(2026, 11, 22)
MINERAL = "magnesite"


@dataclass(frozen=True)
class _Town:
    code: str
    name_zh: str
    name_en: str
    county: County
    lat: float
    lon: float


@dataclass
class _Site:
    code: str
    kind: str
    name: str
    town: _Town
    lat: float
    lon: float
    owner: _Enterprise | None = None
    boundary: dict[str, Any] | None = None
    capacity_t: int | None = None
    hours: str | None = None
    status: str = "operating"


@dataclass
class _Enterprise:
    uscc: str
    name: str
    brand: str
    kind: str
    county: County
    legal_rep: str
    status: str = "operating"
    sites: list[_Site] = field(default_factory=list)
    pristine: bool = False  # a demo login's enterprise: every permit in order


@dataclass
class DemoProvince:
    """The demo province as bundle rows: sheet name → rows keyed by column key."""

    rows: dict[str, list[dict[str, Any]]]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split total into whole parts proportional to weights (largest remainder)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * weight / weight_sum for weight in weights]
    parts = [math.floor(share) for share in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


# The sheets the demo province fills: every sheet of the bundle (the workbook writes them in
# core.bundle's order). Generating needs no Django: a bare `python -c` can generate.
SHEETS = (
    "regions",
    "enterprises",
    "users",
    "sites",
    "stations",
    "vehicles",
    "permits",
    "grades",
    "quotas",
    "assays",
    "floor_prices",
    "contracts",
    "checklists",
    "campaigns",
)


class _ProvinceBuilder:
    """Builds the demo province from one random stream, in a fixed order."""

    def __init__(self, seed: int, scale: DemoScale, today: date) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.today = today
        self.towns: dict[str, list[_Town]] = {}
        self.enterprises: list[_Enterprise] = []
        self.sites: list[_Site] = []
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
        self._usccs: set[str] = set()
        self._names: set[str] = set()
        self._site_numbers: Counter[tuple[str, str]] = Counter()
        self._lots: dict[str, list[str]] = {}
        self._current_quota: dict[str, int] = {}
        self._permit_serials: Counter[str] = Counter()

    def build(self) -> DemoProvince:
        """Every sheet's rows; the order of steps is part of the seed's meaning."""
        self._regions()
        self._site_owners("mine_operator", "mine", self.scale.mines, "mine_share")
        self._site_owners("processor", "plant", self.scale.plants, "plant_share")
        for kind, count in (
            ("trader", self.scale.traders),
            ("chemical", self.scale.chemical),
            ("haulier", self.scale.hauliers),
            ("other", self.scale.others),
        ):
            counts = _apportion(count, [county.other_share for county in COUNTIES])
            for county, n in zip(COUNTIES, counts, strict=True):
                for _ in range(n):
                    self._enterprise(kind, county)
        self._yards()
        self._statuses()
        self._enterprise_and_site_rows()
        self._stations()
        self._vehicles()
        self._permits()
        self._quotas()
        self._grading()
        self._contracts()
        self._users()
        self._second_industry()
        return DemoProvince(self.rows)

    # --- regions, enterprises and sites -------------------------------------------------

    def _regions(self) -> None:
        rng, rows = self.rng, self.rows["regions"]
        for region in REGIONS:
            rows.append(self._region_row(region.code, region.name_zh, region.name_en,
                                         region.level, region.parent_code))  # fmt: skip
        low, high = self.scale.towns_per_county
        for county in COUNTIES:
            pool = names.TOWNS[county.code]
            picked = sorted(rng.sample(range(len(pool)), min(len(pool), rng.randint(low, high))))
            self.towns[county.code] = []
            for index in picked:
                name_zh, name_en = pool[index]
                lat, lon = point_inside(
                    rng, county.code, county.region.lat, county.region.lon, TOWN_SPREAD_KM
                )
                town = _Town(f"{county.code}{101 + index}", name_zh, name_en, county, lat, lon)
                self.towns[county.code].append(town)
                rows.append(self._region_row(town.code, name_zh, name_en, "town", county.code))

    @staticmethod
    def _region_row(
        code: str, name_zh: str, name_en: str, level: str, parent: str | None
    ) -> dict[str, Any]:
        return {"code": code, "name_zh": name_zh, "name_en": name_en, "level": level,
                "parent_code": parent}  # fmt: skip

    def _enterprise(self, kind: str, county: County) -> _Enterprise:
        rng = self.rng
        while True:
            serial = rng.randrange(10_000_000, 100_000_000)
            uscc = make_uscc(county.code, serial)
            if uscc not in self._usccs:
                break
        while True:
            brand = names.brand(rng)
            name = county.company_prefix + brand + rng.choice(names.COMPANY_SUFFIXES[kind])
            if name not in self._names:
                break
        self._usccs.add(uscc)
        self._names.add(name)
        enterprise = _Enterprise(uscc, name, brand, kind, county, names.person_name(rng))
        self.enterprises.append(enterprise)
        return enterprise

    def _site(self, kind: str, town: _Town) -> _Site:
        rng, county = self.rng, town.county
        self._site_numbers[(county.code, kind)] += 1
        number = self._site_numbers[(county.code, kind)]
        letter = {"mine": "M", "plant": "P", "yard": "Y"}[kind]
        lat, lon = point_inside(rng, county.code, town.lat, town.lon, SITE_SPREAD_KM)
        site = _Site(f"{county.prefix}-{letter}-{number:03d}", kind, "", town, lat, lon)
        if kind == "mine":
            site.boundary = mine_boundary(rng, lat, lon)
            site.capacity_t = int(round(rng.triangular(300_000, 2_100_000, 600_000), -4))
            site.hours = "06:00-22:00"
        elif kind == "plant":
            site.capacity_t = int(round(rng.triangular(50_000, 600_000, 150_000), -4))
            site.hours = "00:00-24:00" if rng.random() < 0.15 else "06:00-22:00"
        else:
            site.hours = "06:00-22:00"
        self.sites.append(site)
        return site

    def _attach(self, site: _Site, owner: _Enterprise) -> None:
        site.owner = owner
        owner.sites.append(site)
        place = site.town.name_zh
        if site.kind == "mine":
            site.name = f"{owner.brand}{self.rng.choice(names.VILLAGES)}菱镁矿"
        elif site.kind == "plant":
            site.name = f"{owner.brand}{self.rng.choice(names.PLANT_WORDS)}（{place}）"
        else:
            site.name = f"{owner.brand}矿石堆场（{place}）"

    def _site_owners(self, owner_kind: str, site_kind: str, count: int, share: str) -> None:
        rng = self.rng
        counts = _apportion(count, [getattr(county, share) for county in COUNTIES])
        # Some owners hold a second site in the same county; never the first of a county.
        candidates = [
            (c.code, i) for c, n in zip(COUNTIES, counts, strict=True) for i in range(1, n)
        ]
        seconds = round(count * self.scale.second_site_share)
        second = set(rng.sample(candidates, min(seconds, len(candidates))))
        for county, n in zip(COUNTIES, counts, strict=True):
            single: list[_Enterprise] = []
            for index in range(n):
                site = self._site(site_kind, rng.choice(self.towns[county.code]))
                if (county.code, index) in second and single:
                    owner = single.pop(rng.randrange(len(single)))
                else:
                    owner = self._enterprise(owner_kind, county)
                    single.append(owner)
                self._attach(site, owner)

    def _yards(self) -> None:
        owners = [e for e in self.enterprises if e.kind in ("trader", "other")]
        owners = owners or [e for e in self.enterprises if e.kind == "processor"]
        if not owners:
            return
        for index in range(self.scale.yards):
            owner = owners[index] if index < len(owners) else self.rng.choice(owners)
            town = self.rng.choice(self.towns[owner.county.code])
            self._attach(self._site("yard", town), owner)

    def _statuses(self) -> None:
        rng = self.rng
        for kind in ("mine", "plant"):
            first = next(
                (s for s in self.sites if s.kind == kind and s.town.county.code == "210381"), None
            )
            if first is not None and first.owner is not None:
                first.owner.pristine = True
        for site in self.sites:
            draw = rng.random()
            if site.owner is not None and site.owner.pristine:
                continue
            site.status = (
                "suspended" if draw < 0.05 else "rectifying" if draw < 0.1 else "operating"
            )
        for enterprise in self.enterprises:
            draw = rng.random()
            statuses = {site.status for site in enterprise.sites}
            if enterprise.sites:
                if "operating" not in statuses:
                    enterprise.status = enterprise.sites[0].status
            elif not enterprise.pristine:
                enterprise.status = (
                    "suspended" if draw < 0.02 else "rectifying" if draw < 0.05 else "operating"
                )

    def _enterprise_and_site_rows(self) -> None:
        for e in self.enterprises:
            industry = (
                "chemical" if e.kind == "chemical" else "other" if e.kind == "other" else MINERAL
            )
            self.rows["enterprises"].append(
                {"uscc": e.uscc, "name": e.name, "kind": e.kind, "industry": industry,
                 "region_code": e.county.code, "legal_rep": e.legal_rep, "status": e.status}
            )  # fmt: skip
        for s in self.sites:
            assert s.owner is not None
            self.rows["sites"].append(
                {"code": s.code, "enterprise_uscc": s.owner.uscc, "kind": s.kind, "name": s.name,
                 "region_code": s.town.code, "lat": round(s.lat, 6), "lon": round(s.lon, 6),
                 "boundary": s.boundary, "capacity_t": s.capacity_t,
                 "permitted_hours": s.hours, "status": s.status}
            )  # fmt: skip

    def _stations(self) -> None:
        rng, rows = self.rng, self.rows["stations"]
        low, high = self.scale.checkpoints_per_county
        for county in COUNTIES:
            number = 0
            guarded = [s for s in self.sites if s.town.county is county and s.kind != "yard"]
            for site in guarded:
                number += 1
                # The weighbridge stands at the exit road, just outside the mining right.
                reach = rng.uniform(0.8, 1.0) if site.kind == "mine" else rng.uniform(0.05, 0.2)
                angle = rng.uniform(0, 2 * math.pi)
                lat, lon = offset(
                    site.lat, site.lon, reach * math.cos(angle), reach * math.sin(angle)
                )
                what = "出口计量站" if site.kind == "mine" else "入厂计量站"
                rows.append(
                    {"code": f"{county.prefix}-ST-{number:03d}", "name": site.name + what,
                     "site_code": site.code, "region_code": site.town.code,
                     "lat": round(lat, 6), "lon": round(lon, 6)}
                )  # fmt: skip
            for _ in range(rng.randint(low, high)):
                number += 1
                town = rng.choice(self.towns[county.code])
                lat, lon = point_inside(rng, county.code, town.lat, town.lon, SITE_SPREAD_KM)
                road = rng.choice(names.ROADS)
                rows.append(
                    {"code": f"{county.prefix}-ST-{number:03d}",
                     "name": f"{town.name_zh}{road}矿石运输检查站", "site_code": None,
                     "region_code": town.code, "lat": round(lat, 6), "lon": round(lon, 6)}
                )  # fmt: skip

    # --- vehicles -----------------------------------------------------------------------

    def _vehicles(self) -> None:
        rng, trucks = self.rng, self.scale.trucks
        hauliers = [e for e in self.enterprises if e.kind == "haulier"]
        if not hauliers or trucks <= 0:
            return
        floor = min(5, trucks // len(hauliers))
        fleets = _apportion(
            trucks - floor * len(hauliers), [rng.paretovariate(1.3) for _ in hauliers]
        )
        new_energy = set(rng.sample(range(trucks), round(trucks * catalogue.NEW_ENERGY_SHARE)))
        blacklist_count = max(1, round(trucks * catalogue.BLACKLISTED_SHARE))
        blacklisted = set(rng.sample(range(trucks), blacklist_count))
        axle_counts, axle_weights = zip(*catalogue.AXLE_WEIGHTS.items(), strict=True)
        plates: set[str] = set()
        index = 0
        for haulier, fleet in zip(hauliers, fleets, strict=True):
            for _ in range(fleet + floor):
                while True:
                    prefix = haulier.county.plate_prefix
                    if rng.random() < 0.05:  # trucks registered elsewhere also haul here
                        prefix = rng.choice(catalogue.OTHER_PLATE_PREFIXES)
                    plate = catalogue.plate(rng, prefix, new_energy=index in new_energy)
                    if plate not in plates:
                        break
                plates.add(plate)
                axles = rng.choices(axle_counts, weights=axle_weights)[0]
                low, high = catalogue.TARE_KG_BY_AXLES[axles]
                self.rows["vehicles"].append(
                    {"plate": plate, "owner_uscc": haulier.uscc, "axles": axles,
                     "tare_kg": int(round(rng.uniform(low, high), -1)),
                     "status": "blacklisted" if index in blacklisted else "registered"}
                )  # fmt: skip
                index += 1

    # --- permits ------------------------------------------------------------------------

    def _permits(self) -> None:
        rng, required = self.rng, catalogue.REQUIRED_PERMITS
        # An exact few holders lack one required permit, counted apart for enterprises and
        # sites; holders are keyed by USCC or site code, which never coincide.
        missing: dict[str, str] = {}
        for holders in (
            [(e.uscc, e.kind, e) for e in self.enterprises],
            [(s.code, s.kind, s.owner) for s in self.sites],
        ):
            eligible = [
                (key, kind) for key, kind, owner in holders
                if kind in required and owner is not None and not owner.pristine
            ]  # fmt: skip
            for key, kind in rng.sample(eligible, round(len(eligible) * catalogue.MISSING_SHARE)):
                missing[key] = rng.choice(required[kind])
        for enterprise in self.enterprises:
            self._permit("business_licence", enterprise, None)
            for permit_type in required.get(enterprise.kind, ()):
                if missing.get(enterprise.uscc) != permit_type:
                    self._permit(permit_type, enterprise, None)
            for site in enterprise.sites:
                for permit_type in required.get(site.kind, ()):
                    if missing.get(site.code) != permit_type:
                        self._permit(permit_type, enterprise, site)
                if site.kind in catalogue.OPTIONAL_PERMITS:
                    permit_type, share = catalogue.OPTIONAL_PERMITS[site.kind]
                    if rng.random() < share:
                        self._permit(permit_type, enterprise, site)

    def _permit(self, permit_type: str, holder: _Enterprise, site: _Site | None) -> None:
        rng, today = self.rng, self.today
        status = "valid"
        if permit_type == "business_licence":
            valid_from = today - timedelta(days=rng.randint(2 * 365, 20 * 365))
            valid_to = valid_from + timedelta(days=30 * 365 + 7)  # 营业期限 of thirty years
        else:
            valid_from = today - timedelta(days=rng.randint(60, 5 * 365))
            valid_to = today + timedelta(days=rng.randint(365, 5 * 365))
            problem = None if holder.pristine else self._problem(catalogue.PERMIT_PROBLEMS)
            if problem == "expiring":
                valid_to = today + timedelta(days=rng.randint(1, 30))
            elif problem == "expired":
                valid_to = today - timedelta(days=rng.randint(1, 365))
                valid_from = valid_to - timedelta(days=rng.randint(365, 5 * 365))
            elif problem is not None:
                status = problem
        county = site.town.county if site is not None else holder.county
        mining = permit_type == "mining_licence"
        self._permit_serials[permit_type] += 1
        serial = self._permit_serials[permit_type]
        number = catalogue.permit_number(permit_type, serial, holder.uscc, county, valid_from)
        self.rows["permits"].append(
            {"number": number,
             "type": permit_type, "holder_uscc": holder.uscc,
             "site_code": site.code if site is not None else None,
             "department": catalogue.PERMIT_DEPARTMENTS[permit_type],
             "region_code": county.code,
             "valid_from": valid_from, "valid_to": valid_to, "status": status,
             "scope_t": site.capacity_t if mining and site is not None else None,
             "mineral": MINERAL if mining else None}
        )  # fmt: skip

    def _problem(self, shares: Sequence[tuple[str, float]]) -> str | None:
        """One of the named problems with its share of probability, or None."""
        draw = self.rng.random()
        for problem, share in shares:
            if draw < share:
                return problem
            draw -= share
        return None

    # --- quotas, grading, contracts -----------------------------------------------------

    def _quotas(self) -> None:
        rng, rows = self.rng, self.rows["quotas"]
        mines = [s for s in self.sites if s.kind == "mine"]
        capacity = {c.code: sum(s.capacity_t or 0 for s in mines if s.town.county is c)
                    for c in COUNTIES}  # fmt: skip
        total_capacity = sum(capacity.values())
        if not total_capacity:
            return
        province_total = rng.randint(205, 250) * 100_000
        for period in (self.today.year - 1, self.today.year):
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
                    self._current_quota[mine.code] = mine_t
            province_total = max(20_000_000, province_total - rng.randint(3, 15) * 100_000)

    def _grading(self) -> None:
        rng, today = self.rng, self.today
        for code, name_zh, rank, mgo_min, cao_max, sio2_max in catalogue.GRADES:
            self.rows["grades"].append(
                {"standard": catalogue.GRADING_STANDARD, "code": code, "name_zh": name_zh,
                 "rank": rank, "mgo_min": mgo_min, "cao_max": cao_max, "sio2_max": sio2_max,
                 "fe2o3_max": None, "al2o3_max": None,
                 "effective_from": catalogue.GRADING_EFFECTIVE}
            )  # fmt: skip
        for code, _name, *_limits in catalogue.GRADES:
            self.rows["floor_prices"].append(
                {"grade": code, "valid_from": date(today.year, 1, 1), "valid_to": None,
                 "floor_yuan": catalogue.FLOOR_YUAN[code]}
            )  # fmt: skip
        ladder = [code for code, *_rest in catalogue.GRADES]
        weights = catalogue.TYPICAL_GRADE_WEIGHTS
        for mine in (s for s in self.sites if s.kind == "mine"):
            typical = rng.choices(list(weights), weights=list(weights.values()))[0]
            lab = rng.choice(names.LABS)
            low, high = self.scale.assays_per_mine
            days = sorted(rng.sample(range(3, 300), rng.randint(low, high)), reverse=True)
            self._lots[mine.code] = []
            for number, days_ago in enumerate(days, start=1):
                step = rng.choices((-1, 0, 1), weights=(10, 75, 15))[0]  # + is a worse grade
                target = ladder[min(len(ladder) - 1, max(0, ladder.index(typical) + step))]
                sampled_on = today - timedelta(days=days_ago)
                values = catalogue.assay(rng, target)
                self._lots[mine.code].append(catalogue.grade_of(*values[:3]))
                mgo, cao, sio2, fe2o3, al2o3, loi = (v / 100 for v in values)
                self.rows["assays"].append(
                    {"site_code": mine.code, "lot": f"{sampled_on:%Y%m%d}-{number:02d}",
                     "sampled_on": sampled_on, "mgo": mgo, "cao": cao, "sio2": sio2,
                     "fe2o3": fe2o3, "al2o3": al2o3, "loi": loi,
                     "lab": lab if rng.random() < 0.85 else rng.choice(names.LABS)}
                )  # fmt: skip

    def _contracts(self) -> None:
        rng, year = self.rng, self.today.year
        plants = [s for s in self.sites if s.kind == "plant" and s.status == "operating"]
        serial = 0
        ladder = [code for code, *_rest in catalogue.GRADES]
        for mine in self.sites:
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
            low, high = self.scale.contracts_per_mine
            count = rng.randint(low, high)
            lots = self._lots.get(mine.code) or ["LG"]
            mode = Counter(lots).most_common(1)[0][0]
            quota = self._current_quota.get(mine.code, 0)
            ceiling = min(200, max(20, int(0.9 * quota / count) // 1000))
            for plant, _weight in keyed[:count]:
                assert plant.owner is not None
                serial += 1
                grade = mode if rng.random() < 0.75 else rng.choice(lots)
                # Never sell better ore than the latest assay supports: an honest mine's trucks
                # must not raise grade_mismatch (docs/reference/rules.md) on every trip.
                if ladder.index(grade) < ladder.index(lots[-1]):
                    grade = lots[-1]
                floor = catalogue.FLOOR_YUAN[grade]
                draw = 1.0 if mine.owner.pristine else rng.random()
                status = "draft" if draw < 0.05 else "submitted" if draw < 0.15 else "approved"
                self.rows["contracts"].append(
                    {"number": f"HT-{year}-{serial:04d}", "seller_uscc": mine.owner.uscc,
                     "buyer_uscc": plant.owner.uscc, "origin_site_code": mine.code,
                     "destination_site_code": plant.code, "grade": grade,
                     "quantity_t": rng.randint(20, ceiling) * 1000,
                     "unit_price_yuan": rng.randint(floor, floor * 13 // 10),
                     "valid_from": date(year, 1, 1), "valid_to": date(year, 12, 31),
                     "status": status}
                )  # fmt: skip

    def _users(self) -> None:
        first = {
            kind: next(
                (s.owner for s in self.sites if s.kind == kind and s.owner and s.owner.pristine),
                None,
            )
            for kind in ("mine", "plant")
        }
        for user in DEMO_USERS:
            owner = first.get(user.enterprise) if user.enterprise else None
            self.rows["users"].append(
                {"username": user.username, "display_name": user.display_name,
                 "role": user.role, "region_code": user.region_code,
                 "department": user.department or None,
                 "enterprise_uscc": owner.uscc if owner else None, "api_token": user.api_token}
            )  # fmt: skip

    def _second_industry(self) -> None:
        """The chemical park, every department's checklists and the campaigns under way."""
        county = COUNTIES_BY_CODE[PARK_COUNTY]
        town = self.towns[county.code][0]
        park = chemical_park(seed=self.rng.randrange(2**31), county=county, town=town.code,
                             lat=town.lat, lon=town.lon, today=self.today)  # fmt: skip
        for sheet, rows in park.items():
            self.rows[sheet].extend(rows)
        self.rows["checklists"] = checklist_rows()
        self.rows["campaigns"] = campaign_rows(self.today)


def generate_province(
    *, seed: int, scale: DemoScale | None = None, today: date = DEMO_TODAY
) -> DemoProvince:
    """Generate the demo province's bundle rows, the same for the same seed, scale and day."""
    return _ProvinceBuilder(seed, scale or DemoScale(), today).build()


def _sheet_names(sheets: Iterable[str] | None) -> list[str]:
    # Here, not at the top: the apps register the sheets, and generating needs no Django.
    from oreledger.core.bundle import sheet_order

    order = sheet_order()
    if sheets is None:
        return order
    wanted = list(dict.fromkeys(sheets))
    unknown = [name for name in wanted if name not in order]
    if unknown:
        raise ValueError(f"no such bundle sheets: {', '.join(unknown)}")
    if not wanted:
        # An .xlsx file always has a sheet; openpyxl would add a stray "Sheet" to an empty one.
        raise ValueError("a bundle needs at least one sheet")
    return [name for name in order if name in wanted]


def build_bundle(
    *,
    seed: int,
    scale: DemoScale | None = None,
    today: date = DEMO_TODAY,
    sheets: Iterable[str] | None = None,
) -> Workbook:
    """The demo province as a province-bundle workbook (write-only: save it once)."""
    names_to_write = _sheet_names(sheets)
    province = generate_province(seed=seed, scale=scale, today=today)
    from oreledger.core.bundle import sheet_schemas  # registered by the apps (see _sheet_names)

    wb = Workbook(write_only=True)
    schemas = sheet_schemas()
    for name in names_to_write:
        write_sheet(wb, schemas[name], province.rows[name])
    return wb


def write_bundle(
    path: str | Path,
    *,
    seed: int,
    scale: DemoScale | None = None,
    today: date = DEMO_TODAY,
    sheets: Iterable[str] | None = None,
) -> Path:
    """Write the demo province bundle to path (.xlsx) and return the path."""
    target = Path(path)
    build_bundle(seed=seed, scale=scale, today=today, sheets=sheets).save(target)
    return target
