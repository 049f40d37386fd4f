"""Issue 15: every menu page, as each role sees it in Chromium, reads in Chinese and fits.

One test per role, all its menu pages in one browser context at 1440×900 in zh-CN: no raw
identifier in the rendered text or in the charts' legends (`core.testing.wording`), no
U+FFFD, no character drawn as the empty box of a missing glyph, no horizontal scrolling,
and exactly one menu item highlighted.
"""

from __future__ import annotations

from typing import Any

import pytest

from testkit.personas import PASSWORD
from testkit.showcase import ROLES, build_showcase, data_words
from testkit.wording import raw_words

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1440, 900

# The text a person reads: the page's, and what the charts draw on their canvases.
READ_TEXT = """
() => {
  const parts = [document.body.innerText];
  if (window.echarts) {
    document.querySelectorAll('[_echarts_instance_]').forEach((el) => {
      const option = window.echarts.getInstanceByDom(el).getOption();
      (option.series || []).forEach((s) => {
        parts.push(s.name || '');
        (s.data || []).forEach((d) => { if (d && d.name) { parts.push(d.name); } });
      });
      [].concat(option.xAxis || [], option.yAxis || []).forEach((a) => parts.push(a.name || ''));
    });
  }
  return parts.join('\\n');
}
"""
# Characters drawn as the font's empty box: each is compared, as pixels on a canvas in the
# page's font, with characters no font has (an unassigned code point, a private-use one).
MISSING_GLYPHS = """
(text) => {
  const canvas = document.createElement('canvas');
  canvas.width = 48; canvas.height = 48;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  g.font = '32px ' + getComputedStyle(document.body).fontFamily;
  g.textBaseline = 'top';
  const picture = (ch) => {
    g.clearRect(0, 0, 48, 48); g.fillText(ch, 4, 4);
    const pixels = g.getImageData(0, 0, 48, 48).data;
    let hash = 0;
    for (let i = 3; i < pixels.length; i += 4) { hash = (hash * 31 + pixels[i]) | 0; }
    return hash + ':' + g.measureText(ch).width;
  };
  const box = new Set(['\\u0378', '\\uE000', '\\u{10FFFD}'].map(picture));
  return Array.from(new Set(Array.from(text))).filter((ch) => ch.trim() && box.has(picture(ch)));
}
"""


def _log_in(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")


def _problems(page: Any, allowed: set[str]) -> list[str]:
    """What is wrong with the page as shown."""
    text = page.evaluate(READ_TEXT)
    problems = (
        [f"raw: {' '.join(sorted(set(raw_words(text, allowed))))}"]
        if raw_words(text, allowed)
        else []
    )
    if "\ufffd" in text:
        problems.append("U+FFFD in the text")
    missing = page.evaluate(MISSING_GLYPHS, text)
    if missing:
        problems.append(f"no glyph for {' '.join(f'U+{ord(c):04X}' for c in missing)}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        problems.append(f"{width - WIDTH} px wider than the window")
    if page.locator("nav.sidebar").count():
        active = page.locator("nav.sidebar a.active, header a.active").count()
        if active != 1:
            problems.append(f"{active} menu items highlighted")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_menu_page_reads_in_chinese_and_fits(
    world_tx: Any, chromium: Any, live_server: Any, role: str
) -> None:
    # given the role's persona in a zh-CN browser at 1440×900, with data on every page
    build_showcase(world_tx)
    allowed = data_words()
    context = chromium.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": WIDTH, "height": HEIGHT}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        _log_in(page, ROLES[role])
        menu = page.eval_on_selector_all("nav.sidebar a", "links => links.map(a => a.pathname)")
        assert len(menu) > 5, menu
        # when they open every page of their menu
        found = {}
        for path in dict.fromkeys(menu):
            response = page.goto(page.base_url + path, wait_until="load")
            assert response is not None and response.status == 200, path
            problems = _problems(page, allowed)
            if problems:
                found[path] = problems
    finally:
        context.close()
    # then each reads in Chinese, every character has a glyph, and nothing overflows
    assert found == {}
