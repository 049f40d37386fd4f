"""A briefing of the demo's weeks: its figures are the APIs' and its files say the same.

The demo's joint action, appeals and briefings (demo/worklist.py, demo/appeals.py,
demo/briefings.py) on the test province, up to today; `make-briefing` of last week (a
draft) and of the current week so far: the data confirmations are the worklist API's, the
ranking the assessment API's, the alerts raised the alerts API's, every figure of
briefing.json is the briefings API's, and every written cell is in the PDF's text and the
.docx's tables.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document

from oreledger.assessment.models import Scheme
from oreledger.assessment.queries import Period
from oreledger.briefings.queries import document
from oreledger.briefings.sections import Week
from oreledger.core.localtime import local_midnight
from oreledger.demo.appeals import create_demo_appeals
from oreledger.demo.briefings import create_demo_briefings
from oreledger.demo.worklist import create_demo_worklist
from testkit.pdf import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(world) -> None:
    now = timezone.now()
    create_demo_worklist(seed=2026, today=timezone.localdate())
    create_demo_appeals(seed=2026, now=now)
    create_demo_briefings(now=now)


def _made(week: Week, out: Path) -> dict[str, Any]:
    call_command("make_briefing", "--week", week.key, "--out", str(out))
    return dict(json.loads((out / "briefing.json").read_text(encoding="utf-8")))


def _api(world, path: str, **params: Any) -> Any:
    response = world.api("province_officer").get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_last_weeks_figures_are_the_apis(world, demo, tmp_path: Path) -> None:
    # given last week of the demo (its briefing a draft, read live)
    week = Week.of(timezone.localdate() - datetime.timedelta(days=7))
    # when make-briefing writes it
    figures = _made(week, tmp_path)
    sections = figures["sections"]
    # then every figure is the briefings API's for the week (only the moment of reading differs)
    api = _api(world, "/api/v1/briefings/week/", week=week.key)
    assert {k: v for k, v in api.items() if k != "built_at"} == {
        k: v for k, v in figures.items() if k != "built_at"
    }
    # and each county's confirmation of the week is the worklist API's cell for that week
    table = _api(world, "/api/v1/worklist/timeliness", weeks=3)
    cells = {
        row["region"]: next(c for c in row["weeks"] if c["week"] == week.monday.isoformat())
        for row in table["counties"]
    }
    rows = {row["code"]: row for row in sections["timeliness"]["rows"]}
    assert rows and set(rows) == set(cells)
    for code, row in rows.items():
        status = cells[code]["status"]
        assert row["state"] == status
        assert (row["reported"], row["on_time"]) == (
            int(status in ("on_time", "late")),
            int(status == "on_time"),
        )
    # and the alerts raised in the week are the alerts API's count for the same days
    listed = _api(
        world,
        "/api/v1/alerts/",
        since=local_midnight(week.monday).isoformat(),
        until=local_midnight(week.sunday + datetime.timedelta(days=1)).isoformat(),
    )
    assert sections["alerts"]["alerts_raised"] == listed["count"]
    # and every written cell is in the PDF's text and, in order, in the Word tables
    shown = document(figures)
    written = [
        cell["text"]
        for section in shown["sections"]
        for t in section["tables"]
        for row in t["rows"]
        for cell in row
    ]
    body = text((tmp_path / "briefing.pdf").read_bytes())
    assert [cell for cell in written if cell not in body] == []
    doc = Document(str(tmp_path / "briefing.docx"))
    word = [cell.text for t in doc.tables for row in t.rows[1:] for cell in row.cells]
    assert word == written


def test_this_weeks_ranking_is_the_assessment_apis(world, demo, tmp_path: Path) -> None:
    # given the current week so far (the ranking read as of today, as the API reads it)
    week = Week.of(timezone.localdate())
    figures = _made(week, tmp_path)
    rows = figures["sections"]["ranking"]["rows"]
    # when the assessment API ranks the counties for the period holding today
    scheme = Scheme.objects.get(code="magnesite-quarterly")
    period = Period.containing(scheme.period, week.until)
    api = _api(world, f"/api/v1/assessment/schemes/{scheme.code}/ranking/{period.label}")
    # then the places, counties and scores are the same
    assert [(r["rank"], r["code"], r["total"]) for r in rows] == [
        (c["rank"], c["region"], c["total"]) for c in api["counties"]
    ]
    assert rows and all(r["period"] == period.label for r in rows)


def test_an_issued_demo_week_reopens_as_issued(world, demo, tmp_path: Path) -> None:
    # given the demo's briefing issued for the week before last
    week = Week.of(timezone.localdate() - datetime.timedelta(days=14))
    listed = _api(world, "/api/v1/briefings/")
    issued = next(b for b in listed["results"] if b["week"] == week.key)
    assert issued["status"] == "issued"
    frozen = _api(world, f"/api/v1/briefings/{issued['id']}/")["figures"]
    # when make-briefing writes that week
    figures = _made(week, tmp_path)
    # then it writes the figures frozen at the issue, to the second they were built
    assert figures == frozen
    assert figures["built_at"] < timezone.localtime().isoformat()
