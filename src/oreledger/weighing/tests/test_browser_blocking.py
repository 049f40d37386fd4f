"""In Chinese, in Chromium, under the strict CSP: Dashiqiao's operator holds trucks there on
impossible travel, from the list of blocking sets to the region's page and back."""

from __future__ import annotations

import os
from typing import Any

import pytest

from oreledger.weighing.services.blocking import effective_blocking
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _look(page: Any, name: str) -> None:
    """Keep a screenshot when OL_SCREENSHOTS names a directory (for a reviewer's eyes)."""
    folder = os.environ.get("OL_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_the_county_operator_holds_on_impossible_travel_from_the_page(
    world_tx: Any, page: Any
) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", "dashiqiao_operator")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")
    # given the list of blocking sets, with Dashiqiao on the protocol's defaults
    page.goto(page.base_url + "/weighing/blocking/")
    assert page.locator("h1").inner_text() == "拦截规则"
    _look(page, "blocking-list")
    page.click(f'[data-testid=list] a:text("{world_tx.dashiqiao.name}")')
    page.wait_for_selector("[data-testid=blocking-form]")
    _look(page, "blocking-edit")
    # when the operator ticks impossible travel and saves
    page.check("input[name=codes][value=impossible_travel]")
    page.click("[data-testid=save]")
    page.wait_for_selector("text=拦截规则已保存")
    _look(page, "blocking-saved")
    # then Dashiqiao holds trucks on it, and the page says so
    assert effective_blocking([world_tx.dashiqiao])[0].holds_on_travel
    assert "不可能行程" in page.locator("[data-testid=blocking-current]").inner_text()
    assert refused == []
