"""The demo province: a Haicheng-like magnesite province written as a province bundle."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from oreledger.core.workbook import write_sheet
from oreledger.demo import names
from oreledger.demo.catalogue import DEMO_USERS, DemoScale, DemoUser
from oreledger.demo.checklists import PARK_COUNTY, campaign_rows, checklist_rows
from oreledger.demo.chempark import chemical_park
from oreledger.demo.fleet import vehicle_rows
from oreledger.demo.geography import (
    COUNTIES,
    COUNTIES_BY_CODE,
    REGIONS,
    SITE_SPREAD_KM,
    TOWN_SPREAD_KM,
    County,
    mine_boundary,
    offset,
    point_inside,
)
from oreledger.demo.ore import contract_rows, grading_rows, quota_rows
from oreledger.demo.permits import permit_rows
from oreledger.demo.places import MINERAL, Enterprise, Site, Town, apportion
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


@dataclass
class DemoProvince:
    """The demo province as bundle rows: sheet name → rows keyed by column key."""

    rows: dict[str, list[dict[str, Any]]]


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
        self.towns: dict[str, list[Town]] = {}
        self.enterprises: list[Enterprise] = []
        self.sites: list[Site] = []
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
        self._usccs: set[str] = set()
        self._names: set[str] = set()
        self._site_numbers: Counter[tuple[str, str]] = Counter()

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
            counts = apportion(count, [county.other_share for county in COUNTIES])
            for county, n in zip(COUNTIES, counts, strict=True):
                for _ in range(n):
                    self._enterprise(kind, county)
        self._yards()
        self._statuses()
        self._enterprise_and_site_rows()
        self._stations()
        self.rows["vehicles"] = vehicle_rows(self.rng, self.scale.trucks, self.enterprises)
        self.rows["permits"] = permit_rows(self.rng, self.today, self.enterprises, self.sites)
        self.rows["quotas"], current_quota = quota_rows(self.rng, self.today, self.sites)
        grading, lots = grading_rows(self.rng, self.today, self.sites, self.scale.assays_per_mine)
        self.rows.update(grading)
        self.rows["contracts"] = contract_rows(
            self.rng, self.today, self.sites, lots, current_quota, self.scale.contracts_per_mine
        )
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
                town = Town(f"{county.code}{101 + index}", name_zh, name_en, county, lat, lon)
                self.towns[county.code].append(town)
                rows.append(self._region_row(town.code, name_zh, name_en, "town", county.code))

    @staticmethod
    def _region_row(
        code: str, name_zh: str, name_en: str, level: str, parent: str | None
    ) -> dict[str, Any]:
        return {"code": code, "name_zh": name_zh, "name_en": name_en, "level": level,
                "parent_code": parent}  # fmt: skip

    def _enterprise(self, kind: str, county: County) -> Enterprise:
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
        enterprise = Enterprise(uscc, name, brand, kind, county, names.person_name(rng))
        self.enterprises.append(enterprise)
        return enterprise

    def _site(self, kind: str, town: Town) -> Site:
        rng, county = self.rng, town.county
        self._site_numbers[(county.code, kind)] += 1
        number = self._site_numbers[(county.code, kind)]
        letter = {"mine": "M", "plant": "P", "yard": "Y"}[kind]
        lat, lon = point_inside(rng, county.code, town.lat, town.lon, SITE_SPREAD_KM)
        site = Site(f"{county.prefix}-{letter}-{number:03d}", kind, "", town, lat, lon)
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

    def _attach(self, site: Site, owner: Enterprise) -> None:
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
        counts = apportion(count, [getattr(county, share) for county in COUNTIES])
        # Some owners hold a second site in the same county; never the first of a county.
        candidates = [
            (c.code, i) for c, n in zip(COUNTIES, counts, strict=True) for i in range(1, n)
        ]
        seconds = round(count * self.scale.second_site_share)
        second = set(rng.sample(candidates, min(seconds, len(candidates))))
        for county, n in zip(COUNTIES, counts, strict=True):
            single: list[Enterprise] = []
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
