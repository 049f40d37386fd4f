"""Every map shades a county by the quota use the dashboard shows, computed once; station
times are Shanghai's."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest

from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.tests.world import released_out_kg, simulate_day
from oreledger.quotas.models import QuotaAccount
from oreledger.weighing.models import StationState

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world: Any) -> Any:
    built = simulate_day(world)
    refresh_rollups()
    return built


def map_json(client: Any, path: str) -> dict[str, Any]:
    """The map's data as the page hands it to the browser (its json_script block)."""
    page = client.get(path).content.decode()
    found = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page)
    assert found, path
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_every_map_shades_haicheng_by_the_dashboard_s_quota_use(world: Any, day: Any) -> None:
    # Given Haicheng's quota, drawn by its mines' released exits (the raw tickets)
    allocated = QuotaAccount.objects.get(holder_region=world.haicheng).allocated_kg
    expected = round(100 * released_out_kg(region=world.haicheng) / allocated, 1)
    assert expected > 0
    province = world.client("province_officer")
    api = world.api("province_officer")
    # when the province office reads the dashboard's county table and every map
    table = api.get("/api/v1/dashboard/breakdown/").json()["rows"]
    shades = {
        "county table": next(r for r in table if r["code"] == "210381")["used_pct"],
        "map API": _county(api.get("/api/v1/dashboard/map/").json()["counties"], "210381"),
        "dashboard map": _county(map_json(province, "/dashboards/map/")["counties"], "210381"),
        "big screen": _county(map_json(province, "/dashboards/screen/")["counties"], "210381"),
        "registry map": _county(map_json(province, "/registry/map/")["regions"], "210381"),
    }
    # then every surface shows the same figure, the tickets' own
    assert shades == dict.fromkeys(shades, expected)
    # and Dashiqiao, which has no quota this year, is drawn unshaded, not as 0 %
    assert _county(map_json(province, "/registry/map/")["regions"], "210882") is None


def test_a_county_operator_s_maps_show_their_county_at_the_quota_card_s_figure(
    world: Any, day: Any
) -> None:
    operator = world.client("haicheng_operator")
    card = world.api("haicheng_operator").get("/api/v1/dashboard/quota/").json()["used_pct"]
    dashboard = map_json(operator, "/dashboards/map/")["counties"]
    registry = map_json(operator, "/registry/map/")["regions"]
    assert [c["code"] for c in dashboard] == [r["code"] for r in registry] == ["210381"]
    assert dashboard[0]["used_pct"] == registry[0]["used_pct"] == card is not None


def test_an_enterprise_sees_its_county_outline_but_no_county_figures(world: Any, day: Any) -> None:
    registry = map_json(world.client("enterprise_user"), "/registry/map/")
    assert [r["code"] for r in registry["regions"]] == ["210381"]
    assert registry["regions"][0]["used_pct"] is None and registry["shaded"] is False
    [county] = map_json(world.client("enterprise_user"), "/dashboards/map/")["counties"]
    assert (county["code"], county["shaded"], county["used_pct"]) == ("210381", False, None)


def _county(rows: list[dict[str, Any]], code: str) -> Any:
    return next(r for r in rows if r["code"] == code)["used_pct"]


def test_a_silent_station_s_last_heartbeat_is_shanghai_time_everywhere(
    world: Any, day: Any
) -> None:
    # Given a Haicheng station last heard at 2026-01-01 00:30 UTC (08:30 in Shanghai)

    state = StationState.objects.filter(station__code=day.chain.gate[0]).get()
    state.last_heartbeat_at = datetime.datetime(2026, 1, 1, 0, 30, tzinfo=datetime.UTC)
    state.save(update_fields=["last_heartbeat_at"])
    # when the county operator opens the dashboard, its stations figure and export
    client = world.client("haicheng_operator")
    page = client.get("/dashboards/").content.decode()
    row = next(
        r
        for r in world.api("haicheng_operator").get("/api/v1/dashboard/stations/").json()["rows"]
        if r["code"] == day.chain.gate[0]
    )
    # then the page shows Shanghai wall-clock time in the one format, the API the +08:00 instant
    assert row["status"] == "silent" and row["last_heard"] == "2026-01-01 08:30"
    assert row["last_heartbeat_at"] == "2026-01-01T08:30:00+08:00"
    assert "2026-01-01 08:30" in page and "2026-01-01T00:30" not in page
