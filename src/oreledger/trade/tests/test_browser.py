"""In Chinese: a mine lists, a plant bids, the mine accepts and submits, the county registers."""

from __future__ import annotations

import pytest

from oreledger.trade.models import Contract
from oreledger.trade.tests.market import build_market
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")


def test_listing_bid_accept_submit_approve_in_chinese(world_tx, page) -> None:
    build_market(world_tx)
    # given the mine operator, who lists 800 t of 一级 ore
    _login(page, "enterprise_user")
    page.locator("nav.sidebar").get_by_text("挂牌销售").click()
    page.click("[data-testid=new-listing]")
    assert page.locator("h1").inner_text() == "新建挂牌"
    assert page.locator("[data-testid=quota-room]").is_visible()
    page.select_option("#id_grade", "LM-46")
    page.fill("#id_quantity_t", "0")
    page.fill("#id_asking_price", "420")
    page.click("[data-testid=submit]")
    # a tonnage of zero is refused, in Chinese
    assert page.locator("[data-testid=error-quantity_t]").inner_text() == "吨数必须大于零。"
    page.fill("#id_quantity_t", "800")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=listing-status]")
    assert page.locator("[data-testid=listing-status]").inner_text() == "挂牌中"
    listing_url = page.url
    _logout(page)
    # when the plant bids 500 t at 430 yuan/t
    _login(page, "plant_user")
    page.goto(listing_url)
    page.fill("#id_price", "430")
    page.fill("#id_quantity_t", "500")
    page.click("[data-testid=bid-submit]")
    page.wait_for_selector("[data-testid=bid-row]")
    assert page.locator("[data-testid=bid-status]").inner_text() == "待处理"
    _logout(page)
    # and the mine accepts it (inline), which drafts a contract
    _login(page, "enterprise_user")
    assert "1 条未读" in page.goto(page.base_url + "/trade/listings/").text()
    page.goto(listing_url)
    page.click("[data-testid=accept]")
    # which asks first, in the row itself, and changes nothing until confirmed
    page.wait_for_selector("[data-testid=confirm-step]")
    assert "接受" in page.locator("[data-testid=confirm-step]").inner_text()
    assert Contract.objects.count() == 0
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=bid-contract]")
    assert page.locator("[data-testid=bid-status]").inner_text() == "已接受"
    page.click("[data-testid=bid-contract]")
    assert page.locator("[data-testid=contract-status]").inner_text() == "草稿"
    page.click("[data-testid=submit-contract]")
    page.wait_for_selector("text=合同已提交县分平台。")
    assert page.locator("[data-testid=contract-status]").inner_text() == "已提交"
    _logout(page)
    # then the Haicheng operator registers it from the approval queue
    _login(page, "haicheng_operator")
    page.locator("nav.sidebar").get_by_text("合同登记审核").click()
    assert page.locator("[data-testid=queue-row]").count() == 1
    page.click("[data-testid=queue-approve]")
    page.wait_for_selector("[data-testid=confirm-step]")
    assert Contract.objects.get().status == "submitted"
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=queue-done]")
    assert page.locator("[data-testid=queue-done]").inner_text() == "已登记"
    contract = Contract.objects.get()
    assert contract.status == "approved" and contract.quantity_kg == 500_000
    assert contract.approved_by.username == "haicheng_operator"
