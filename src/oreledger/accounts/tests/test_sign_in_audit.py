"""The sign-in audit and sessions (the province's view, the owner's), the province's password
policy, and API tokens' scope and expiry."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from oreledger.accounts.errors import TokenExpiryInvalid
from oreledger.accounts.models import (
    ApiToken,
    PasswordHistory,
    PasswordPolicy,
    SignedInSession,
    SignInEvent,
)
from oreledger.accounts.services import issue_api_token
from oreledger.core.models import ObjectChange
from testkit.matrix import check_matrix
from testkit.personas import PASSWORD

pytestmark = pytest.mark.django_db

PROVINCE_ONLY = {
    "province_officer": 200,
    "haicheng_operator": 404,
    "dashiqiao_operator": 404,
    "department_officer": 404,
    "enterprise_user": 404,
    "anonymous": 302,
}


def sign_in(username: str, password: str = PASSWORD, address: str = "10.2.0.1") -> Client:
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT="Firefox/140")
    client.post("/accounts/login/", {"username": username, "password": password})
    return client


def test_every_sign_in_step_is_audited_and_the_province_reads_it(world) -> None:
    # given a wrong password for a real person, a made-up name, and a right password
    sign_in("haicheng_operator", "wrong")
    sign_in("nobody-here")
    sign_in("haicheng_operator")
    # then the audit holds each, with who, from where and how it ended
    rows = list(
        SignInEvent.objects.order_by("pk").values_list(
            "username", "user__username", "outcome", "factor", "address", "user_agent"
        )
    )
    assert rows == [
        (
            "haicheng_operator",
            "haicheng_operator",
            "failed",
            "password",
            "10.2.0.1",
            "Firefox/140",
        ),
        ("nobody-here", None, "failed", "password", "10.2.0.1", "Firefox/140"),
        (
            "haicheng_operator",
            "haicheng_operator",
            "succeeded",
            "password",
            "10.2.0.1",
            "Firefox/140",
        ),
    ]
    # and the province office reads it all, a county operator its own people's, others
    # nothing (404, nothing changes)
    readers = {**PROVINCE_ONLY, "haicheng_operator": 200, "dashiqiao_operator": 200}
    pages = check_matrix(
        world, lambda c: c.get("/accounts/sign-ins/?outcome=failed"), readers, watch=[SignInEvent]
    )
    assert [e.username for e in pages["haicheng_operator"].context["object_list"]] == [
        "haicheng_operator"
    ]
    assert list(pages["dashiqiao_operator"].context["object_list"]) == []
    page = world.client("province_officer").get("/accounts/sign-ins/?outcome=failed&sort=username")
    text = page.content.decode()
    assert "登录审计" in text and "失败" in text
    assert [e.username for e in page.context["object_list"]] == ["haicheng_operator", "nobody-here"]
    export = world.client("province_officer").get("/accounts/sign-ins/?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_owner_sees_their_sessions_and_ends_another_one(world) -> None:
    # given the Haicheng operator signed in on two browsers
    office, laptop = sign_in("haicheng_operator"), sign_in("haicheng_operator", address="10.2.0.2")
    assert SignedInSession.objects.filter(user=world.user("haicheng_operator")).count() == 2
    page = office.get("/accounts/me/sessions/")
    assert len(page.context["sessions"]) == 2
    other = SignedInSession.objects.get(address="10.2.0.2")
    # when they end the laptop's session from the office
    office.post(f"/accounts/me/sessions/{other.pk}/end/")
    # then the laptop is signed out, the office is not, and the record says when
    assert laptop.get("/")["Location"].startswith("/accounts/login/")
    assert office.get("/").status_code == 200
    other.refresh_from_db()
    assert other.ended_at is not None
    assert not Session.objects.filter(session_key=other.session_key).exists()


def test_a_session_of_another_person_cannot_be_ended(world) -> None:
    # given the Haicheng operator's session
    sign_in("haicheng_operator")
    record = SignedInSession.objects.get()
    # when the Dashiqiao operator tries to end it, then 404 and it lives on
    response = world.client("dashiqiao_operator").post(f"/accounts/me/sessions/{record.pk}/end/")
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.ended_at is None


def test_the_province_ends_every_session_of_a_person(world) -> None:
    # given the Haicheng operator signed in twice
    first, second = sign_in("haicheng_operator"), sign_in("haicheng_operator")
    url = "/accounts/users/haicheng_operator/sessions/end/"
    # when a county operator of elsewhere, an enterprise user or the person themselves try
    for outsider in ("dashiqiao_operator", "enterprise_user", "haicheng_operator"):
        assert world.client(outsider).post(url, {"confirmed": "1"}).status_code == 404
    # (the person's own attempt above signed them in a third time)
    person = world.user("haicheng_operator")
    assert SignedInSession.objects.filter(user=person, ended_at__isnull=True).count() == 3
    # when the province office ends them (after confirming)
    province = world.client("province_officer")
    assert b'data-testid="confirm-step"' in province.post(url).content
    province.post(url, {"confirmed": "1"})
    # then both browsers are signed out, with an audit row for each session ended
    for client in (first, second):
        assert client.get("/")["Location"].startswith("/accounts/login/")
    assert not SignedInSession.objects.filter(user=person, ended_at__isnull=True).exists()
    assert ObjectChange.objects.filter(actor=world.user("province_officer")).count() == 3


def test_the_password_policy_refuses_short_common_and_reused_passwords(world) -> None:
    # given the province's policy: 12 characters, common refused, the last 3 remembered
    province = world.client("province_officer")
    province.post(
        "/accounts/password-policy/",
        {"min_length": 12, "refuse_common": "on", "history_depth": 3},
    )
    assert PasswordPolicy.objects.get().min_length == 12
    client = world.client("haicheng_operator")

    def change(new: str, old: str = PASSWORD):
        return client.post(
            "/accounts/password/",
            {"old_password": old, "new_password1": new, "new_password2": new},
        )

    # when a short, a common and the current password are tried, then each is refused
    short = change("Ab3-xyz")
    assert short.context["form"].errors["new_password2"] == ["密码至少须有 12 个字符。"]
    common = change("password1234")
    assert "该密码在常见或已泄露密码名单中。" in common.context["form"].errors["new_password2"]
    reused = change(PASSWORD)
    assert reused.context["form"].errors["new_password2"] == [
        "该密码在最近 3 次修改中用过，请另选一个。"
    ]
    # when a good one is chosen, then going back to the old one is refused too
    assert change("magnesite-Haicheng-7").status_code == 302
    back = change(PASSWORD, old="magnesite-Haicheng-7")
    assert back.status_code == 200
    assert PasswordHistory.objects.filter(user=world.user("haicheng_operator")).count() >= 1


def test_only_the_province_sets_the_password_policy(world) -> None:
    expected = {**PROVINCE_ONLY, "province_officer": 302}
    check_matrix(
        world,
        lambda c: c.post(
            "/accounts/password-policy/",
            {"min_length": 20, "refuse_common": "on", "history_depth": 1},
        ),
        expected,
        watch=[PasswordPolicy],
    )
    assert PasswordPolicy.objects.get().min_length == 20


def test_an_out_of_range_policy_is_refused_and_changes_nothing(world) -> None:
    response = world.client("province_officer").post(
        "/accounts/password-policy/", {"min_length": 4, "history_depth": 99}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "min_length": ["最小长度须在 8 至 128 之间。"],
        "history_depth": ["最多记住 24 个历史密码。"],
    }
    assert not PasswordPolicy.objects.exists()


def test_a_read_only_token_reads_and_is_refused_every_change(world) -> None:
    # given a read-only token of the Haicheng operator
    key = issue_api_token(
        actor=None, user=world.user("haicheng_operator"), scope=ApiToken.Scope.READ
    )
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    # then it reads, and any unsafe method is refused with the documented error body
    assert api.get("/api/v1/me").status_code == 200
    for method in ("post", "put", "patch", "delete"):
        refused = getattr(api, method)("/api/v1/me")
        assert refused.status_code == 403
        assert refused.json() == {
            "error": {
                "code": "token_read_only",
                "message": "此令牌只能读取；如需修改数据，请申请读写令牌。",
            }
        }
    # and a read-write token reaches the view (which has no POST)
    rw = issue_api_token(actor=None, user=world.user("haicheng_operator"))
    assert Client(HTTP_AUTHORIZATION=f"Token {rw}").post("/api/v1/me").status_code == 405


def test_an_expired_token_is_refused(world) -> None:
    # given a token whose day has passed
    key = issue_api_token(actor=None, user=world.user("haicheng_operator"), days=1)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    # when it is used, then 401 with the error body
    refused = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["error"] == {
        "code": "authentication_failed",
        "message": "令牌无效、已吊销或已过期。",
    }


def test_a_token_for_too_long_is_refused_and_nothing_is_made(world, settings) -> None:
    settings.OL_API_TOKEN_MAX_DAYS = 365
    with pytest.raises(TokenExpiryInvalid):
        issue_api_token(actor=None, user=world.user("haicheng_operator"), days=366)
    page = world.client("haicheng_operator").post(
        "/accounts/me/tokens/", {"name": "erp", "scope": "read", "days": 400}
    )
    assert page.status_code == 200
    assert "令牌有效期为 1 至 365 天。" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_a_new_token_from_the_profile_is_read_only_for_90_days_by_default(world) -> None:
    world.client("haicheng_operator").post("/accounts/me/tokens/", {"name": "erp"})
    token = ApiToken.objects.get()
    assert token.scope == ApiToken.Scope.READ
    lifetime = token.expires_at - token.created_at
    assert datetime.timedelta(days=90) - lifetime < datetime.timedelta(seconds=5)
