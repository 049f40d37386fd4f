"""Jurisdiction: the Haicheng operator cannot reach Dashiqiao's people, by page, API or export."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from oreledger.accounts.models import User
from oreledger.accounts.tests.factories import UserFactory
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashiqiao_clerk(world):
    """A Dashiqiao account that Haicheng must not see."""
    return UserFactory(username="dsq_clerk", role="county_operator", region=world.dashiqiao)


def test_user_detail_page_is_404_outside_jurisdiction(world, dashiqiao_clerk) -> None:
    check_matrix(
        world,
        lambda c: c.get("/accounts/users/dsq_clerk/"),
        {
            "province_officer": 200,
            "dashiqiao_operator": 200,
            "haicheng_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=[User],
    )


def test_user_api_detail_is_404_outside_jurisdiction(world, dashiqiao_clerk) -> None:
    responses = check_matrix(
        world,
        lambda c: c.get("/api/v1/users/dsq_clerk/"),
        {
            "province_officer": 200,
            "dashiqiao_operator": 200,
            "haicheng_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 401,
        },
        api=True,
        watch=[User],
    )
    assert responses["province_officer"].json()["region"] == "210882"
    assert responses["haicheng_operator"].json() == {
        "error": {"code": "not_found", "message": "未找到。"}
    }


def test_user_list_page_and_export_show_only_the_jurisdiction(world, dashiqiao_clerk) -> None:
    # given a Haicheng operator
    client = world.client("haicheng_operator")
    # when they open the list and its export
    page = client.get("/accounts/users/")
    export = client.get("/accounts/users/?export=xlsx")
    # then Dashiqiao's people appear in neither
    assert page.status_code == 200
    listed = {row.username for row, _cells in page.context["rows"]}
    assert listed == {"haicheng_operator", "department_officer", "enterprise_user"}
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("用户名", "姓名", "角色")
    assert sorted(r[0] for r in rows[1:]) == [
        "department_officer",
        "enterprise_user",
        "haicheng_operator",
    ]


def test_user_list_api_shows_only_the_jurisdiction(world, dashiqiao_clerk) -> None:
    body = world.api("dashiqiao_operator").get("/api/v1/users/").json()
    assert body["count"] == 2
    assert [u["username"] for u in body["results"]] == ["dashiqiao_operator", "dsq_clerk"]


def test_enterprise_user_sees_only_their_own_enterprise_accounts(world) -> None:
    body = world.api("enterprise_user").get("/api/v1/users/").json()
    assert body["count"] == 0  # enterprise users have no right to the user directory
    me = world.api("enterprise_user").get("/api/v1/me").json()
    assert (me["username"], me["role"], me["enterprise"]) == (
        "enterprise_user",
        "enterprise_user",
        world.user("enterprise_user").enterprise.uscc,
    )


def test_regions_api_is_scoped_to_the_subtree(world) -> None:
    codes = [
        r["code"] for r in world.api("haicheng_operator").get("/api/v1/regions/").json()["results"]
    ]
    assert codes == ["210381"]
    province = world.api("province_officer").get("/api/v1/regions/").json()
    assert province["count"] == 5
