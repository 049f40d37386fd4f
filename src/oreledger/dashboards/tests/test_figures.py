"""Every surface's tonnage equals the raw tickets: out = mine exits, in = plant-gate entries.

A day with exits, plant-gate entries, checkpoint passages (sent as "in", as the stations
do), a plant's own product going out and a held truck; each figure of the dashboard (API,
page cards and county table, big screen, CSV and xlsx exports, the rollups themselves) is
compared with sums computed here from the Ticket rows, never from the rollups.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from oreledger.core import numbers
from oreledger.dashboards.figures import periods
from oreledger.dashboards.models import DailyRollup
from oreledger.dashboards.rollups import check_days, refresh_rollups
from oreledger.dashboards.tests.world import simulate_day
from oreledger.weighing.models import Ticket

pytestmark = pytest.mark.django_db

HAICHENG = "210381"


@pytest.fixture
def day(world):
    built = simulate_day(world)
    refresh_rollups()
    return built


def t(kg: int) -> float:
    return round(kg / 1000, 2)


class Raw:
    """The test's own arithmetic over the tickets in a scope."""

    def __init__(self, **lookup: Any) -> None:
        self.tickets = list(Ticket.objects.filter(**lookup).select_related("contract__grade"))

    def days(self, first: datetime.date, last: datetime.date) -> list[Ticket]:
        return [x for x in self.tickets if first <= timezone.localtime(x.gross_at).date() <= last]

    def figures(self, first: datetime.date, last: datetime.date) -> dict[str, Any]:
        rows = self.days(first, last)
        released = [x for x in rows if x.release]
        return {
            "out_t": t(sum(x.net_kg for x in released if x.kind == "exit")),
            "in_t": t(sum(x.net_kg for x in released if x.kind == "entry")),
            "trucks": sum(1 for x in released if x.kind == "exit"),
            "held_trucks": sum(1 for x in rows if not x.release),
        }

    def grades(self, first: datetime.date, last: datetime.date) -> dict[str, dict[str, Any]]:
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for x in self.days(first, last):
            if x.release and x.kind == "exit":
                grade = x.contract.grade.code if x.contract_id else x.declared_grade
                sums[grade][0] += x.net_kg
                sums[grade][1] += 1
        return {g: {"out_t": t(kg), "trucks": n} for g, (kg, n) in sums.items()}


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def _card(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1)


def _written(value: float) -> str:
    return numbers.tonnes_figure(value)


def test_the_day_has_every_kind_so_a_miscount_would_show(world, day) -> None:
    # given the simulated day: checkpoint passages sent as "in" and a plant's outbound truck
    kinds = Counter((x.kind, x.direction) for x in Ticket.objects.all())
    assert kinds[("checkpoint", "in")] >= 4 and kinds[("other", "out")] == 1
    assert kinds[("exit", "out")] >= 12 and kinds[("entry", "in")] >= 6
    # then counting every "in" (or everything not out) would differ from plant-gate entries
    every_in = sum(x.net_kg for x in Ticket.objects.filter(release=True, direction="in"))
    entries = sum(x.net_kg for x in Ticket.objects.filter(release=True, kind="entry"))
    assert every_in > entries > 0


def test_api_tonnage_and_daily_equal_the_tickets_in_every_scope(world, day) -> None:
    api = world.api("province_officer")
    today = timezone.localdate()
    scopes = {
        "": Raw(),
        f"?region={HAICHENG}": Raw(region__path__startswith=world.haicheng.path),
        "?region=210882": Raw(region__path__startswith=world.dashiqiao.path),
        f"?site={day.chain.mines[0].site.code}": Raw(site=day.chain.mines[0].site),
        f"?site={day.chain.plant.code}": Raw(site=day.chain.plant),
    }
    for query, raw in scopes.items():
        tonnage = api.get(f"/api/v1/dashboard/tonnage/{query}").json()
        for row, (key, _label, first, last) in zip(tonnage["periods"], periods(today), strict=True):
            assert row["period"] == key
            got = {k: row[k] for k in ("out_t", "in_t", "trucks", "held_trucks")}
            assert got == raw.figures(first, last), (query, key)
        daily = api.get(f"/api/v1/dashboard/daily/{query}").json()["rows"]
        for row in daily:
            day_ = datetime.date.fromisoformat(row["day"])
            want = raw.figures(day_, day_)
            assert (row["out_t"], row["in_t"], row["trucks"]) == (
                want["out_t"],
                want["in_t"],
                want["trucks"],
            ), (query, row["day"])
        grades = api.get(f"/api/v1/dashboard/grades/{query}").json()["rows"]
        assert {r["grade"]: {"out_t": r["out_t"], "trucks": r["trucks"]} for r in grades} == (
            raw.grades(today.replace(day=1), today)
        )
    # and the province's series is not empty: the comparison above compared something
    series = api.get("/api/v1/dashboard/daily/").json()["rows"]
    assert sum(r["in_t"] for r in series) > 0 and sum(r["out_t"] for r in series) > 0


def test_breakdown_of_counties_and_mines_equals_the_tickets(world, day) -> None:
    api = world.api("province_officer")
    today = timezone.localdate()
    month = (today.replace(day=1), today)
    counties = api.get("/api/v1/dashboard/breakdown/").json()
    assert counties["level"] == "county"
    for row in counties["rows"]:
        region = next(r for r in (world.haicheng, world.dashiqiao) if r.code == row["code"])
        raw = Raw(region__path__startswith=region.path).figures(*month)
        assert (row["out_t"], row["in_t"], row["trucks"]) == (
            raw["out_t"],
            raw["in_t"],
            raw["trucks"],
        )
    sites = api.get(f"/api/v1/dashboard/breakdown/?region={HAICHENG}").json()
    assert sites["level"] == "site" and len(sites["rows"]) == 2
    for row in sites["rows"]:
        raw = Raw(site__code=row["code"]).figures(*month)
        assert (row["out_t"], row["in_t"], row["trucks"]) == (
            raw["out_t"],
            raw["in_t"],
            raw["trucks"],
        )


