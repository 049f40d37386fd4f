"""The maps draw the county outlines under the sites, shaded, with nothing from outside."""

from __future__ import annotations

from typing import Any

import pytest

from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.tests.world import simulate_day
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_map_outlines_the_counties_and_loads_nothing_from_outside(
    world_tx: Any, page: Any
) -> None:
    simulate_day(world_tx)
    refresh_rollups()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", "province_officer")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")
    for path in ("/dashboards/map/", "/registry/map/"):
        page.goto(page.base_url + path)
        page.locator("[data-testid=map][data-ready=true]").wait_for()
        # Haicheng and Dashiqiao outlined, under the sites, each named on the map
        outlines = page.locator(".leaflet-counties-pane path")
        assert outlines.count() == 2, path
        names = page.locator(".county-name").all_inner_texts()
        assert sorted(n.split(" ")[0] for n in names) == ["大石桥市", "海城市"], path
        # Haicheng, which has used some of its quota, is shaded; Dashiqiao (no quota) is grey
        fills = {outlines.nth(i).get_attribute("fill") for i in range(2)}
        assert "#9aa7b5" in fills and len(fills) == 2, path
    assert [u for u in requested if not u.startswith(page.base_url)] == []
