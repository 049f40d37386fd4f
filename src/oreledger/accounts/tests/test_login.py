"""Logging in, throttling, password change and API tokens."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from oreledger.accounts.models import ApiToken, LoginFailure
from oreledger.core.jobs import prune_housekeeping
from oreledger.core.models import ObjectChange
from testkit.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese_by_default(world) -> None:
    response = Client().get("/accounts/login/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "登录矿石台账" in text
    assert 'lang="zh-CN"' in text


def test_login_then_home_shows_the_jurisdiction(world) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "haicheng_operator", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [("/", 302)]
    text = response.content.decode()
    assert "辽宁省 › 鞍山市 › 海城市" in text
    assert "县级操作员" in text


@override_settings(OL_LOGIN_MAX_FAILURES=3)
def test_repeated_failures_lock_the_username_even_with_the_right_password(world) -> None:
    client = Client()
    for _ in range(3):
        bad = client.post(
            "/accounts/login/", {"username": "haicheng_operator", "password": "wrong"}
        )
        assert bad.status_code == 200
    # when the right password comes after three failures
    locked = client.post(
        "/accounts/login/", {"username": "haicheng_operator", "password": PASSWORD}
    )
    # then it is refused with the throttling message, and no session starts
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="haicheng_operator").count() == 3


def test_success_clears_earlier_failures(world) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "dashiqiao_operator", "password": "nope"})
    client.post("/accounts/login/", {"username": "dashiqiao_operator", "password": PASSWORD})
    assert LoginFailure.objects.filter(username="dashiqiao_operator").count() == 0


def test_password_change_requires_the_old_password(world) -> None:
    client = world.client("province_officer")
    refused = client.post(
        "/accounts/password/",
        {
            "old_password": "bad",
            "new_password1": "Kuang-shan-2026",
            "new_password2": "Kuang-shan-2026",
        },
    )
    assert refused.status_code == 200
    assert "你的旧密码不正确" in refused.content.decode()
    done = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Kuang-shan-2026",
            "new_password2": "Kuang-shan-2026",
        },
    )
    assert done.status_code == 302
    world.user("province_officer").refresh_from_db()
    assert world.user("province_officer").check_password("Kuang-shan-2026")


def test_token_is_shown_once_stored_hashed_and_revocable(world) -> None:
    client = world.client("haicheng_operator")
    client.post("/accounts/me/tokens/", {"name": "erp"})
    page = client.get("/accounts/me/")
    key = page.context["new_key"]
    token = ApiToken.objects.get(user=world.user("haicheng_operator"))
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert client.get("/accounts/me/").context["new_key"] is None  # shown once
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me").json()["username"] == "haicheng_operator"
    asked = client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert b'data-testid="confirm-step"' in asked.content
    assert api.get("/api/v1/me").status_code == 200  # revoked only once confirmed
    client.post(f"/accounts/me/tokens/{token.pk}/revoke/", {"confirmed": "1"})
    refused = api.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert ObjectChange.objects.filter(object_id=str(token.pk)).count() == 2


def test_another_persons_token_cannot_be_revoked(world) -> None:
    world.client("haicheng_operator").post("/accounts/me/tokens/", {"name": "erp"})
    token = ApiToken.objects.get()
    response = world.client("dashiqiao_operator").post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_english_is_one_click_away(world) -> None:
    client = world.client("haicheng_operator")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = client.get("/").content.decode()
    assert "Your jurisdiction" in text and "Haicheng" in text


@override_settings(OL_LOGIN_WINDOW_SECONDS=900)
def test_housekeeping_forgets_failed_logins_older_than_the_throttle_window() -> None:
    # given a failure just outside the window and one inside it
    now = timezone.now()
    old = LoginFailure.objects.create(username="a", address="10.0.0.1")
    recent = LoginFailure.objects.create(username="b", address="10.0.0.2")
    LoginFailure.objects.filter(pk=old.pk).update(at=now - datetime.timedelta(seconds=901))
    LoginFailure.objects.filter(pk=recent.pk).update(at=now - datetime.timedelta(seconds=899))
    # when the hourly housekeeping runs
    counts = prune_housekeeping.call("2026-01-01T00")
    # then only the old failure is gone, and accounts' count is reported
    assert counts["login_failures"] == 1
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["b"]


def test_a_new_token_never_waits_in_plaintext_in_the_session_table(world) -> None:
    # given a token just issued, not yet shown
    client = world.client("haicheng_operator")
    client.post("/accounts/me/tokens/", {"name": "erp"})
    stored = Session.objects.get(session_key=client.session.session_key)
    waiting = stored.get_decoded()["new_api_token"]
    # when it is shown once
    key = client.get("/accounts/me/").context["new_key"]
    # then the session held only its sealed form
    assert key and key not in stored.session_data and key not in waiting
    assert waiting.startswith("v1:")
