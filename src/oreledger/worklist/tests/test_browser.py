"""In Chinese: a county reports on a task at risk and confirms its week; the province sees both."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from oreledger.accounts.tests.factories import department
from oreledger.worklist import services
from oreledger.worklist.queries import today_local
from oreledger.worklist.tests.support import group
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)


def _login(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")


def _logout(page: Any) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")


def _menu(page: Any, label: str) -> None:
    page.locator("nav.sidebar").get_by_text(label, exact=True).click()
    page.wait_for_load_state()


def test_a_county_reports_a_task_at_risk_back_on_track_and_the_office_sees_it(
    world_tx: Any, page: Any
) -> None:
    # given a Haicheng task half-way through its 40 days whose milestone passed 3 days ago
    # with no progress report since
    today = today_local()
    services.create_task(
        actor=world_tx.user("province_officer"),
        group=group(world_tx),
        number="ZB01-0381",
        title="越界开采清理",
        measures="比对卫星影像与矿权范围",
        completion_standard="越界图斑全部查处销号",
        responsible_department=department("natural_resources", world_tx.haicheng),
        responsible_person=world_tx.user("department_officer"),
        start=today - 20 * DAY,
        due=today + 20 * DAY,
        milestones=[("完成摸底和方案", today - 3 * DAY)],
    )
    # when Haicheng's operator opens it from the task list
    _login(page, "haicheng_operator")
    _menu(page, "联合行动任务")
    page.locator("#list-table").get_by_text("ZB01-0381").click()
    # then it is at risk, and the page says which part of the rule put it there
    assert page.locator("[data-testid=task-status]").inner_text() == "存在风险"
    milestone_due = (today - 3 * DAY).isoformat()
    assert page.locator("[data-testid=status-reason]").inner_text() == (
        f"存在风险：时间节点“完成摸底和方案”应于 {milestone_due} 完成，此后未报送进展。"
    )
    # when the operator files this week's report at 60 %
    form = page.locator("[data-testid=report-form]")
    form.locator("#id_text").fill("已完成全部图斑比对，立案 12 起")
    form.locator("#id_percent").fill("60")
    form.locator("#id_problems").fill("两处图斑权属不清")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=进展已报送。")
    # then the task is on track and the rule shown is the clause about the latest report
    assert page.locator("[data-testid=task-status]").inner_text() == "正常推进"
    assert page.locator("[data-testid=status-reason]").inner_text() == (
        "正常推进：最近一次报送进度 60%，时间已过 50%，无逾期时间节点。"
    )
    _logout(page)
    # when the provincial office filters its task list to the tasks on track
    _login(page, "province_officer")
    _menu(page, "联合行动任务")
    page.select_option("#id_status", "on_track")
    page.wait_for_url("**status=on_track**")
    # then Haicheng's task is there, and its page shows the county's report
    page.locator("#list-table").get_by_text("ZB01-0381").click()
    assert page.locator("[data-testid=task-status]").inner_text() == "正常推进"
    row = page.locator("[data-testid=reports] tbody tr").first
    assert row.locator("td").nth(1).inner_text() == "已完成全部图斑比对，立案 12 起"
    assert row.locator("td").nth(2).inner_text() == "60%"


def test_a_county_confirms_its_week_and_the_province_sees_the_rate_rise(
    world_tx: Any, page: Any
) -> None:
    # given seven days of grace: of the last eight weeks, this week and last are not yet due,
    # the six before are expected and missing in both counties
    services.set_grace_days(actor=world_tx.user("province_officer"), grace_days=7)
    _login(page, "province_officer")
    _menu(page, "数据上报及时率")
    assert page.locator("[data-testid=expected-210381]").inner_text() == "6"
    assert page.locator("[data-testid=rate-210381]").inner_text() == "0%"
    assert page.locator("[data-testid=rate-all]").inner_text() == "0%"
    _logout(page)
    # when Haicheng's operator confirms last week (the week the form offers)
    _login(page, "haicheng_operator")
    _menu(page, "每周数据上报")
    page.fill("#id_comment", "本周磅单与合同已核对")
    page.locator("[data-testid=confirm-form] button[type=submit]").click()
    page.wait_for_selector("text=该周数据已确认。")
    _logout(page)
    # then the province sees Haicheng's week on time: 1 of 7 expected weeks (14 %), and the
    # province's rate 1 of 13 (8 %)
    _login(page, "province_officer")
    _menu(page, "数据上报及时率")
    assert page.locator("[data-testid=expected-210381]").inner_text() == "7"
    assert page.locator("[data-testid=rate-210381]").inner_text() == "14%"
    assert page.locator("[data-testid=rate-all]").inner_text() == "8%"
    assert page.locator("[data-testid=timeliness] td.week-on_time").count() == 1
