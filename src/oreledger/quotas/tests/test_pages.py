"""Quota pages and API: jurisdiction, allocation forms, export, enterprise file."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from oreledger.quotas.dossier import quota_context
from oreledger.quotas.models import LedgerEntry, QuotaAccount, QuotaChange
from oreledger.quotas.services import draw_quota
from oreledger.quotas.tests.conftest import YEAR, T
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db
WATCH = [QuotaAccount, LedgerEntry, QuotaChange]


def test_account_page_is_404_outside_the_county(ledger) -> None:
    dsq = ledger.account(ledger.dsq_mine)
    check_matrix(
        ledger.world,
        lambda c: c.get(f"/quotas/accounts/{dsq.pk}/"),
        {
            "province_officer": 200,
            "dashiqiao_operator": 200,
            "haicheng_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=WATCH,
    )


def test_transfer_request_is_refused_outside_the_county(ledger) -> None:
    dsq = ledger.account(ledger.world.dashiqiao)
    mine = ledger.account(ledger.dsq_mine)
    check_matrix(
        ledger.world,
        lambda c: c.post(
            f"/quotas/accounts/{dsq.pk}/transfer/",
            {"source": mine.pk, "target": mine.pk, "amount": "1", "reason": "x"},
        ),
        {
            "province_officer": 302,
            "dashiqiao_operator": 302,
            "haicheng_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=WATCH,
    )
    assert QuotaChange.objects.count() == 0  # the same mine twice is refused by the service


def test_api_lists_accounts_in_jurisdiction_as_a_plain_list(ledger) -> None:
    responses = check_matrix(
        ledger.world,
        lambda c: c.get("/api/v1/quota/accounts", {"period": YEAR, "mineral": "magnesite"}),
        {
            "province_officer": 200,
            "dashiqiao_operator": 200,
            "haicheng_operator": 200,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 401,
        },
        api=True,
        watch=WATCH,
    )
    assert [a["holder"] for a in responses["haicheng_operator"].json()] == [
        "210381",
        "HC-M-001",
        "HC-M-002",
    ]
    assert [a["holder"] for a in responses["enterprise_user"].json()] == ["HC-M-001", "HC-M-002"]
    assert responses["dashiqiao_operator"].json()[1] == {
        "period": 2025,
        "holder": "DSQ-M-001",
        "mineral": "magnesite",
        "allocated_kg": 2_000 * T,
        "consumed_kg": 0,
        "remaining_kg": 2_000 * T,
    }
    assert len(responses["province_officer"].json()) == 6


def test_api_filters_by_holder_and_refuses_an_unknown_period(ledger) -> None:
    api = ledger.world.api("province_officer")
    one = api.get("/api/v1/quota/accounts", {"holder": "HC-M-002"}).json()
    unknown = api.get("/api/v1/quota/accounts", {"period": 2031})
    assert [(a["holder"], a["allocated_kg"]) for a in one] == [("HC-M-002", 1_000 * T)]
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "period_unknown"


def test_mine_table_shows_figures_and_exports(ledger) -> None:
    with transaction.atomic():
        draw_quota(
            account=ledger.account(ledger.hc_mine),
            amount_kg=1_350 * T,
            ref="t",
            at=timezone.now(),
        )
    client = ledger.world.client("haicheng_operator")
    page = client.get("/quotas/", {"period": YEAR})
    export = client.get("/quotas/", {"period": YEAR, "export": "xlsx"})
    cells = {
        row.holder_site.code: {c.key: v for c, v, _classes in cells}
        for row, cells in page.context["rows"]
    }
    assert sorted(cells) == ["HC-M-001", "HC-M-002"]
    first = cells["HC-M-001"]
    # tonnes with two decimals and separators, the share with one decimal
    assert (first["allocated"], first["consumed"], first["remaining"]) == (
        "1,500.00",
        "1,350.00",
        "150.00",
    )
    assert (first["used"], first["burn"]) == ("90.0", "45.00")
    assert first["forecast"] == timezone.localdate() + datetime.timedelta(days=3)
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4:7] == ("指标（吨）", "已消耗（吨）", "剩余（吨）")
    assert len(rows) == 3
    # the workbook keeps numbers, written with the page's decimals
    mine = next(row for row in sheet.iter_rows(min_row=2) if "HC-M-001" in str(row[0].value))
    assert [cell.value for cell in mine[4:7]] == [1500, 1350, 150]
    assert {cell.number_format for cell in mine[4:7]} == {"#,##0.00"}


def test_over_allocation_is_flagged_as_you_type_and_refused_on_save(ledger) -> None:
    client = ledger.world.client("haicheng_operator")
    data = {"period": YEAR, "alloc-HC-M-001": "3000", "alloc-HC-M-002": "1000.5"}
    check = client.post("/quotas/allocate/check/", data)
    save = client.post("/quotas/allocate/", data)
    assert b'data-testid="over-parent"' in check.content
    assert save.status_code == 400
    assert save.context["error"].code == "over_parent_allocation"
    assert ledger.account(ledger.hc_mine).allocated_kg == 1_500 * T


def test_county_operator_allocates_to_their_mines(ledger) -> None:
    client = ledger.world.client("haicheng_operator")
    page = client.get("/quotas/allocate/", {"period": YEAR})
    saved = client.post(
        "/quotas/allocate/", {"period": YEAR, "alloc-HC-M-001": "1800", "alloc-HC-M-002": "1000"}
    )
    assert [h.code for h, _a, _v in page.context["rows"]] == ["HC-M-001", "HC-M-002"]
    assert saved.status_code == 302
    assert ledger.account(ledger.hc_mine).allocated_kg == 1_800 * T


def test_enterprise_file_lists_its_mines_quotas(ledger, monkeypatch) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: datetime.date(YEAR, 5, 1))
    world = ledger.world
    enterprise = world.user("enterprise_user").enterprise
    own = quota_context(enterprise, world.user("enterprise_user"))
    outsider = quota_context(enterprise, world.user("dashiqiao_operator"))
    assert [a.holder_site.code for a in own["quota_accounts"]] == ["HC-M-001", "HC-M-002"]
    assert outsider["quota_accounts"] == []