def test_page_cards_and_county_table_equal_the_tickets(world, day) -> None:
    html = world.client("province_officer").get("/dashboards/").content.decode()
    raw, today = Raw(), timezone.localdate()
    for key, _label, first, last in periods(today):
        want = raw.figures(first, last)
        assert _number(_card(html, f"out-{key}")) == want["out_t"], key
        assert _number(_card(html, f"in-{key}")) == want["in_t"], key
        assert int(_card(html, f"trucks-{key}")) == want["trucks"], key
    row = re.search(rf'<tr data-code="{HAICHENG}">(.*?)</tr>', html, re.S)
    assert row
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    month = Raw(region__path__startswith=world.haicheng.path).figures(today.replace(day=1), today)
    assert [_number(c) for c in cells[:3]] == [month["out_t"], month["in_t"], month["trucks"]]


def test_big_screen_tiles_and_charts_equal_the_tickets(world, day) -> None:
    client = world.client("province_officer")
    today = timezone.localdate()
    want = Raw().figures(today, today)
    for path in ("/dashboards/screen/", "/dashboards/screen/tiles/"):
        html = client.get(path).content.decode()
        assert _card(html, "screen-out-today") == _written(want["out_t"])
        assert _card(html, "screen-in-today") == _written(want["in_t"])
        assert int(_card(html, "screen-trucks-today")) == want["trucks"]
    html = client.get("/dashboards/screen/").content.decode()
    data = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert data
    raw = Raw()
    for row in json.loads(data.group(1))["daily"]["rows"]:
        day_ = datetime.date.fromisoformat(row["day"])
        figures = raw.figures(day_, day_)
        assert (row["out_t"], row["in_t"], row["trucks"]) == (
            figures["out_t"],
            figures["in_t"],
            figures["trucks"],
        )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exports_equal_the_tickets(world, day, kind) -> None:
    api = world.api("province_officer")
    raw, today = Raw(), timezone.localdate()

    def rows(name: str) -> list[list[Any]]:
        answer = api.get(f"/api/v1/dashboard/{name}/?export={kind}")
        assert answer.status_code == 200
        if kind == "csv":
            text = answer.content.decode("utf-8-sig")
            return [list(r) for r in csv.reader(io.StringIO(text))][1:]
        sheet = load_workbook(io.BytesIO(answer.content)).active
        return [list(r) for r in sheet.iter_rows(values_only=True)][1:]

    # tonnage: label, out, out last year, change, in, in last year, change, trucks, …, held
    for row, (_key, _label, first, last) in zip(rows("tonnage"), periods(today), strict=True):
        want = raw.figures(first, last)
        assert (float(row[1]), float(row[4]), int(row[7]), int(row[9])) == (
            want["out_t"],
            want["in_t"],
            want["trucks"],
            want["held_trucks"],
        )
    for row in rows("daily"):
        day_ = datetime.date.fromisoformat(str(row[0]))
        want = raw.figures(day_, day_)
        assert (float(row[1]), float(row[2]), int(row[3])) == (
            want["out_t"],
            want["in_t"],
            want["trucks"],
        )
    month = Raw(region__path__startswith=world.haicheng.path).figures(today.replace(day=1), today)
    haicheng = next(r for r in rows("breakdown") if str(r[0]) == HAICHENG)
    assert (float(haicheng[2]), float(haicheng[3]), int(haicheng[4])) == (
        month["out_t"],
        month["in_t"],
        month["trucks"],
    )


def test_rollups_hold_each_kind_as_the_tickets_do(world, day) -> None:
    assert check_days() == []
    for kind in ("exit", "entry", "checkpoint", "other"):
        for released in (True, False):
            rolled = DailyRollup.objects.filter(kind=kind, released=released).aggregate(
                kg=Sum("net_kg"), n=Sum("trucks")
            )
            tickets = Ticket.objects.filter(kind=kind, release=released)
            assert (rolled["kg"] or 0, rolled["n"] or 0) == (
                sum(x.net_kg for x in tickets),
                tickets.count(),
            ), (kind, released)


def test_the_live_feed_marks_entries_and_checkpoint_passages_by_kind(world, day) -> None:
    api = world.api("province_officer")
    rows = api.get("/api/v1/dashboard/feed/").json()["rows"]
    tickets = {str(x.pk): x for x in Ticket.objects.all()}
    shown = [tickets[r["id"]] for r in rows]
    # the newest weighings, newest first (ties in time in any order), each with its kind
    assert [x.gross_at for x in shown] == sorted((x.gross_at for x in shown), reverse=True)
    older = [x.gross_at for pk, x in tickets.items() if pk not in {r["id"] for r in rows}]
    assert not older or max(older) <= shown[-1].gross_at
    assert [r["kind"] for r in rows] == [x.kind for x in shown]
    assert {"checkpoint", "entry", "exit"} <= {r["kind"] for r in rows}
    html = world.client("province_officer").get("/dashboards/feed/").content.decode()
    checkpoint = next(r for r in rows if r["kind"] == "checkpoint")
    line = re.search(rf'data-ticket="{checkpoint["id"]}">(.*?)</tr>', html, re.S)
    assert line and "检查站" in line.group(1) and "厂区入口" not in line.group(1)
