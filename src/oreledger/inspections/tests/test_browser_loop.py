"""On a phone (360×740), in Chinese, under the strict CSP: a campaign's inspector fails a
stop-production item with a photo while the connection comes and goes; nothing typed is
lost and the inspection is stored once. The county issues the order, the enterprise
answers with evidence, two departments sign, and the mine's gate releases the next truck."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from oreledger.inspections.models import Inspection, InspectionPhoto, RectificationOrder
from oreledger.inspections.tests.support import build_loop, today
from oreledger.registry.models import Site
from oreledger.weighing.tests.support import (
    body,
    build_chain,
    exit_gate,
    on_shift,
    plate,
    post,
    ticket,
    waybills_for,
)
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LICENCE = "采矿许可证在有效期内"
COVERS = "料堆和运输车辆苫盖"
PHOTO = {"name": "许可证.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff photo"}


def _phone(chromium: Any, live_server: Any, username: str) -> Any:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    tab.goto(tab.base_url + "/accounts/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", PASSWORD)
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(tab.base_url + "/")
    return tab


def _item(tab: Any, text: str) -> Any:
    return tab.locator("fieldset.check-item", has_text=text)


def _fill(tab: Any) -> None:
    for n in range(tab.locator("fieldset.check-item").count()):
        tab.locator("fieldset.check-item").nth(n).locator(".choice-pass").click()
    licence = _item(tab, LICENCE)
    licence.locator(".choice-fail").click()
    licence.locator("textarea").fill("采矿许可证已于去年到期未延续")
    licence.locator("input[type=file]").set_input_files(PHOTO)
    covers = _item(tab, COVERS)
    covers.locator(".choice-fail").click()
    covers.locator("textarea").fill("东侧料堆裸露")


def _held(code: str, secret: str, seq: int, waybill: str) -> bool:
    [result] = post(
        Client(), code, secret, body([ticket(seq, plate(seq), waybill=waybill, at=on_shift())])
    ).json()["results"]
    return result["release"] is False and [r["code"] for r in result["reasons"]] == [
        "site_suspended"
    ]


def _sign(tab: Any, order: RectificationOrder) -> None:
    tab.goto(tab.base_url + order.get_absolute_url())
    tab.fill("#id_note", "现场复核通过")
    tab.click("[data-testid=sign-order]")
    tab.wait_for_selector("[data-testid=confirm-step]")
    tab.click("[data-testid=confirm]")
    tab.wait_for_selector("text=已验收签字。")


def test_campaign_to_signed_order_releases_the_gate_and_a_lost_connection_loses_nothing(
    world_tx: Any, chromium: Any, live_server: Any
) -> None:
    world = world_tx
    chain = build_chain(world, quota_kg=100_000, contract_kg=80_000)
    mine, code, secret = exit_gate(chain)
    loop = build_loop(world)
    refused: list[str] = []
    inspector = _phone(chromium, live_server, "department_officer")
    inspector.on(
        "console", lambda m: refused.append(m.text) if "Content Security" in m.text else None
    )
    # given the campaign's page, the inspector opens the checklist for the mine
    inspector.goto(inspector.base_url + loop.campaign.get_absolute_url())
    inspector.fill("#id_site", mine.site.code)
    inspector.click("[data-testid=start-inspection]")
    expect(inspector.locator("h1")).to_have_text(mine.site.name)
    expect(inspector.locator("[data-testid=procedures-check]")).to_be_visible()
    box = inspector.locator(".choice").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 90  # a thumb's target
    assert inspector.evaluate("document.documentElement.scrollWidth") <= 360
    _fill(inspector)

    # when the connection drops as they submit, the page says nothing is lost
    inspector.context.set_offline(True)
    inspector.click("[data-testid=submit-inspection]")
    expect(inspector.locator("[data-testid=draft-status]")).to_contain_text("网络已断开")
    assert Inspection.objects.count() == 0
    # and when the page is opened again, everything typed is back
    inspector.context.set_offline(False)
    inspector.reload()
    expect(inspector.locator("[data-testid=draft-status]")).to_have_text("已恢复本机保存的草稿。")
    expect(_item(inspector, LICENCE).locator("textarea")).to_have_value(
        "采矿许可证已于去年到期未延续"
    )
    expect(_item(inspector, LICENCE).locator(".choice-fail input")).to_be_checked()
    expect(_item(inspector, COVERS).locator("textarea")).to_have_value("东侧料堆裸露")
    _item(inspector, LICENCE).locator("input[type=file]").set_input_files(PHOTO)

    # when the server stores it but the answer is lost on the way back, the draft stays
    lost: list[int] = []

    def drop_the_answer(route: Any) -> None:
        lost.append(route.fetch().status)
        route.abort()

    inspector.route("**/inspect/**", drop_the_answer)
    inspector.click("[data-testid=submit-inspection]")
    expect(inspector.locator("[data-testid=draft-status]")).to_contain_text("网络已断开")
    assert lost == [201] and Inspection.objects.count() == 1
    # then resent, it lands on the same inspection: stored once
    inspector.unroute("**/inspect/**")
    inspector.click("[data-testid=submit-inspection]")
    inspector.wait_for_url("**/inspections/visits/*/")
    inspection = Inspection.objects.get()
    assert inspection.results.count() == 3 and inspection.findings.count() == 2
    assert InspectionPhoto.objects.count() == 1
    assert inspector.evaluate("Object.keys(localStorage).length") == 0

    # the county issues the order: the mine stops, its next truck is held
    county = _phone(chromium, live_server, "haicheng_operator")
    county.goto(county.base_url + inspection.get_absolute_url())
    county.fill("#id_target", "补办采矿许可证，料堆全部苫盖")
    county.fill("#id_measures", "一、停产整改；二、补办许可证；三、苫盖料堆")
    county.fill("#id_deadline", (today() + datetime.timedelta(days=30)).isoformat())
    county.fill("#id_responsible_person", "周工")
    county.click("[data-testid=issue-order]")
    county.wait_for_url("**/inspections/orders/ZG*/")
    order = RectificationOrder.objects.get()
    assert Site.objects.get(pk=mine.site.pk).status == "rectifying"
    [first, second] = waybills_for(mine, [plate(1), plate(2)])
    assert _held(code, secret, 1, first.number)

    # the enterprise answers with evidence
    clerk = _phone(chromium, live_server, "enterprise_user")
    clerk.goto(clerk.base_url + order.get_absolute_url())
    clerk.fill("#id_text", "已补办采矿许可证，料堆已苫盖")
    clerk.locator("#id_evidence").set_input_files(PHOTO)
    clerk.click("[data-testid=answer-order]")
    clerk.wait_for_selector("text=回复已存档。")

    # two departments sign; the order closes and the gate releases the next truck
    _sign(inspector, order)
    ecology = _phone(chromium, live_server, "ecology_officer")
    _sign(ecology, order)
    expect(ecology.locator("[data-testid=order-status]")).to_have_text("已销号")
    assert Site.objects.get(pk=mine.site.pk).status == "operating"
    [released] = post(
        Client(), code, secret, body([ticket(2, plate(2), waybill=second.number, at=on_shift())])
    ).json()["results"]
    assert released["release"] is True
    assert refused == []
    for tab in (inspector, county, clerk, ecology):
        tab.context.close()
