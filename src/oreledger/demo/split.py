"""The demo province split for the federation demo: what the province's platform (hub)
records, and what each county's sub-platform (node) records of its own county."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from oreledger.core.workbook import write_sheet
from oreledger.demo.generator import generate_province

# The province's reference data: regions, its users, the grading table and its floor prices,
# the quota allocations down to the counties (a mine's allocation is its county's to make).
HUB_SHEETS = ("regions", "users", "grades", "quotas", "floor_prices")
# What a county records itself (its checklists and campaigns stay out of the demo).
COUNTY_SHEETS = (
    "enterprises",
    "users",
    "sites",
    "stations",
    "vehicles",
    "permits",
    "quotas",
    "assays",
    "contracts",
)


def _in(code: Any, county: str) -> bool:
    """Whether a region code lies in the county (a town's code starts with its county's)."""
    return isinstance(code, str) and code.startswith(county)


def hub_rows(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The province's own rows: every region, province and city users, allocations of
    regions (the province's and each county's)."""
    regions = {r["code"] for r in rows["regions"]}
    return {
        "regions": rows["regions"],
        "users": [
            u
            for u in rows["users"]
            if len(str(u.get("region_code") or "")) == 6 and str(u["region_code"]).endswith("00")
        ],
        "grades": rows["grades"],
        "quotas": [q for q in rows["quotas"] if str(q["holder"]) in regions],
        "floor_prices": rows["floor_prices"],
    }


def county_rows(rows: dict[str, list[dict[str, Any]]], county: str) -> dict[str, list[Any]]:
    """The county's own rows: its enterprises and what they hold, its sites, stations, users,
    mines' allocations, assays, and the contracts between its own enterprises and sites."""
    enterprises = [e for e in rows["enterprises"] if _in(e["region_code"], county)]
    usccs = {e["uscc"] for e in enterprises}
    sites = [s for s in rows["sites"] if _in(s["region_code"], county)]
    codes = {s["code"] for s in sites}
    return {
        "enterprises": enterprises,
        "users": [u for u in rows["users"] if _in(u.get("region_code"), county)],
        "sites": sites,
        "stations": [s for s in rows["stations"] if s["site_code"] in codes],
        "vehicles": [v for v in rows["vehicles"] if v.get("owner_uscc") in usccs],
        "permits": [p for p in rows["permits"] if p["holder_uscc"] in usccs],
        "quotas": [q for q in rows["quotas"] if q["holder"] in codes],
        "assays": [a for a in rows["assays"] if a["site_code"] in codes],
        "contracts": [
            c
            for c in rows["contracts"]
            if {c["seller_uscc"], c["buyer_uscc"]} <= usccs
            and {c["origin_site_code"], c["destination_site_code"]} <= codes
        ],
    }


def _write(path: Path, rows: dict[str, list[dict[str, Any]]], sheets: Iterable[str]) -> Path:
    from oreledger.core.bundle import sheet_order, sheet_schemas

    wanted = set(sheets)
    wb = Workbook(write_only=True)
    schemas = sheet_schemas()
    for name in sheet_order():
        if name in wanted:
            write_sheet(wb, schemas[name], rows[name])
    wb.save(path)
    return path


def write_split_bundles(directory: Path, *, seed: int, counties: Iterable[str]) -> dict[str, Path]:
    """The hub's bundle ("hub") and each county's (by its code), from one generated province."""
    rows = generate_province(seed=seed).rows
    directory.mkdir(parents=True, exist_ok=True)
    written = {"hub": _write(directory / "hub.xlsx", hub_rows(rows), HUB_SHEETS)}
    for county in counties:
        own = county_rows(rows, county)
        written[county] = _write(directory / f"{county}.xlsx", own, COUNTY_SHEETS)
    return written
