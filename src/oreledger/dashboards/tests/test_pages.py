"""Dashboards' pages and API: who sees what, every figure answers and exports."""

from __future__ import annotations

import pytest
from django.utils import timezone

from oreledger.alerts.engine import raise_alert
from oreledger.dashboards.catalogue import FIGURES
from oreledger.dashboards.models import DailyRollup
from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.tests.world import released_out_kg, simulate_day
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

EVERYONE_SEES = {
    "province_officer": 200,
    "haicheng_operator": 200,
    "dashiqiao_operator": 200,
    "department_officer": 200,
    "enterprise_user": 200,
}


@pytest.fixture
def day(world):
    built = simulate_day(world)
    refresh_rollups()
    return built


@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/",
        "/dashboards/map/",
        "/dashboards/screen/",
        "/dashboards/feed/",
        "/dashboards/screen/tiles/",
    ],
)
def test_pages_for_every_persona(world, day, path) -> None:
    check_matrix(
        world, lambda c: c.get(path), {**EVERYONE_SEES, "anonymous": 302}, watch=[DailyRollup]
    )


def test_api_for_every_persona(world, day) -> None:
    check_matrix(
        world,
        lambda c: c.get("/api/v1/dashboard/tonnage/"),
        {**EVERYONE_SEES, "anonymous": 401},
        api=True,
    )


def test_haicheng_operator_sees_only_haicheng(world, day) -> None:
    client = world.api("haicheng_operator")
    month = client.get("/api/v1/dashboard/tonnage/").json()["periods"][2]
    assert month["out_t"] == round(released_out_kg(region=world.haicheng) / 1000, 2)
    province = world.api("province_officer").get("/api/v1/dashboard/tonnage/").json()
    # Dashiqiao's checkpoint passage is a weighing the province sees, but no trip out.
    assert province["periods"][2]["trucks"] == month["trucks"]
    assert province["periods"][2]["out_t"] == month["out_t"]
    feed = client.get("/api/v1/dashboard/feed/").json()["rows"]
    assert feed and all(r["station_code"] != day.dashiqiao_station for r in feed)
    stations = client.get("/api/v1/dashboard/stations/").json()["rows"]
    assert day.dashiqiao_station not in {s["code"] for s in stations}
    # and another county, or the province, is not there at all
    for query in ("?region=210882", "?region=210000", "?site=NOPE"):
        assert client.get("/api/v1/dashboard/tonnage/" + query).status_code == 404
        assert world.client("haicheng_operator").get("/dashboards/" + query).status_code == 404


def test_enterprise_user_sees_only_their_mine(world, day) -> None:
    client = world.api("enterprise_user")
    mine = day.chain.mines[0].site
    month = client.get("/api/v1/dashboard/tonnage/").json()["periods"][2]
    assert month["out_t"] == round(released_out_kg(site=mine) / 1000, 2)
    other = day.chain.mines[1].site.code
    assert client.get(f"/api/v1/dashboard/tonnage/?site={other}").status_code == 404
    assert client.get("/api/v1/dashboard/tonnage/?region=210381").status_code == 404


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_answers_and_exports(world, day, name) -> None:
    client = world.api("province_officer")
    url = f"/api/v1/dashboard/{name}/?region=210381"
    assert client.get(url).status_code == 200
    xlsx = client.get(url + "&export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(url + "&export=csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())


def test_drill_down_province_county_mine(world, day) -> None:
    client = world.api("province_officer")
    counties = client.get("/api/v1/dashboard/breakdown/").json()
    assert counties["level"] == "county"
    haicheng = next(r for r in counties["rows"] if r["code"] == "210381")
    assert haicheng["out_t"] == round(released_out_kg(region=world.haicheng) / 1000, 2)
    mines = client.get("/api/v1/dashboard/breakdown/?region=210381").json()
    assert mines["level"] == "site"
    first = next(r for r in mines["rows"] if r["code"] == day.chain.mines[0].site.code)
    assert first["out_t"] == round(released_out_kg(site=day.chain.mines[0].site) / 1000, 2)
    assert first["used_pct"] is not None
    quota = client.get("/api/v1/dashboard/quota/").json()
    assert quota["consumed_t"] == round(released_out_kg(site__kind="mine") / 1000, 2)


def test_open_alerts_are_ranked_by_the_rule_s_chinese_name(world, day) -> None:
    # given two open overload alerts in Haicheng
    for seq in (1, 2):
        raise_alert(
            rule="overload",
            region=world.haicheng,
            subject_type="ticket",
            subject_ref=f"HC-ST-X#{seq}",
            at=timezone.now(),
            refs={},
            evidence={"gross_kg": 52_000},
        )
    # when the province officer opens the dashboard and its alerts figure
    data = world.api("province_officer").get("/api/v1/dashboard/alerts/").json()
    page = world.client("province_officer").get("/dashboards/").content.decode()
    # then overload is ranked under its catalogue name, with its code alongside
    overload = next(r for r in data["by_rule"] if r["rule"] == "overload")
    assert overload == {"rule": "overload", "rule_name": "超载", "count": 2}
    assert '<span title="overload">超载</span><b>2</b>' in page


def test_big_screen_is_chinese_and_has_no_inline_script(world, day) -> None:
    page = world.client("province_officer").get("/dashboards/screen/")
    html = page.content.decode()
    assert "指挥" in html and 'lang="zh-CN"' in html
    assert "<script>" not in html and "style=" not in html
    assert "/static/vendor/echarts/echarts.min.js" in html
