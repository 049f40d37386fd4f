"""In Chinese, in Chromium at 1440×900, under the strict CSP: the province reads its node
page — Shanghai times, the lag in words, the restored county's notice — and sorts it."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest
from django.utils import timezone

from oreledger.federation.models import Node
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _look(page: Any, name: str) -> None:
    """Keep a screenshot when OL_SCREENSHOTS names a directory (for a reviewer's eyes)."""
    folder = os.environ.get("OL_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_the_province_reads_and_sorts_its_node_page(world_tx: Any, page: Any, settings) -> None:
    # given a hub with Haicheng up to date and Dashiqiao restored from an older backup
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", "210000"
    now = timezone.now()
    Node.objects.create(code="210381", name="海城市", secret="s1",
                        last_contact=datetime.datetime(2026, 12, 7, 1, 30, tzinfo=datetime.UTC),
                        newest_change_at=now - datetime.timedelta(minutes=3, seconds=5),
                        node_last_seq=40, acked_seq=40)  # fmt: skip
    Node.objects.create(code="210882", name="大石桥市", secret="s2",
                        last_contact=datetime.datetime(2026, 12, 6, 23, 5, tzinfo=datetime.UTC),
                        newest_change_at=now - datetime.timedelta(hours=2, minutes=5),
                        node_last_seq=48, acked_seq=30, refused_batches=2,
                        last_error="node_restored: 分平台数据早于省级平台已保存的数据。",
                        restored_at=now)  # fmt: skip
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", "province_officer")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")
    # when the province opens its node page
    page.goto(page.base_url + "/federation/nodes/")
    _look(page, "federation-nodes")
    # then it reads Shanghai times and the lag in words, and the restored county's notice
    haicheng = page.locator("tr[data-node='210381']")
    assert haicheng.locator("[data-testid=last-contact]").inner_text() == "2026-12-07 09:30"
    assert haicheng.locator("[data-testid=lag]").inner_text() == "3 分钟"
    assert "是从较早的备份恢复的" in page.locator("[data-testid=restored]").inner_text()
    # and the table fits the window: nothing runs off to the right
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    # when it sorts by backlog, twice (largest first)
    page.click("th a:text('积压')")
    page.click("th a:text('积压')")
    page.wait_for_url("**sort=-backlog**")
    _look(page, "federation-nodes-by-backlog")
    # then Dashiqiao comes first, and the page kept to the content security policy
    assert page.locator("tr[data-node]").first.get_attribute("data-node") == "210882"
    assert refused == []
