"""Registry pages: constant queries per list, forms that show errors per field, the file."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.encoding import iri_to_uri

from oreledger.accounts.tests.factories import department
from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Enterprise, PermitType, Vehicle
from oreledger.registry.tests.factories import (
    EnterpriseFactory,
    PermitFactory,
    SiteFactory,
    StationFactory,
    VehicleFactory,
)
from testkit.personas import Province

pytestmark = pytest.mark.django_db

LISTS = ["enterprises", "sites", "stations", "vehicles", "permits"]


def grow(world: Province, upto: int) -> None:
    """Make Haicheng hold `upto` rows of every registry list."""
    dept = department("natural_resources", world.haicheng)
    have = Enterprise.objects.filter(region=world.haicheng).count()
    for n in range(have, upto):
        e = EnterpriseFactory(name=f"批量企业{n:03d}", region=world.haicheng)
        site = SiteFactory(code=f"Q-M-{n:03d}", enterprise=e)
        StationFactory(code=f"Q-ST-{n:03d}", site=site)
        VehicleFactory(plate=f"辽C{30000 + n}", owner=e)
        PermitFactory(number=f"Q-P-{n:03d}", holder=e, site=site, department=dept)


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("segment", LISTS)
def test_list_pages_keep_a_constant_number_of_queries(world, segment) -> None:
    client = world.client("haicheng_operator")
    grow(world, 5)
    small = queries_for(client, f"/registry/{segment}/")
    grow(world, 60)
    large = queries_for(client, f"/registry/{segment}/")
    assert large == small, f"{segment}: {small} queries for 5 rows, {large} for 60"


def test_enterprise_file_keeps_a_constant_number_of_queries(world, records) -> None:
    client = world.client("province_officer")
    path = f"/registry/enterprises/{records.hc.uscc}/"
    queries_for(client, path)  # warm the content-type cache
    small = queries_for(client, path)
    dept = records.hc_permit.department
    for n in range(15):
        site = SiteFactory(code=f"HC-X-{n}", enterprise=records.hc)
        StationFactory(code=f"HC-XS-{n}", site=site)
        VehicleFactory(plate=f"辽C{40000 + n}", owner=records.hc)
        PermitFactory(number=f"HC-XP-{n}", holder=records.hc, site=site, department=dept)
    assert queries_for(client, path) == small


def test_enterprise_file_has_every_registry_section(world, records) -> None:
    page = world.client("enterprise_user").get(f"/registry/enterprises/{records.hc.uscc}/")
    keys = [section.key for section, _html in page.context["sections"]]
    assert keys[:7] == [
        "identity",
        "sites",
        "stations",
        "permits",
        "vehicles",
        "status_history",
        "history",
    ]
    text = page.content.decode()
    assert records.hc.uscc in text and "HC-M-001" in text and "HC-ST-001" in text
    assert "辽C10001" in text and "C2103812020001" in text
    assert 'id="map-data"' in text and "/static/vendor/leaflet/leaflet.js" in text
    assert "<script>" not in text  # no inline scripts under the strict CSP
    assert page.context["can_change"] is False


def test_the_map_links_sites_to_their_enterprise_file(world, records) -> None:
    data = world.client("province_officer").get("/registry/map/").context["map"]
    assert sorted(s["code"] for s in data["sites"]) == ["DSQ-M-001", "HC-M-001"]
    hc = next(s for s in data["sites"] if s["code"] == "HC-M-001")
    assert hc["url"] == f"/registry/enterprises/{records.hc.uscc}/"
    assert hc["status"] == "operating"
    assert sorted(s["code"] for s in data["stations"]) == ["DSQ-ST-001", "HC-ST-001"]
    mine = world.client("haicheng_operator").get("/registry/map/").context["map"]
    assert [s["code"] for s in mine["sites"]] == ["HC-M-001"]


def test_a_bad_form_shows_the_error_beside_the_field_and_saves_nothing(world, records) -> None:
    client = world.client("haicheng_operator")
    good = make_uscc("210381", 9100)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        "/registry/enterprises/new/",
        {
            "uscc": bad,
            "name": "错码公司",
            "kind": "trader",
            "industry": "magnesite",
            "region": "210381",
            "legal_rep": "李四",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "uscc": [f"{bad} 不是有效的统一社会信用代码：校验码不符（是否输入有误？）。"]
    }
    assert not Enterprise.objects.filter(name="错码公司").exists()
    english = world.client("haicheng_operator")
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    again = english.post(
        "/registry/vehicles/new/",
        {"plate": "XX123", "owner": records.hc.uscc, "axles": 6, "tare_kg": 16000},
    )
    assert again.context["form"].errors["plate"] == [
        "XX123 is not a mainland vehicle plate: expected a province abbreviation, an authority "
        "letter and 5 characters (6 for new-energy vehicles), e.g. 辽C12345."
    ]
    assert Vehicle.objects.count() == 2


def test_forms_create_and_edit_through_services(world, records) -> None:
    client = world.client("haicheng_operator")
    created = client.post(
        "/registry/vehicles/new/",
        {"plate": "辽C·66666", "owner": records.hc.uscc, "axles": 5, "tare_kg": 15500},
    )
    assert created.status_code == 302 and created["Location"] == iri_to_uri(
        "/registry/vehicles/辽C66666/"
    )
    edited = client.post(
        "/registry/vehicles/辽C66666/edit/",
        {"plate": "ignored", "owner": records.hc.uscc, "axles": 6, "tare_kg": 16200},
    )
    assert edited.status_code == 302
    vehicle = Vehicle.objects.get(plate="辽C66666")
    assert (vehicle.axles, vehicle.tare_kg, vehicle.version) == (6, 16200, 2)
    history = client.get("/registry/vehicles/辽C66666/").context["history"]
    assert [c.action for c in history] == ["update", "create"]


def test_permit_form_rejects_reversed_validity(world, records) -> None:
    response = world.client("haicheng_operator").post(
        "/registry/permits/new/",
        {
            "number": "REV-1",
            "type": "business_licence",
            "holder": records.hc.uscc,
            "valid_from": "2026-01-01",
            "valid_to": "2025-01-01",
        },
    )
    assert response.context["form"].errors == {"valid_to": ["有效期止早于有效期起。"]}


def test_catalogue_is_editable_by_the_province_only(world) -> None:
    officer = world.client("province_officer")
    page = officer.get("/registry/permit-types/")
    assert page.context["editable"] is True
    assert "采矿许可证" in page.content.decode()
    assert (
        world.client("haicheng_operator").get("/registry/permit-types/").context["editable"]
        is False
    )
    assert world.client("haicheng_operator").get("/registry/permit-types/new/").status_code == 403
    added = officer.post(
        "/registry/requirements/",
        {"applies_to": "site", "holder_kind": "yard", "permit_type": _type("eia_approval")},
    )
    assert added.status_code == 302


def _type(code: str) -> int:
    return PermitType.objects.get(code=code).pk


def test_menu_lists_the_registry(world) -> None:
    menu = world.client("haicheng_operator").get("/").context["menu"]
    registry = next(s for s in menu if str(s["label"]) == "登记备案")
    assert [str(i["label"]) for i in registry["items"]] == [
        "企业",
        "场所",
        "计量站",
        "车辆",
        "证照",
        "手续核查",
        "登记地图",
        "证照目录",
    ]
