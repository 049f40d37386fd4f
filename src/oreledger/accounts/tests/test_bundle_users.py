"""The users and regions sheets of the province bundle."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from oreledger.accounts.models import ApiToken, Region, User
from oreledger.core.bundle import format_errors
from oreledger.registry.tests.test_bundle_import import MINE_USCC, base_rows, counts, run


def _user(**values: Any) -> dict[str, Any]:
    return {"username": "new_person", "display_name": "新人", **values}


def test_each_role_needs_what_it_needs(world: Any) -> None:
    rows = {"users": [
        _user(role="county_operator"),
        _user(username="officer", role="department_officer", region_code="210381"),
        _user(username="mine_user", role="enterprise_user"),
    ]}  # fmt: skip
    with translation.override("en"):
        report = run(rows)
    assert format_errors(report.errors) == [
        "users!2: region_code: This role needs a region.",
        "users!3: department: A department officer needs a department.",
        "users!4: enterprise_uscc: An enterprise user needs an enterprise.",
    ]


def test_department_officers_and_enterprise_users_are_linked(world: Any) -> None:
    rows = base_rows()
    rows["users"] = [
        _user(username="officer", role="department_officer", region_code="210381",
              department="ecology_environment"),
        _user(username="mine_user", role="enterprise_user", enterprise_uscc=MINE_USCC,
              api_token=True),
    ]  # fmt: skip
    report = run(rows)
    assert report.ok, format_errors(report.errors)
    officer = User.objects.get(username="officer")
    assert (officer.department.kind.code, officer.department.region.code) == (
        "ecology_environment", "210381")  # fmt: skip
    assert User.objects.get(username="mine_user").enterprise.uscc == MINE_USCC
    key = report.secrets["tokens"]["mine_user"]
    assert ApiToken.objects.get(key_hash=ApiToken.hash_key(key)).user.username == "mine_user"


def test_a_county_operator_cannot_create_province_office_users(world: Any) -> None:
    rows = {"users": [_user(role="province_office", region_code="210381")]}
    before = counts()
    with translation.override("en"):
        report = run(rows, actor=world.user("haicheng_operator"), scope=world.haicheng)
    assert format_errors(report.errors) == [
        "users!2: role: You may not give the role Province office."
    ]
    assert report.errors[0].code == "outside_jurisdiction"
    assert counts() == before


def test_a_county_operator_cannot_change_a_dashiqiao_user(world: Any) -> None:
    rows = {"users": [_user(username="dashiqiao_operator", display_name="改名",
                            role="county_operator", region_code="210381")]}  # fmt: skip
    report = run(rows, actor=world.user("haicheng_operator"), scope=world.haicheng)
    assert [e.code for e in report.errors] == ["outside_jurisdiction"]
    assert User.objects.get(username="dashiqiao_operator").display_name == "大石桥 赵强"


def test_a_region_needs_a_parent_one_level_up(world: Any) -> None:
    rows = {"regions": [
        {"code": "210381102", "name_zh": "甲镇", "level": "town"},
        {"code": "210382", "name_zh": "乙县", "level": "county", "parent_code": "210381"},
    ]}  # fmt: skip
    with translation.override("en"):
        report = run(rows)
    assert format_errors(report.errors) == [
        "regions!2: parent_code: A province has no parent region; every other region needs one.",
        "regions!3: parent_code: The parent must be a higher level than the region.",
    ]
    assert not Region.objects.filter(code__in=["210381102", "210382"]).exists()
