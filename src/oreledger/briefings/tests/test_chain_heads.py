"""The briefing prints the week's latest chain-head checkpoint per county, and whether it holds.

A day of weighings (dashboards' test world) and a checkpoint signed after it: the section's
heads, tickets and entries per county are counted here again from the stations' states and
the quota accounts; a head rewritten behind the application's back shows as departed; a
county reads its own row only; the rows are in the PDF's text and the Word tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from docx import Document

from oreledger.briefings.queries import document
from oreledger.briefings.sections import Week
from oreledger.briefings.services import build_figures, system_reader
from oreledger.core.checkpoints import write_checkpoint
from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.scope import Scope
from oreledger.dashboards.tests.world import simulate_day
from oreledger.quotas.models import QuotaAccount
from oreledger.weighing.models import StationState, Ticket
from testkit.pdf import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world) -> Week:
    simulate_day(world)
    refresh_rollups()
    write_checkpoint()
    return Week.of(timezone.localdate())


def _section(world, week: Week, region=None, user=None) -> dict[str, Any]:
    scope = Scope(user or system_reader(), region or world.province, None)
    return dict(build_figures(scope, week)["sections"]["checkpoints"])


def _by_hand(region) -> dict[str, int]:
    states = StationState.objects.filter(station__region__path__startswith=region.path)
    accounts = QuotaAccount.objects.filter(region__path__startswith=region.path)
    return {
        "stations": states.count(),
        "tickets": sum(s.chain_length for s in states),
        "accounts": accounts.count(),
        "entries": sum(a.entry_count for a in accounts),
        "departed": 0,
    }


def test_the_heads_per_county_are_the_chains_counted_by_hand(world, signed) -> None:
    # when the province's briefing of the week is built after the day's checkpoint
    section = _section(world, signed)
    # then each county's row counts its stations' and accounts' heads as signed
    rows = {row["code"]: {k: row[k] for k in _by_hand(world.haicheng)} for row in section["rows"]}
    assert rows[world.haicheng.code] == _by_hand(world.haicheng)
    assert rows[world.dashiqiao.code] == _by_hand(world.dashiqiao)
    assert rows[world.haicheng.code]["tickets"] > 0
    # and the total names the checkpoint's day, every head, and that the chains hold them
    heads = StationState.objects.count() + QuotaAccount.objects.count()
    assert section["total"] == {
        "day": timezone.localdate().isoformat(),
        "heads": heads,
        "departed": 0,
        "equal": True,
        "verdict": "一致",
    }


def test_a_head_rewritten_after_the_checkpoint_shows_as_departed(world, signed) -> None:
    # given the head ticket of a Haicheng station rewritten behind the application's back
    state = StationState.objects.filter(
        station__region__path__startswith=world.haicheng.path, chain_length__gt=0
    ).first()
    assert state is not None
    head = Ticket.objects.get(station_id=state.station_id, chain_index=state.chain_length)
    with connection.cursor() as cursor:  # tickets refuse updates through the ORM
        cursor.execute(
            "UPDATE weighing_ticket SET hash = %s WHERE id = %s", ["0" * 64, head.pk.hex]
        )
    # when the week's briefing is built again
    section = _section(world, signed)
    # then Haicheng's row has one departed chain, Dashiqiao's none, and the verdict says so
    departed = {row["code"]: row["departed"] for row in section["rows"]}
    assert departed[world.haicheng.code] == 1
    assert departed[world.dashiqiao.code] == 0
    assert (section["total"]["equal"], section["total"]["verdict"]) == (False, "不一致")


def test_a_county_reads_its_own_heads_only(world, signed) -> None:
    # when Dashiqiao's operator builds Dashiqiao's briefing of the week
    operator = world.user("dashiqiao_operator")
    section = _section(world, signed, region=world.dashiqiao, user=operator)
    # then the one row is Dashiqiao's, and the total counts its heads only
    assert [row["code"] for row in section["rows"]] == [world.dashiqiao.code]
    own = _by_hand(world.dashiqiao)
    assert section["total"]["heads"] == own["stations"] + own["accounts"]


def test_without_a_checkpoint_the_section_says_so(world) -> None:
    # given no checkpoint signed yet
    section = _section(world, Week.of(timezone.localdate()))
    # then nothing is counted and the verdict says there is none
    assert section == {
        "title": "链头检查点",
        "found": False,
        "total": {"day": "—", "heads": 0, "verdict": "无检查点"},
        "rows": [],
    }


def test_the_rows_are_in_the_pdf_and_the_word_tables(world, signed, tmp_path: Path) -> None:
    # when make-briefing writes the week's files
    call_command("make_briefing", "--week", signed.key, "--out", str(tmp_path))
    figures = json.loads((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    shown = next(s for s in document(figures)["sections"] if s["key"] == "checkpoints")
    cells = [cell["text"] for table in shown["tables"] for row in table["rows"] for cell in row]
    # then every cell of the section is in the PDF's text and in the Word tables
    body = text((tmp_path / "briefing.pdf").read_bytes())
    assert [cell for cell in cells if cell not in body] == []
    doc = Document(str(tmp_path / "briefing.docx"))
    word = [cell.text for table in doc.tables for row in table.rows[1:] for cell in row.cells]
    assert [cell for cell in cells if cell not in word] == []
    assert "链头检查点" in body
