"""A person logs in in Chinese, sees their jurisdiction, switches to English and logs out."""

import pytest

from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_home_switch_language_logout(world_tx, page) -> None:
    # given the Haicheng operator at the login page, in a Chinese browser
    page.goto(page.base_url + "/")
    assert page.locator("h1").inner_text() == "登录矿石台账"
    # when they log in
    page.fill("#id_username", "haicheng_operator")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    # then the home page shows their jurisdiction, in Chinese
    page.wait_for_url(page.base_url + "/")
    assert page.locator("[data-testid=region]").inner_text() == "辽宁省 › 鞍山市 › 海城市"
    assert page.locator("[data-testid=role]").inner_text() == "县级操作员"
    assert page.locator("nav.sidebar").get_by_text("用户").is_visible()
    # when they switch to English
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    # then the same page is in English
    assert page.locator("h2").first.inner_text() == "Your jurisdiction"
    assert page.locator("[data-testid=region]").inner_text() == "Liaoning › Anshan › Haicheng"
    assert page.locator("[data-testid=role]").inner_text() == "County operator"
    # when they log out
    page.click("[data-testid=logout]")
    # then they are back at the login page and the home page asks for a login again
    page.wait_for_url("**/accounts/login/")
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url


def test_wrong_password_says_why_in_chinese(world_tx, page) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", "haicheng_operator")
    page.fill("#id_password", "wrong-password")
    page.click("[data-testid=login-submit]")
    error = page.locator("[data-testid=login-error]").inner_text()
    assert error == "请输入一个正确的用户名和密码。注意，两者都区分大小写。"
