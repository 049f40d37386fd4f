"""In Chinese, without logging in: the portal's tables, a suppressed figure, a download."""

from __future__ import annotations

import pytest

from oreledger.public.tests.portal import SECRETS, build_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_reads_the_portal_in_chinese(world_tx, page) -> None:
    build_portal(world_tx)
    # given a visitor who never logged in
    page.goto(page.base_url + "/public/")
    assert page.locator("h1").inner_text() == "公开信息"
    assert page.locator("nav.sidebar").count() == 0  # not the officials' navigation
    # when they open the licences, they read each licence's status in Chinese
    page.locator(".public-nav").get_by_text("持证矿山和加工企业").click()
    table = page.locator("[data-testid=published-table]").inner_text()
    for status in ("有效", "即将到期", "暂扣", "吊销"):
        assert status in table, status
    # and the output by county shows Dashiqiao's lone mine as "—", with the reason
    page.locator(".public-nav").get_by_text("各县月度产量、销量与指标").click()
    row = page.locator("[data-testid=published-table] tr", has_text="大石桥市").first.inner_text()
    assert "—" in row
    assert "少于三家企业" in page.locator("[data-testid=suppression-note]").inner_text()
    # and the published decision, and nothing private anywhere they went
    page.locator(".public-nav").get_by_text("行政处罚公示").click()
    decisions = page.locator("[data-testid=published-table]").inner_text()
    assert "《矿产资源法》第四十四条" in decisions and "警告" not in decisions
    assert not [secret for secret in SECRETS if secret in page.content()]
    # and the CSV of the price index downloads
    page.locator(".public-nav").get_by_text("分品级周价格指数").click()
    with page.expect_download() as download:
        page.click("[data-testid=download-csv]")
    assert download.value.suggested_filename == "oreledger-prices.csv"
    # and the English switch turns the portal into English
    page.click("[data-testid=lang-en]")
    assert page.locator("h1").inner_text() == "Weekly price index by grade"
