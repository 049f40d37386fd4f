"""In Chinese: an enterprise raises an appeal, the office routes it, the department answers and
solves it, and the enterprise confirms with its rating (销号)."""

from __future__ import annotations

from typing import Any

import pytest

from oreledger.appeals.choices import AppealStatus, Closure
from oreledger.appeals.models import Appeal
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")


def _logout(page: Any) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")


def test_raise_route_answer_solve_confirm_in_chinese(world_tx: Any, page: Any) -> None:
    # given the mine's user, who raises an appeal about power supply
    _login(page, "enterprise_user")
    page.locator("nav.sidebar").get_by_text("提出诉求").click()
    assert page.locator("h1").inner_text() == "提出诉求"
    page.select_option("#id_category", "utilities")
    page.fill("#id_description", "矿区变电站容量不足，新增破碎线无法通电。")
    page.click("[data-testid=raise-form] button[type=submit]")
    page.wait_for_selector("[data-testid=appeal-status]")
    assert page.locator("[data-testid=appeal-status]").inner_text() == "待交办"
    # the routing stage counts down from one day
    assert page.locator("[data-testid=countdown-route]").inner_text().startswith("剩余 23 小时")
    appeal_url = page.url
    _logout(page)
    # when the Haicheng office routes it to the natural-resources bureau
    _login(page, "haicheng_operator")
    page.locator("nav.sidebar").get_by_text("诉求收件箱").click()
    page.get_by_role("link", name="SQ-").first.click()
    page.locator("[data-testid=route-form]").get_by_label("海城市自然资源局").check()
    page.click("[data-testid=route-form] button[type=submit]")
    page.wait_for_selector("[data-testid=appeal-status]:has-text('待首次答复')")
    assert page.locator("[data-testid=appeal-departments]").inner_text() == "海城市自然资源局"
    _logout(page)
    # and the bureau answers, then reports it solved
    _login(page, "department_officer")
    page.goto(appeal_url)
    page.fill("[data-testid=answer-form] textarea", "已联系供电公司现场勘察。")
    page.click("[data-testid=answer-form] button[type=submit]")
    page.wait_for_selector("[data-testid=appeal-status]:has-text('办理中')")
    page.fill("[data-testid=solve-form] textarea", "新变压器已投运，破碎线已通电。")
    page.click("[data-testid=solve-form] button[type=submit]")
    page.wait_for_selector("[data-testid=appeal-status]:has-text('待企业确认')")
    _logout(page)
    # then the enterprise reads the answers and confirms with a rating of 5
    _login(page, "enterprise_user")
    page.goto(appeal_url)
    timeline = page.locator("[data-testid=appeal-timeline]").inner_text()
    assert "已联系供电公司现场勘察。" in timeline and "新变压器已投运" in timeline
    page.locator("[data-testid=confirm-form] input[value='5']").check()
    page.click("[data-testid=confirm-form] button[type=submit]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=appeal-status]:has-text('已销号')")
    assert "满意度 5 分" in page.locator("[data-testid=appeal-closure]").inner_text()
    appeal = Appeal.objects.get()
    assert (appeal.status, appeal.closure, appeal.satisfaction) == (
        AppealStatus.CLOSED,
        Closure.CONFIRMED,
        5,
    )
