"""The shell: home page, error pages in both languages, security headers, audit trail."""

import pytest
from django.test import Client

from oreledger.accounts.models import User
from oreledger.accounts.services import save_user
from oreledger.core.audit import history_for

pytestmark = pytest.mark.django_db


def test_home_requires_login() -> None:
    response = Client().get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")


def test_home_shows_counts_the_person_may_see(world) -> None:
    response = world.client("haicheng_operator").get("/")
    tiles = {str(c["label"]): c["count"] for c in response.context["counts"]}
    assert tiles["企业"] == 1  # the Haicheng mine operator only
    assert tiles["用户"] == 3


def test_404_page_in_chinese_then_english(world) -> None:
    client = world.client("haicheng_operator")
    zh = client.get("/no/such/page/")
    assert zh.status_code == 404
    assert "您的管辖范围内没有此页面或记录。" in zh.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get("/no/such/page/")
    assert "There is no such page or record in your jurisdiction." in en.content.decode()


def test_pages_carry_a_strict_content_security_policy(world) -> None:
    response = world.client("province_officer").get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_jobs_page_is_for_administrators_only(world) -> None:
    assert world.client("province_officer").get("/system/jobs/").status_code == 403
    admin = User.objects.create_superuser("root", password="x-long-password-1")
    client = Client()
    client.force_login(admin)
    assert client.get("/system/jobs/").status_code == 200


def test_a_change_keeps_who_when_before_and_after_and_shows_on_the_record(world) -> None:
    # given a person whose name is corrected by the county operator
    person = world.user("department_officer")
    person.display_name = "孙丽华"
    save_user(actor=world.user("haicheng_operator"), user=person, reason="更正姓名")
    # then the change is recorded with both values
    change = history_for(person).get()
    assert (change.actor, change.action, change.reason) == (
        world.user("haicheng_operator"),
        "update",
        "更正姓名",
    )
    assert change.before["display_name"] == "海城自然资源局 孙丽"
    assert change.after["display_name"] == "孙丽华"
    assert change.changed_fields() == [("display_name", "海城自然资源局 孙丽", "孙丽华")]
    # and the record's page shows it
    page = world.client("haicheng_operator").get("/accounts/users/department_officer/")
    assert "孙丽华" in page.content.decode() and "更正姓名" in page.content.decode()
