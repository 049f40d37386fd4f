"""Two-factor sign-in: enrolment with the QR code's secret, the code step, recovery codes,
no replay, lock-out, and every door (login page, admin, force_login) held the same way."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client, override_settings
from django.utils import timezone

from oreledger.accounts.models import (
    LoginFailure,
    RecoveryCode,
    SecondFactor,
    SignInEvent,
    User,
)
from oreledger.accounts.signin import (
    confirm_enrolment,
    enrolment_secret,
    enrolment_uri,
    start_enrolment,
)
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_on")]


@pytest.fixture
def second_factor_on(settings) -> None:
    settings.OL_REQUIRE_SECOND_FACTOR = True


def enrolled(user: User) -> tuple[pyotp.TOTP, list[str]]:
    """The person with a confirmed authenticator; its TOTP and recovery codes."""
    totp = pyotp.TOTP(enrolment_secret(start_enrolment(user=user)))
    codes = confirm_enrolment(user=user, code=totp.now(), address="10.0.0.9")
    return totp, codes


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next time-step (accepted once the current one is spent)."""
    return totp.at(timezone.now().timestamp() + 30)


def password_step(client: Client, username: str, address: str = "10.1.1.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "next": "/alerts/"},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT="TestBrowser/1",
    )


def test_an_official_without_an_authenticator_enrols_before_anything_else(world) -> None:
    # given the Haicheng operator, who has no authenticator, past the password
    client = Client()
    response = password_step(client, "haicheng_operator")
    # then they are sent to enrolment, and every other page sends them back there
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/second-factor/?next=%2Falerts%2F"
    assert client.get("/").status_code == 302
    assert client.get("/").headers["Location"].startswith("/accounts/me/second-factor/")
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"
    # when they open enrolment: a QR code (an SVG image) and the key; a wrong code is refused
    page = client.get("/accounts/me/second-factor/")
    text = page.content.decode()
    assert "设置身份验证器" in text and 'src="data:image/svg+xml' in text
    person = world.user("haicheng_operator")
    device = SecondFactor.objects.get(user=person)
    secret = enrolment_secret(device)
    assert secret not in device.sealed_secret
    assert enrolment_uri(device) == (
        f"otpauth://totp/oreledger:haicheng_operator?secret={secret}&issuer=oreledger"
    )
    wrong = client.post("/accounts/me/second-factor/", {"code": "000000", "next": "/alerts/"})
    assert "验证码错误或已使用" in wrong.content.decode()
    assert SecondFactor.objects.get(user=person).confirmed_at is None
    # when they confirm with the app's code
    done = client.post(
        "/accounts/me/second-factor/", {"code": pyotp.TOTP(secret).now(), "next": "/alerts/"}
    )
    # then the ten recovery codes are shown once, stored only as hashes, and the site opens
    assert done["Location"] == "/accounts/me/recovery-codes/?next=/alerts/"
    shown = client.get(done["Location"]).context["codes"]
    assert len(shown) == 10 and len(set(shown)) == 10
    stored = set(RecoveryCode.objects.filter(user=person).values_list("code_hash", flat=True))
    assert stored == {RecoveryCode.hash_code(code) for code in shown}
    assert client.get("/accounts/me/recovery-codes/").status_code == 302  # not shown again
    assert client.get("/").status_code == 200
    # and the key is never shown again
    again = client.get("/accounts/me/second-factor/")
    assert again.status_code == 302 and secret not in client.get("/accounts/me/").content.decode()


def test_an_enrolled_person_gives_the_code_after_the_password(world) -> None:
    # given an enrolled province officer
    person = world.user("province_officer")
    totp, _codes = enrolled(person)
    client = Client()
    # when the password is right, the code step follows and nothing else opens
    response = password_step(client, "province_officer")
    assert response["Location"] == "/accounts/login/code/?next=%2Falerts%2F"
    assert client.get("/alerts/")["Location"] == "/accounts/login/code/?next=%2Falerts%2F"
    # when the current code is given
    done = client.post(
        "/accounts/login/code/",
        {"code": next_code(totp), "next": "/alerts/"},
        REMOTE_ADDR="10.1.1.1",
    )
    # then they reach the page they asked for, and the audit has both steps
    assert done["Location"] == "/alerts/"
    assert client.get("/").status_code == 200
    steps = list(
        SignInEvent.objects.filter(user=person, address="10.1.1.1")
        .order_by("pk")
        .values_list("factor", "outcome")
    )
    assert steps == [("password", "succeeded"), ("totp", "succeeded")]
    assert not LoginFailure.objects.filter(username="province_officer").exists()


