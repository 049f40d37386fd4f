"""In Chinese: a county enters funding with a PDF, the province approves it, the score counts it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oreledger.assessment import services
from oreledger.assessment.models import Evidence
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")


def _logout(page: Any) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")


def test_enter_funding_approve_it_and_see_it_scored_in_chinese(
    world_tx: Any, page: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.create_scheme(
        actor=None,
        code="platform-2026",
        name="分平台建设考核",
        period="quarter",
        indicators=[
            ("funding", Decimal(60), "proportional", Decimal(1)),
            ("staffing", Decimal(40), "proportional", Decimal(1)),
        ],
    )
    # given Haicheng's operator, who enters funding 80 of 100 with the budget approval
    _login(page, "haicheng_operator")
    page.locator("nav.sidebar").get_by_text("分平台资金与人员").click()
    assert page.locator("h1").inner_text() == "分平台资金与人员"
    page.select_option("#id_kind", "funding")
    page.fill("#id_period", "2026-Q1")
    page.fill("#id_planned", "100")
    page.fill("#id_actual", "80")
    page.fill("#id_evidence", "财政拨款文件 海财〔2026〕12号")
    page.set_input_files(
        "#id_attachment",
        files=[{"name": "拨款.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
    )
    page.click("[data-testid=evidence-form] button[type=submit]")
    page.wait_for_selector("[data-testid=status]:has-text('已提交')")
    _logout(page)
    # when the province approves it from its queue
    _login(page, "province_officer")
    page.locator("nav.sidebar").get_by_text("待审核的填报").click()
    entry = Evidence.objects.get()
    form = page.locator(f"[data-testid=decide-{entry.pk}]")
    form.locator("select").select_option("approve")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=填报已审核通过。")
    _logout(page)
    # then Haicheng sees it approved and its score counts 60 × 0.8 = 48.00
    _login(page, "haicheng_operator")
    page.goto(page.base_url + "/assessment/entries/")
    assert page.locator("[data-testid=status]").inner_text() == "已审核通过"
    page.goto(page.base_url + "/assessment/platform-2026/2026-Q1/210381/")
    assert page.locator("[data-testid=total]").inner_text() == "48.00"
