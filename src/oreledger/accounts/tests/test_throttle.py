"""The login throttle guards every door (the admin's too) and cannot be raced."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import forms as auth_forms
from django.db import connection
from django.test import Client, RequestFactory, override_settings

from oreledger.accounts.forms import ThrottledLoginForm
from oreledger.accounts.models import LoginFailure
from testkit.personas import PASSWORD


@pytest.mark.django_db
@override_settings(OL_LOGIN_MAX_FAILURES=5)
def test_the_admin_login_counts_failures_and_locks_like_the_login_page(world) -> None:
    # given an administrator's name guessed twelve times on the admin's own login page
    client = Client()
    admin = world.user("province_officer")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    for _ in range(12):
        client.post("/admin/login/", {"username": admin.username, "password": "wrong"})
    # when the right password comes next
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD}
    )
    # then it is refused, no session starts, and the five checked failures were recorded
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username=admin.username.lower()).count() == 5


@pytest.mark.django_db(transaction=True)
@override_settings(OL_LOGIN_MAX_FAILURES=5)
def test_thirty_parallel_guesses_reach_the_password_at_most_five_times(
    world_tx, monkeypatch
) -> None:
    # given the password check counted
    checked, lock = [], threading.Lock()
    real = auth_forms.authenticate

    def counting(*args, **kwargs):
        with lock:
            checked.append(kwargs.get("username"))
        return real(*args, **kwargs)

    monkeypatch.setattr(auth_forms, "authenticate", counting)
    barrier = threading.Barrier(30)

    def guess(n: int) -> bool:
        try:
            request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=f"10.0.0.{n + 1}")
            form = ThrottledLoginForm(
                request, data={"username": "haicheng_operator", "password": f"wrong{n}"}
            )
            barrier.wait()
            return form.is_valid()
        finally:
            connection.close()

    # when thirty wrong passwords arrive at once
    with ThreadPoolExecutor(max_workers=30) as pool:
        accepted = list(pool.map(guess, range(30)))
    # then none signs in and at most five reached the password check (none at all when every
    # attempt's row committed before any was counted, as PostgreSQL under load may do)
    assert not any(accepted)
    assert len(checked) <= 5
    assert LoginFailure.objects.filter(username="haicheng_operator").count() == len(checked)
