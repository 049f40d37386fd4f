"""Each level's consumed quota equals the raw ledger entries of the mines below it.

Quota is drawn on mine accounts only; a county's consumption is its mines', the province's
all of them. Every page, API and export that shows a consumed figure — the allocation
page, account files, the quota API, the mine table and its export, the enterprise file,
the dashboard's quota, drill-down and map — is compared with sums of LedgerEntry rows.
"""

from __future__ import annotations

import datetime
import re
from io import BytesIO
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from oreledger.quotas.choices import CONSUMPTION_KINDS
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.quotas.services import draw_quota, reverse_draw
from oreledger.quotas.tests.conftest import Ledger, T, build_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(world) -> Ledger:
    """This year's ledger with draws on three mines in two counties, and one reversal."""
    ledger = build_ledger(world, year=timezone.localdate().year)
    at = timezone.now() - datetime.timedelta(hours=1)
    with transaction.atomic():
        for site, tonnes in (
            (ledger.hc_mine, 1_350),
            (ledger.hc_mine, 100),
            (ledger.hc_mine_2, 400),
            (ledger.dsq_mine, 700),
        ):
            draw_quota(account=ledger.account(site), amount_kg=tonnes * T, ref=f"t{tonnes}", at=at)
        given_back = LedgerEntry.objects.get(ref="t100")
        reverse_draw(actor=None, entry=given_back, reason="磅单更正")
    return ledger


def ledger_kg(account: QuotaAccount) -> int:
    """The consumption and reversal entries of the mine accounts at or below an account."""
    path = account.region.path
    mines = QuotaAccount.objects.filter(
        level="mine", period=account.period, region__path__startswith=path
    )
    if account.level == "mine":
        mines = mines.filter(pk=account.pk)
    entries = LedgerEntry.objects.filter(account__in=mines, kind__in=CONSUMPTION_KINDS)
    return sum(e.amount_kg for e in entries)


def shown(kg: int) -> str:
    return f"{kg / 1000:,.2f}"


def _row_cells(html: str, name: str) -> list[str]:
    holder = rf"<tr>\s*<td>(?:<a [^>]*>)?{re.escape(name)}(?:</a>)?</td>(.*?)</tr>"
    row = re.search(holder, html, re.S)
    assert row, name
    return re.findall(r'<td class="num">\s*(?:<[^>]*>)?([^<]*)', row.group(1))


def test_the_ledger_has_draws_a_reversal_and_nothing_on_the_counties(drawn) -> None:
    world = drawn.world
    province, haicheng = drawn.account(world.province), drawn.account(world.haicheng)
    # given entries that a plain sum of draws would get wrong (a reversal), and no entry on
    # a county or the province (they draw nothing themselves)
    assert (ledger_kg(province), ledger_kg(haicheng)) == (2_450 * T, 1_750 * T)
    assert ledger_kg(drawn.account(drawn.hc_mine)) == 1_350 * T
    assert province.consumed_kg == haicheng.consumed_kg == 0


def test_the_allocation_pages_show_each_holder_s_ledger(drawn) -> None:
    world = drawn.world
    year = drawn.year
    page = world.client("province_officer").get("/quotas/allocate/", {"period": year})
    html = page.content.decode()
    for county in (world.haicheng, world.dashiqiao):
        cells = _row_cells(html, county.name)
        assert cells[0] == shown(ledger_kg(drawn.account(county))), county.name
    page = world.client("haicheng_operator").get("/quotas/allocate/", {"period": year})
    html = page.content.decode()
    for mine in (drawn.hc_mine, drawn.hc_mine_2):
        assert _row_cells(html, str(mine))[0] == shown(ledger_kg(drawn.account(mine)))