def test_a_code_is_accepted_only_once(world) -> None:
    # given a person who signed in with a code
    person = world.user("province_officer")
    totp, _codes = enrolled(person)
    code = next_code(totp)
    first = Client()
    password_step(first, "province_officer")
    assert first.post("/accounts/login/code/", {"code": code})["Location"] == "/"
    # when the same code is replayed in another sign-in
    second = Client()
    password_step(second, "province_officer")
    replay = second.post("/accounts/login/code/", {"code": code})
    # then it is refused and the second session is still held at the code step
    assert replay.status_code == 200
    assert "验证码错误或已使用" in replay.content.decode()
    assert second.get("/")["Location"].startswith("/accounts/login/code/")


def test_a_recovery_code_signs_in_once(world) -> None:
    # given an enrolled person who lost their phone
    person = world.user("haicheng_operator")
    _totp, codes = enrolled(person)
    client = Client()
    password_step(client, "haicheng_operator")
    # when they give a recovery code (typed in capitals, without the dash)
    used = client.post("/accounts/login/code/", {"code": codes[3].replace("-", "").upper()})
    # then they are in, the code is spent and the audit says so
    assert used["Location"] == "/"
    assert RecoveryCode.objects.filter(user=person, used_at__isnull=False).count() == 1
    assert SignInEvent.objects.filter(user=person).latest("pk").factor == "recovery_code"
    # and the same code does not work a second time
    again = Client()
    password_step(again, "haicheng_operator")
    refused = again.post("/accounts/login/code/", {"code": codes[3]})
    assert refused.status_code == 200
    assert RecoveryCode.objects.filter(user=person, used_at__isnull=False).count() == 1


@override_settings(OL_LOGIN_MAX_FAILURES=3)
def test_repeated_wrong_codes_lock_the_person_out(world) -> None:
    # given an enrolled person past the password (one attempt counted until the code)
    person = world.user("haicheng_operator")
    totp, _codes = enrolled(person)
    client = Client()
    password_step(client, "haicheng_operator")
    # when two wrong codes are given
    for _ in range(2):
        assert client.post("/accounts/login/code/", {"code": "123456"}).status_code == 200
    # then even the right code is refused: the session ends, the person is locked out
    locked = client.post("/accounts/login/code/", {"code": next_code(totp)})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # and the password is locked too for the window
    retry = Client()
    response = password_step(retry, "haicheng_operator")
    assert response.status_code == 200 and "_auth_user_id" not in retry.session
    outcomes = list(
        SignInEvent.objects.filter(username="haicheng_operator")
        .exclude(address="10.0.0.9")
        .order_by("pk")
        .values_list("factor", "outcome")
    )
    assert outcomes == [
        ("password", "succeeded"),
        ("totp", "failed"),
        ("totp", "failed"),
        ("totp", "locked_out"),
        ("password", "locked_out"),
    ]


def test_a_forced_login_owes_the_same_as_a_password_login(world) -> None:
    # given a test client logged in by force_login as an official, the setting on
    client = Client()
    client.force_login(world.user("dashiqiao_operator"))
    # then it is held at enrolment like any other session without the second factor
    assert client.get("/")["Location"] == "/accounts/me/second-factor/?next=%2F"


def test_an_enterprise_user_may_sign_in_without_an_authenticator(world) -> None:
    # given an enterprise user (the second factor is optional for them)
    client = Client()
    # when they give their password
    response = password_step(client, "enterprise_user")
    # then they are in at once
    assert response["Location"] == "/alerts/"
    assert client.get("/").status_code == 200


def test_an_enterprise_user_who_enrolled_is_asked_for_the_code(world, settings) -> None:
    # given an enterprise user who chose an authenticator, on a platform that requires none
    settings.OL_REQUIRE_SECOND_FACTOR = False
    enrolled(world.user("enterprise_user"))
    client = Client()
    # when they give their password, then the code step follows all the same
    assert password_step(client, "enterprise_user")["Location"].startswith("/accounts/login/code/")


def test_the_admin_door_holds_at_the_code_step_too(world) -> None:
    # given an enrolled administrator signing in on the admin's own login page
    admin = world.user("province_officer")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    enrolled(admin)
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD})
    # then the admin is out of reach until the code is given
    assert client.get("/admin/")["Location"] == "/accounts/login/code/?next=%2Fadmin%2F"
    # and the password's success did not forgive the counted attempt
    assert LoginFailure.objects.filter(username=admin.username).count() == 1


def test_the_second_step_form_fits_a_phone_and_speaks_chinese(world) -> None:
    enrolled(world.user("haicheng_operator"))
    client = Client()
    password_step(client, "haicheng_operator")
    text = client.get("/accounts/login/code/").content.decode()
    assert "身份验证器验证码" in text
    assert 'autocomplete="one-time-code"' in text
    assert "Authenticator" not in text
