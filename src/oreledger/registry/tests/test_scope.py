"""Jurisdiction of every registry page, API endpoint and export: 404, never 403 (ARCHITECTURE)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

WATCH = [Enterprise, Site, Station, Vehicle, Permit]
# A Dashiqiao record: Haicheng's people, and the Haicheng enterprise, get a 404.
DASHIQIAO_PAGE = {
    "province_officer": 200,
    "dashiqiao_operator": 200,
    "haicheng_operator": 404,
    "department_officer": 404,
    "enterprise_user": 404,
    "anonymous": 302,
}
DASHIQIAO_API = {**DASHIQIAO_PAGE, "anonymous": 401}
# The enterprise user's own records are theirs to see.
OWN_PAGE = {
    "province_officer": 200,
    "dashiqiao_operator": 404,
    "haicheng_operator": 200,
    "department_officer": 200,
    "enterprise_user": 200,
    "anonymous": 302,
}

DASHIQIAO_PATHS = {
    "enterprise": "enterprises/{r.dsq.uscc}/",
    "site": "sites/DSQ-M-001/",
    "station": "stations/DSQ-ST-001/",
    "vehicle": "vehicles/辽H20002/",
    "permit": "permits/C2108822020002/",
}
OWN_PATHS = {
    "enterprise": "enterprises/{r.hc.uscc}/",
    "site": "sites/HC-M-001/",
    "station": "stations/HC-ST-001/",
    "vehicle": "vehicles/辽C10001/",
    "permit": "permits/C2103812020001/",
}


@pytest.mark.parametrize("kind", list(DASHIQIAO_PATHS))
def test_detail_pages_are_404_outside_jurisdiction(world, records, kind) -> None:
    path = "/registry/" + DASHIQIAO_PATHS[kind].format(r=records)
    check_matrix(world, lambda c: c.get(path), DASHIQIAO_PAGE, watch=WATCH)


@pytest.mark.parametrize("kind", list(OWN_PATHS))
def test_the_enterprise_user_sees_their_own_records(world, records, kind) -> None:
    path = "/registry/" + OWN_PATHS[kind].format(r=records)
    check_matrix(world, lambda c: c.get(path), OWN_PAGE, watch=WATCH)


@pytest.mark.parametrize("kind", list(DASHIQIAO_PATHS))
def test_api_details_are_404_outside_jurisdiction(world, records, kind) -> None:
    # The API names its records as the pages do (same lookup key, same plural).
    path = "/api/v1/" + DASHIQIAO_PATHS[kind].format(r=records)
    check_matrix(world, lambda c: c.get(path), DASHIQIAO_API, api=True, watch=WATCH)


LISTS = {
    "enterprise": ("enterprises", "name"),
    "site": ("sites", "code"),
    "station": ("stations", "code"),
    "vehicle": ("vehicles", "plate"),
    "permit": ("permits", "number"),
}
HC_KEYS = {
    "enterprise": "海城市华鑫镁矿有限公司",
    "site": "HC-M-001",
    "station": "HC-ST-001",
    "vehicle": "辽C10001",
    "permit": "C2103812020001",
}


@pytest.mark.parametrize("kind", list(LISTS))
def test_lists_exports_and_api_lists_show_only_the_jurisdiction(world, records, kind) -> None:
    segment, key = LISTS[kind]
    for persona in ("haicheng_operator", "enterprise_user", "department_officer"):
        client = world.client(persona)
        page = client.get(f"/registry/{segment}/")
        assert page.status_code == 200
        assert [getattr(row, key) for row, _cells in page.context["rows"]] == [HC_KEYS[kind]]
        sheet = load_workbook(
            BytesIO(client.get(f"/registry/{segment}/?export=xlsx").content)
        ).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2 and HC_KEYS[kind] in rows[1]
        body = world.api(persona).get(f"/api/v1/{segment}/").json()
        assert body["count"] == 1
    province = world.client("province_officer").get(f"/registry/{segment}/")
    assert province.context["paginator"].count == 2


def test_export_headers_are_chinese(world, records) -> None:
    sheet = load_workbook(
        BytesIO(world.client("province_officer").get("/registry/permits/?export=xlsx").content)
    ).active
    header = next(sheet.iter_rows(values_only=True))
    assert header == (
        "编号",
        "类型",
        "持证企业",
        "场所",
        "发证部门",
        "有效期起",
        "有效期止",
        "状态",
        "有效性",
    )


def test_writes_follow_the_matrix(world, records) -> None:
    def post(client):
        return client.post(
            f"/registry/vehicles/{records.dsq_vehicle.plate}/blacklist/",
            {"reason": "超载", "confirmed": "1"},
        )

    check_matrix(
        world,
        post,
        {
            "province_officer": 302,
            "dashiqiao_operator": 302,
            "haicheng_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=WATCH,
    )
    records.dsq_vehicle.refresh_from_db()
    assert records.dsq_vehicle.status == "registered"  # blacklisted, then lifted
    assert records.dsq_vehicle.version == 3


def test_own_records_are_visible_but_not_writable_by_the_enterprise(world, records) -> None:
    check_matrix(
        world,
        lambda c: c.get(f"/registry/enterprises/{records.hc.uscc}/edit/"),
        {
            "province_officer": 200,
            "dashiqiao_operator": 404,
            "haicheng_operator": 200,
            "department_officer": 403,
            "enterprise_user": 403,
            "anonymous": 302,
        },
        watch=WATCH,
    )


def test_api_create_follows_the_matrix(world, records) -> None:
    counter = iter(range(100))

    def create(client):
        n = next(counter)
        return client.post(
            "/api/v1/enterprises/",
            {
                "uscc": make_uscc("210381", 8000 + n),
                "name": f"新企业{n}",
                "kind": "trader",
                "region": "210381",
            },
            format="json",
        )

    responses = check_matrix(
        world,
        create,
        {
            "province_officer": 201,
            "dashiqiao_operator": 400,
            "haicheng_operator": 201,
            "department_officer": 403,
            "enterprise_user": 403,
            "anonymous": 401,
        },
        api=True,
        watch=WATCH,
    )
    assert responses["dashiqiao_operator"].json() == {
        "error": {
            "code": "invalid",
            "message": "请求中有字段无效。",
            "fields": {"region": ["未知的 210381，或不在您的辖区内。"]},
        }
    }