def test_account_files_show_the_level_and_its_children(drawn) -> None:
    world = drawn.world
    client = world.client("province_officer")
    for holder, children in (
        (world.province, (world.haicheng, world.dashiqiao)),
        (world.haicheng, (drawn.hc_mine, drawn.hc_mine_2)),
        (drawn.hc_mine, ()),
    ):
        account = drawn.account(holder)
        html = client.get(account.get_absolute_url()).content.decode()
        tile = re.search(r'data-testid="consumed">([^<]*)<', html)
        assert tile and tile.group(1) == shown(ledger_kg(account)), holder
        for child in children:
            child_account = drawn.account(child)
            cells = _row_cells(html, child_account.holder_label)
            want = ledger_kg(child_account)
            assert cells[:2] == [shown(child_account.allocated_kg), shown(want)]
            assert cells[2] == shown(child_account.allocated_kg - want)


def test_the_quota_api_gives_each_level_its_mines_ledger(drawn) -> None:
    world = drawn.world
    answer = world.api("province_officer").get("/api/v1/quota/accounts", {"period": drawn.year})
    rows = {row["holder"]: row for row in answer.json()}
    for account in QuotaAccount.objects.filter(period__year=drawn.year):
        want = ledger_kg(account)
        row = rows[account.holder_code]
        assert (row["consumed_kg"], row["remaining_kg"]) == (want, account.allocated_kg - want)
    assert rows[world.province.code]["consumed_kg"] == 2_450 * T


def test_the_mine_table_its_export_and_the_enterprise_file_agree(drawn) -> None:
    world = drawn.world
    client = world.client("haicheng_operator")
    export = client.get("/quotas/", {"period": drawn.year, "export": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    consumed = {str(r[0]).split()[0]: float(r[5]) for r in rows[1:]}
    assert consumed == {
        m.code: ledger_kg(drawn.account(m)) / 1000 for m in (drawn.hc_mine, drawn.hc_mine_2)
    }
    enterprise = world.user("enterprise_user").enterprise
    html = client.get(f"/registry/enterprises/{enterprise.uscc}/").content.decode()
    section = html[html.index('data-testid="dossier-quotas"') :]
    cells = _row_cells(section, drawn.account(drawn.hc_mine).holder_label)
    assert cells[1] == shown(ledger_kg(drawn.account(drawn.hc_mine)))


def _tonnes(kg: int) -> float:
    return round(kg / 1000, 2)


def test_the_dashboard_quota_drill_down_and_map_agree(drawn) -> None:
    world = drawn.world
    api = world.api("province_officer")
    province = api.get("/api/v1/dashboard/quota/").json()
    assert province["consumed_t"] == _tonnes(ledger_kg(drawn.account(world.province)))
    by_code: dict[str, Any] = {r["code"]: r for r in province["children"]}
    for county in (world.haicheng, world.dashiqiao):
        want = _tonnes(ledger_kg(drawn.account(county)))
        assert by_code[county.code]["consumed_t"] == want
        scoped = api.get(f"/api/v1/dashboard/quota/?region={county.code}").json()
        assert scoped["consumed_t"] == want
    breakdown = api.get("/api/v1/dashboard/breakdown/").json()["rows"]
    assert {r["code"]: r["consumed_t"] for r in breakdown} == {
        c.code: _tonnes(ledger_kg(drawn.account(c))) for c in (world.haicheng, world.dashiqiao)
    }
    counties = api.get("/api/v1/dashboard/map/").json()["counties"]
    for row in counties:
        county = next(c for c in (world.haicheng, world.dashiqiao) if c.code == row["code"])
        assert row["consumed_t"] == _tonnes(ledger_kg(drawn.account(county)))
    mines = api.get(f"/api/v1/dashboard/quota/?region={world.haicheng.code}").json()["children"]
    assert {r["code"]: r["consumed_t"] for r in mines} == {
        m.code: _tonnes(ledger_kg(drawn.account(m))) for m in (drawn.hc_mine, drawn.hc_mine_2)
    }
    mine = api.get(f"/api/v1/dashboard/quota/?site={drawn.hc_mine.code}").json()
    assert mine["consumed_t"] == _tonnes(ledger_kg(drawn.account(drawn.hc_mine)))
    page = world.client("province_officer").get("/dashboards/").content.decode()
    card = re.search(r'data-testid="quota-consumed">([^<]*) t<', page)
    assert card and float(card.group(1).replace(",", "")) == province["consumed_t"]
