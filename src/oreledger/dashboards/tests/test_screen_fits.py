"""The big screen fits 1920×1080 and 3840×2160: no scrollbar, no panel cut or overflowing,
numbers never truncated, charts and county outlines drawn, the clock in Shanghai time."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone

from oreledger.accounts.tests.factories import RegionFactory
from oreledger.alerts.engine import raise_alert
from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.tests.world import simulate_day
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# Everything that does not fit, measured in the page (layout boxes, transforms included).
PROBLEMS = """() => {
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > innerWidth || de.scrollHeight > innerHeight) out.push("the page scrolls");
  const stage = document.getElementById("stage").getBoundingClientRect();
  const inside = (r, box) => r.left >= box.left - 1 && r.right <= box.right + 1
    && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  const name = (el) => el.className || el.tagName;
  const panels = [...document.querySelectorAll(".s-panel")];
  panels.forEach((panel) => {
    const box = panel.getBoundingClientRect();
    const title = panel.querySelector("h2").textContent.trim();
    if (!inside(box, stage)) out.push(title + ": outside the stage");
    if (panel.scrollHeight > panel.clientHeight + 1 || panel.scrollWidth > panel.clientWidth + 1) {
      out.push(title + ": content overflows the panel");
    }
    panel.querySelectorAll("*").forEach((el) => {
      if (el.closest(".leaflet-container, [data-chart]")) { return; }
      const r = el.getBoundingClientRect();
      if (r.width && r.height && !inside(r, box)) out.push(title + ": " + name(el) + " is cut");
      const style = getComputedStyle(el);
      if (/(auto|scroll)/.test(style.overflowX + style.overflowY)
          && (el.scrollHeight > el.clientHeight || el.scrollWidth > el.clientWidth)) {
        out.push(title + ": " + name(el) + " scrolls");
      }
    });
    // Figures and plates are never shortened with an ellipsis.
    panel.querySelectorAll(".v, b, td.num, .plate, h2").forEach((el) => {
      if (el.scrollWidth > el.clientWidth + 1) out.push(title + ": " + el.textContent + " cut");
    });
  });
  const heading = (panel) => panel.querySelector("h2").textContent.trim();
  panels.forEach((a, i) => panels.slice(i + 1).forEach((b) => {
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    const apart = p.right <= q.left + 1 || q.right <= p.left + 1
      || p.bottom <= q.top + 1 || q.bottom <= p.top + 1;
    if (!apart) { out.push(heading(a) + " overlaps " + heading(b)); }
  }));
  return out;
}"""


@pytest.fixture
def province_day(world_tx: Any) -> Any:
    """A day of weighings, and the six counties of the demo province (the ranking's rows)."""
    for code, name, city in (
        ("210323", "岫岩满族自治县", world_tx.anshan),
        ("210682", "凤城市", None),
        ("210624", "宽甸满族自治县", None),
        ("211021", "辽阳县", None),
    ):
        parent = city or RegionFactory(
            code=code[:4] + "00", name_zh=f"{name}所属市", level="city", parent=world_tx.province
        )
        RegionFactory(code=code, name_zh=name, level="county", parent=parent)
    built = simulate_day(world_tx)
    refresh_rollups()
    # and open alerts of more rules than the panel lists, with the catalogue's longest name
    for rule in (
        "plant_intake_over_capacity",
        "off_hours",
        "station_clock_drift",
        "overload",
        "station_seq_gap",
    ):
        raise_alert(
            rule=rule,
            region=world_tx.haicheng,
            subject_type="ticket",
            subject_ref=f"HC-ST-X#{rule}",
            at=timezone.now(),
            refs={},
            evidence={},
        )
    return built


def _open_screen(chromium: Any, live_server: Any, width: int, height: int) -> Any:
    # The browser says UTC: the screen must still show Shanghai's time.
    context = chromium.new_context(
        locale="zh-CN", timezone_id="UTC", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "province_officer")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/dashboards/screen/")
    page.locator("[data-chart=daily] canvas").wait_for()
    page.locator("[data-chart=prices] canvas").wait_for()
    page.locator("#screen-map[data-ready=true]").wait_for()
    return page


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_the_big_screen_fits_the_display(
    chromium: Any, live_server: Any, province_day: Any, width: int, height: int
) -> None:
    page = _open_screen(chromium, live_server, width, height)
    try:
        # the stage fills the display at its scale
        box = page.locator("#stage").bounding_box()
        assert (round(box["width"]), round(box["height"])) == (width, height)
        # nothing overflows, is cut, scrolls or overlaps
        assert page.evaluate(PROBLEMS) == []
        # every county of the province is in the ranking, and outlined on the map
        ranking = page.locator(".s-rankp li").all_inner_texts()
        assert len(ranking) == 6 and "辽阳县" in " ".join(ranking)
        assert page.locator("#screen-map .leaflet-counties-pane path").count() == 6
        # charts are drawn at the display's resolution, not stretched
        canvas = page.locator("[data-chart=daily] canvas").first
        css_width = page.locator("[data-chart=daily]").evaluate("el => el.clientWidth")
        assert canvas.evaluate("c => c.width") == css_width * width // 1920
        # the clock shows Shanghai time although the browser is in UTC
        date = page.locator("[data-clock=date]").inner_text()
        time = page.locator("[data-clock=time]").inner_text()
        year, month, day = map(int, re.fullmatch(r"(\d+)年(\d+)月(\d+)日", date).groups())  # type: ignore[union-attr]
        shown = datetime.datetime.combine(
            datetime.date(year, month, day), datetime.time.fromisoformat(time), SHANGHAI
        )
        assert abs((shown - datetime.datetime.now(SHANGHAI)).total_seconds()) < 5
    finally:
        page.context.close()
