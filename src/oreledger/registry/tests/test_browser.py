"""In a real Chinese browser: the enterprise file and the procedures check."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from oreledger.registry.tests.conftest import build_records
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_officer_opens_the_file_and_the_procedures_check(world_tx, page) -> None:
    records = build_records(world_tx)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "province_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")
    page.click("nav.sidebar >> text=企业")
    page.click(f"a:has-text('{records.hc.name}')")
    assert page.locator("[data-testid=enterprise-name]").inner_text() == records.hc.name
    assert page.locator("[data-testid=section-identity] h2").inner_text() == "基本信息"
    assert page.locator("[data-testid=section-permits] h2").inner_text() == "证照与手续核查"
    page.wait_for_selector("[data-map][data-ready=true]")
    assert page.locator(".leaflet-interactive").count() >= 2
    checks = page.locator("[data-testid=procedures-check] li")
    assert checks.count() == 5
    assert page.locator("[data-testid=procedures-check] li[data-state=missing]").count() == 4
    page.click("nav.sidebar >> text=手续核查")
    summary = page.locator("[data-testid=procedures-summary]")
    assert "自然资源局" in summary.inner_text()
    page.click("[data-testid=procedures-children] >> text=鞍山市")
    page.click("[data-testid=procedures-children] >> text=海城市")
    page.click("tr[data-department=ecology_environment] a[data-state=missing]")
    lines = page.locator("[data-testid=procedures-lines] tbody tr")
    # The click loads the department's lines page: wait for it rather than count mid-navigation.
    expect(lines).to_have_count(2)
    assert "环境影响评价批复" in lines.first.inner_text()


def test_the_map_tooltip_shows_a_name_as_text_not_html(world_tx, page) -> None:
    # given a site whose name was typed as markup
    records = build_records(world_tx)
    records.hc_site.name = '<b data-testid="injected">粗体矿</b>'
    records.hc_site.save(update_fields=["name"])
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "province_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")
    # when the enterprise's map is hovered, marker by marker
    page.goto(page.base_url + records.hc.get_absolute_url())
    page.wait_for_selector("[data-map][data-ready=true]")
    shown = []
    markers = page.locator(".leaflet-interactive")
    for index in range(markers.count()):
        # markers may overlap: each is told the pointer is over it, as a hover would
        markers.nth(index).dispatch_event("mouseover")
        tooltip = page.locator(".leaflet-tooltip").last
        tooltip.wait_for()
        shown.append(tooltip.inner_text())
        markers.nth(index).dispatch_event("mouseout")
        # then the markup is text in the tooltip, never an element
        assert page.locator("[data-testid=injected]").count() == 0
    assert any('<b data-testid="injected">粗体矿</b>' in text for text in shown), shown
