"""Two-factor sign-in in a Chinese browser: enrol with the QR code, sign in with the code,
with a recovery code, and be locked out after repeated wrong codes (on a 360 px phone)."""

from __future__ import annotations

import pyotp
import pytest
import segno
from django.test import override_settings
from django.utils import timezone

from oreledger.accounts.models import SignInEvent
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")


def log_out(page) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")


@override_settings(OL_LOGIN_MAX_FAILURES=3)
def test_enrol_sign_in_recover_and_lock_out_in_chinese(world_tx, page, settings) -> None:
    settings.OL_REQUIRE_SECOND_FACTOR = True
    page.set_viewport_size({"width": 360, "height": 740})
    # given the Haicheng operator, an official without an authenticator, at the login page
    sign_in_with_password(page, "haicheng_operator")
    # then enrolment comes first, in Chinese, with a QR code of the key shown beside it
    page.wait_for_url("**/accounts/me/second-factor/**")
    assert page.locator("h1").inner_text() == "设置身份验证器"
    assert page.locator("[data-testid=enrol-required]").is_visible()
    secret = page.locator("[data-testid=enrol-secret]").inner_text().replace(" ", "")
    uri = f"otpauth://totp/oreledger:haicheng_operator?secret={secret}&issuer=oreledger"
    qr = page.locator("[data-testid=enrol-qr]")
    assert qr.get_attribute("src") == segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    assert qr.bounding_box()["width"] <= 360
    # when the app's first code is entered
    totp = pyotp.TOTP(secret)
    page.fill("#id_code", totp.now())
    page.click("[data-testid=enrol-submit]")
    # then the ten recovery codes are shown once
    page.wait_for_url("**/accounts/me/recovery-codes/**")
    codes = page.locator("[data-testid=recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.click("[data-testid=recovery-codes-done]")
    page.wait_for_url(page.base_url + "/")
    assert page.locator("[data-testid=role]").inner_text() == "县级操作员"
    log_out(page)

    # when they sign in again: the password, then the authenticator's (next) code
    sign_in_with_password(page, "haicheng_operator")
    page.wait_for_url("**/accounts/login/code/**")
    assert page.locator("h1").inner_text() == "身份验证器验证码"
    assert page.locator("label[for=id_code]").inner_text() == "身份验证器验证码或恢复码"
    box = page.locator("#id_code").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.fill("#id_code", totp.at(timezone.now().timestamp() + 30))
    page.click("[data-testid=second-factor-submit]")
    # then they are in
    page.wait_for_url(page.base_url + "/")
    log_out(page)

    # when they have lost the phone and give a recovery code
    sign_in_with_password(page, "haicheng_operator")
    page.wait_for_url("**/accounts/login/code/**")
    page.fill("#id_code", codes[0])
    page.click("[data-testid=second-factor-submit]")
    # then they are in, told the code is spent
    page.wait_for_url(page.base_url + "/")
    assert "您已使用恢复码登录，该恢复码不能再次使用。" in page.locator(".messages").inner_text()
    log_out(page)

    # when someone with the password guesses codes
    sign_in_with_password(page, "haicheng_operator")
    page.wait_for_url("**/accounts/login/code/**")
    for guess in ("111111", "222222"):
        page.fill("#id_code", guess)
        page.click("[data-testid=second-factor-submit]")
        error = page.locator("[data-testid=second-factor-error]").inner_text()
        assert error == "验证码错误或已使用，请输入当前的验证码。"
    page.fill("#id_code", codes[0])  # the spent recovery code: too late, and spent anyway
    page.click("[data-testid=second-factor-submit]")
    # then they are locked out, in Chinese, and the password is refused too
    locked = page.locator("[data-testid=second-factor-locked]").inner_text()
    assert locked.startswith("登录失败次数过多")
    sign_in_with_password(page, "haicheng_operator")
    assert page.locator("[data-testid=login-error]").inner_text().startswith("登录失败次数过多")
    # and the province's audit has every step
    outcomes = list(
        SignInEvent.objects.filter(username="haicheng_operator")
        .order_by("pk")
        .values_list("factor", "outcome")
    )
    assert outcomes == [
        ("password", "succeeded"),
        ("totp", "succeeded"),
        ("password", "succeeded"),
        ("totp", "succeeded"),
        ("password", "succeeded"),
        ("recovery_code", "succeeded"),
        ("password", "succeeded"),
        ("totp", "failed"),
        ("totp", "failed"),
        ("recovery_code", "locked_out"),
        ("password", "locked_out"),
    ]
