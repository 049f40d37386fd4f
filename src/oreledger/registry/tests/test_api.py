"""The registry API: writes go through the services; errors per docs/specs/api-essentials.md."""

from __future__ import annotations

import pytest

from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Enterprise, Permit, Site, Vehicle

pytestmark = pytest.mark.django_db


def test_create_and_read_an_enterprise(world) -> None:
    api = world.api("haicheng_operator")
    uscc = make_uscc("210381", 9200)
    created = api.post(
        "/api/v1/enterprises/",
        {"uscc": uscc, "name": "海城新材料有限公司", "kind": "processor", "region": "210381"},
        format="json",
    )
    assert created.status_code == 201
    body = api.get(f"/api/v1/enterprises/{uscc}/").json()
    assert {k: body[k] for k in ("uscc", "name", "kind", "region", "status", "version")} == {
        "uscc": uscc,
        "name": "海城新材料有限公司",
        "kind": "processor",
        "region": "210381",
        "status": "operating",
        "version": 1,
    }


def test_checksum_error_has_its_code_and_field(world) -> None:
    good = make_uscc("210381", 9201)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = world.api("haicheng_operator").post(
        "/api/v1/enterprises/",
        {"uscc": bad, "name": "错码", "kind": "trader", "region": "210381"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "uscc_checksum",
            "message": f"{bad} 不是有效的统一社会信用代码：校验码不符（是否输入有误？）。",
            "fields": {
                "uscc": [f"{bad} 不是有效的统一社会信用代码：校验码不符（是否输入有误？）。"]
            },
        }
    }
    assert not Enterprise.objects.filter(name="错码").exists()


def test_self_intersecting_boundary_over_the_api(world, records) -> None:
    response = world.api("haicheng_operator").post(
        "/api/v1/sites/",
        {
            "code": "HC-M-050",
            "name": "蝴蝶",
            "kind": "mine",
            "enterprise": records.hc.uscc,
            "lat": 40.85,
            "lon": 122.65,
            "permitted_hours": "06:00-20:00",
            "boundary": {
                "type": "Polygon",
                "coordinates": [
                    [[122.6, 40.8], [122.7, 40.9], [122.7, 40.8], [122.6, 40.9], [122.6, 40.8]]
                ],
            },
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "boundary_self_intersection",
        "message": "Ring 1 of the boundary crosses or touches itself.",
        "fields": {"boundary": ["Ring 1 of the boundary crosses or touches itself."]},
    }
    assert not Site.objects.filter(code="HC-M-050").exists()


def test_permit_with_unknown_department_and_reversed_validity(world, records) -> None:
    api = world.api("haicheng_operator")
    unknown = api.post(
        "/api/v1/permits/",
        {
            "number": "API-1",
            "type": "business_licence",
            "holder": records.hc.uscc,
            "department": "nowhere",
            "valid_from": "2025-01-01",
            "valid_to": "2030-01-01",
        },
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"department": ["未知部门 nowhere。"]}
    reversed_ = api.post(
        "/api/v1/permits/",
        {
            "number": "API-2",
            "type": "business_licence",
            "holder": records.hc.uscc,
            "valid_from": "2030-01-01",
            "valid_to": "2025-01-01",
        },
        format="json",
    )
    assert reversed_.json()["error"]["code"] == "validity_reversed"
    assert not Permit.objects.filter(number__startswith="API-").exists()
    good = api.post(
        "/api/v1/permits/",
        {
            "number": "API-3",
            "type": "business_licence",
            "holder": records.hc.uscc,
            "valid_from": "2025-01-01",
            "valid_to": "2035-01-01",
        },
        format="json",
    )
    assert good.status_code == 201
    assert {k: good.json()[k] for k in ("department", "region", "validity_state")} == {
        "department": "market_regulation",
        "region": "210381",
        "validity_state": "valid",
    }


def test_blacklisting_over_the_api(world, records) -> None:
    api = world.api("haicheng_operator")
    missing = api.post("/api/v1/vehicles/辽C10001/blacklist/", {}, format="json")
    assert missing.status_code == 400
    done = api.post("/api/v1/vehicles/辽C10001/blacklist/", {"reason": "超载"}, format="json")
    assert (done.status_code, done.json()["status"], done.json()["blacklist_reason"]) == (
        200,
        "blacklisted",
        "超载",
    )
    other = api.post("/api/v1/vehicles/辽H20002/blacklist/", {"reason": "x"}, format="json")
    assert other.status_code == 404
    assert Vehicle.objects.get(plate="辽H20002").status == "registered"


def test_the_schema_describes_the_registry(world) -> None:
    schema = world.client("province_officer").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/enterprises/{uscc}/",
        "/api/v1/sites/{code}/",
        "/api/v1/stations/{code}/",
        "/api/v1/vehicles/{plate}/",
        "/api/v1/permits/{number}/",
        "/api/v1/enterprises/{uscc}/status/",
    ):
        assert path in paths
    station = schema.json()["components"]["schemas"]["Station"]["properties"]
    assert sorted(name for name in station if "secret" in name) == [
        "has_secret",
        "secret_rotated_at",
    ]
