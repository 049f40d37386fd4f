"""The province officer drills down to Haicheng and a mine; figures match the API."""

from __future__ import annotations

import pytest

from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.tests.world import simulate_day
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")


def _api(page, path: str) -> dict:
    response = page.request.get(page.base_url + path)
    assert response.ok
    return response.json()


def _shown(page, testid: str) -> float:
    return float(page.locator(f"[data-testid={testid}]").inner_text().replace(",", ""))


def test_province_officer_drills_down_and_figures_match_the_api(world_tx, page) -> None:
    day = simulate_day(world_tx)
    refresh_rollups()
    mine = day.chain.mines[0].site
    _login(page, "province_officer")
    # the province's dashboard
    page.goto(page.base_url + "/dashboards/")
    assert "辽宁省" in page.locator("[data-testid=dash-title]").inner_text()
    api = _api(page, "/api/v1/dashboard/tonnage/")
    assert _shown(page, "out-month") == api["periods"][2]["out_t"]
    assert _shown(page, "trucks-today") == api["periods"][0]["trucks"]
    page.locator("canvas").first.wait_for()  # ECharts drew under the strict CSP
    # drill into Haicheng
    page.click("[data-testid=drill-210381]")
    page.wait_for_url("**/dashboards/?region=210381")
    assert "海城市" in page.locator("[data-testid=dash-title]").inner_text()
    api = _api(page, "/api/v1/dashboard/tonnage/?region=210381")
    assert _shown(page, "out-month") == api["periods"][2]["out_t"]
    assert _shown(page, "in-month") == api["periods"][2]["in_t"]
    # drill into the mine
    page.click(f"[data-testid=drill-{mine.code}]")
    page.wait_for_url(f"**/dashboards/?site={mine.code}")
    api = _api(page, f"/api/v1/dashboard/tonnage/?site={mine.code}")
    assert _shown(page, "out-month") == api["periods"][2]["out_t"] > 0
    quota = _api(page, f"/api/v1/dashboard/quota/?site={mine.code}")
    assert (
        page.locator("[data-testid=quota-consumed]").inner_text() == f"{quota['consumed_t']:.2f} t"
    )
    # the live feed polls and shows the mine's trucks
    page.locator("[data-testid=feed] tbody tr").first.wait_for()
    # the big screen renders its charts and map
    page.goto(page.base_url + "/dashboards/screen/")
    page.locator("[data-chart=daily] canvas").wait_for()
    page.locator("#screen-map.leaflet-container").wait_for()


def test_haicheng_operator_sees_only_haicheng(world_tx, page) -> None:
    simulate_day(world_tx)
    refresh_rollups()
    _login(page, "haicheng_operator")
    page.goto(page.base_url + "/dashboards/")
    assert "海城市" in page.locator("[data-testid=dash-title]").inner_text()
    api = _api(page, "/api/v1/dashboard/tonnage/")
    assert _shown(page, "out-month") == api["periods"][2]["out_t"]
    assert "大石桥检查站" not in page.locator("[data-testid=feed]").inner_text()
    response = page.goto(page.base_url + "/dashboards/?region=210882")
    assert response.status == 404
