"""In Chinese, in Chromium, under the strict CSP: a mine's clerk starts a waybill from the
contract, finds the truck by typing part of its plate, issues it, then voids it, confirming."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from oreledger.weighing.models import Waybill
from oreledger.weighing.tests.test_waybill_form import _build_desk
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_issue_from_the_contract_with_a_searched_plate_then_void_with_confirmation(
    world_tx: Any, page: Any
) -> None:
    desk = _build_desk(world_tx)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", "enterprise_user")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")
    # given the approved contract's page, the clerk starts a waybill from it
    page.goto(page.base_url + desk.ok.get_absolute_url())
    page.click("[data-testid=issue-waybill]")
    assert page.locator("h1").inner_text() == "开具运单"
    assert page.locator("#id_contract").input_value() == desk.ok.number
    # when they type part of a plate, the registered trucks are offered (not the blacklisted)
    page.locator("[data-testid=plate-input]").press_sequentially("c3000", delay=30)
    # (waited for by the locator: the page's CSP forbids the eval wait_for_function uses)
    expect(page.locator("#plate-options option")).to_have_count(3)
    offered = page.eval_on_selector_all("#plate-options option", "os => os.map(o => o.value)")
    assert offered == ["辽C30001", "辽C30002", "辽C30003"]
    page.fill("[data-testid=plate-input]", "辽C30002")
    page.fill("#id_planned_net_kg", "32000")
    page.click("[data-testid=issue]")
    page.wait_for_url("**/weighing/waybills/WB*/")
    waybill = Waybill.objects.get()
    assert (waybill.contract_id, waybill.plate) == (desk.ok.pk, "辽C30002")
    # when they void it, they are asked first, in Chinese, and nothing happens until confirmed
    page.fill("#id_reason", "车辆故障，取消本趟")
    page.locator("form[action$='/void/'] button[type=submit]").click()
    page.wait_for_selector("[data-testid=confirm-step]")
    assert page.locator("#confirm-question").inner_text() == f"作废运单 {waybill.number}？"
    assert "此操作不可撤销" in page.locator("#confirm-consequence").inner_text()
    waybill.refresh_from_db()
    assert waybill.status == "issued"
    page.click("[data-testid=confirm]")
    page.wait_for_selector("text=运单已作废")
    waybill.refresh_from_db()
    assert (waybill.status, waybill.void_reason) == ("void", "车辆故障，取消本趟")
    assert refused == []
