"""A briefing's figures equal the dashboard's and the APIs', in JSON, PDF text and Word tables.

A day of weighings (dashboards' test world) is briefed with `make-briefing`; each figure of
briefing.json is compared with the same figure from the dashboard API, and each written
figure of the tables is found in the PDF's text (pdftotext) and in the .docx's cells.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document

from oreledger.briefings.queries import document, written
from oreledger.briefings.sections import TONNES, Week
from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.tests.world import simulate_day
from oreledger.weighing.models import Ticket
from testkit.pdf import assert_fonts_embedded, page_count, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world):
    built = simulate_day(world)
    refresh_rollups()
    return built


@pytest.fixture
def made(world, day, tmp_path: Path) -> dict[str, Any]:
    week = Week.of(timezone.localdate())
    call_command("make_briefing", "--week", week.key, "--out", str(tmp_path))
    figures = json.loads((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    return {"week": week, "dir": tmp_path, "figures": figures}


def _api(world, path: str, **params: str) -> dict[str, Any]:
    response = world.api("province_officer").get(path, params)
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_the_weeks_tonnage_and_quota_equal_the_dashboards(world, made) -> None:
    # given the province's briefing of the current week so far
    total = made["figures"]["sections"]["production"]["total"]
    # when the dashboard API is asked for the same week and the year's quota
    tonnage = _api(world, "/api/v1/dashboard/tonnage/")
    week = next(p for p in tonnage["periods"] if p["period"] == "week")
    quota = _api(world, "/api/v1/dashboard/quota/")
    # then each figure is the same
    assert week["from"] == made["week"].monday.isoformat()
    assert total["week"] == {"out_t": week["out_t"], "in_t": week["in_t"],
                             "trucks": week["trucks"]}  # fmt: skip
    assert week["out_t"] > 0
    assert {k: total[k] for k in ("allocated_t", "consumed_t", "remaining_t", "used_pct")} == {
        k: quota[k] for k in ("allocated_t", "consumed_t", "remaining_t", "used_pct")
    }
    # and the counties' quota equals the dashboard's drill-down rows
    by_code = {r["code"]: r for r in quota["children"]}
    for place in made["figures"]["sections"]["production"]["places"]:
        assert place["allocated_t"] == by_code[place["code"]]["allocated_t"]
        assert place["consumed_t"] == by_code[place["code"]]["consumed_t"]


def test_the_json_equals_the_briefings_api(world, made) -> None:
    # when the API is asked for the same week
    api = _api(world, "/api/v1/briefings/week/", week=made["week"].key)
    # then every figure is the same (only the moment of reading differs)
    api.pop("built_at")
    made["figures"].pop("built_at")
    assert api == made["figures"]


def test_the_weeks_out_tonnes_equal_the_tickets(made) -> None:
    # given the released exits weighed this week, summed here from the tickets
    week = made["week"]
    out_kg = sum(
        t.net_kg
        for t in Ticket.objects.filter(release=True, kind="exit")
        if week.monday <= timezone.localtime(t.gross_at).date() <= week.until
    )
    # then the briefing's total is the same
    total = made["figures"]["sections"]["production"]["total"]
    assert total["week"]["out_t"] == round(out_kg / 1000, 2)


def _cells(made: dict[str, Any]) -> list[str]:
    shown = document(made["figures"])
    return [
        cell["text"]
        for section in shown["sections"]
        for table in section["tables"]
        for row in table["rows"]
        for cell in row
    ]


def test_every_written_figure_is_in_the_pdfs_text(made) -> None:
    # when the PDF is read back as text
    body = text((made["dir"] / "briefing.pdf").read_bytes())
    # then every cell of every table is in it, the week's out tonnes among them
    out_t = made["figures"]["sections"]["production"]["total"]["week"]["out_t"]
    assert written(out_t, TONNES) in body
    missing = [cell for cell in _cells(made) if cell not in body]
    assert missing == []
    assert "周调度简报" in body


def test_every_font_of_the_pdf_is_embedded_and_pages_are_numbered(made) -> None:
    # when the PDF's fonts and last page are read
    pdf = (made["dir"] / "briefing.pdf").read_bytes()
    # then each font is embedded, and each page says which of how many it is
    assert_fonts_embedded(pdf)
    pages = page_count(pdf)
    assert f"第 {pages} 页，共 {pages} 页" in text(pdf, page=pages)


def test_the_word_tables_hold_the_same_cells(made) -> None:
    # when the .docx is read back
    doc = Document(str(made["dir"] / "briefing.docx"))
    cells = [cell.text for table in doc.tables for row in table.rows[1:] for cell in row.cells]
    # then its table rows are the page's cells, in the same order
    assert cells == _cells(made)
    assert next(p.text for p in doc.paragraphs if p.style.name == "Heading 1") == "领导讲话"


def test_the_page_shows_the_same_cells_and_the_dashboard_the_same_week(world, made) -> None:
    # when the province office opens the week's briefing page and the dashboard
    client = world.client("province_officer")
    page = client.get(reverse("briefings:week"), {"week": made["week"].key}).content.decode()
    dashboard = client.get(reverse("dashboards:overview")).content.decode()
    # then every written cell is on the briefing page, in the section's table
    missing = [cell for cell in _cells(made) if f">{cell}</td>" not in page]
    assert missing == []
    # and the week's out tonnes are the dashboard's "this week" card
    out_t = made["figures"]["sections"]["production"]["total"]["week"]["out_t"]
    assert f'data-testid="out-week">{written(out_t, TONNES)}<' in dashboard
