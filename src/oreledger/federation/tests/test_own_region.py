"""A county node records only its own region: its importer, forms and API refuse rows of
another county (`other_region`), changing nothing; a hub and a standalone platform do not."""

from __future__ import annotations

from typing import Any

import pytest

from oreledger.core.bundle import format_errors
from oreledger.core.errors import DomainError
from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Enterprise, Site
from oreledger.registry.services import update_site
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory
from oreledger.registry.tests.test_bundle_import import base_rows, counts, run

pytestmark = pytest.mark.django_db

REFUSAL_ZH = (
    "大石桥市 (210882) 不在 海城市 (210381) 辖区内：本县分平台只登记本辖区的记录，"
    "请到 大石桥市 (210882) 所在的平台登记。"
)
REFUSAL_EN = (
    "Dashiqiao (210882) is not in Haicheng (210381): this county platform records only its "
    "own region. Record it on the platform of Dashiqiao (210882)."
)


@pytest.fixture
def haicheng_node(settings: Any) -> None:
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", "210381"


def _enterprise(uscc: str, region: str) -> dict[str, str]:
    return {"uscc": uscc, "name": "新设镁业有限公司", "kind": "processor", "region": region}


def test_node_api_refuses_an_enterprise_of_another_county(world, haicheng_node) -> None:
    # given the Haicheng node and a province officer (whose jurisdiction is the province)
    api = world.api("province_officer")
    uscc = make_uscc("210882", 9301)
    # when they register an enterprise in Dashiqiao over the API
    response = api.post("/api/v1/enterprises/", _enterprise(uscc, "210882"), format="json")
    # then it is refused, naming both regions, and nothing is stored
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "other_region", "message": REFUSAL_ZH, "fields": {"region": [REFUSAL_ZH]}}
    }
    assert not Enterprise.objects.filter(uscc=uscc).exists()


def test_node_api_takes_an_enterprise_of_its_own_county(world, haicheng_node) -> None:
    # given the Haicheng node
    uscc = make_uscc("210381", 9302)
    # when the province officer registers an enterprise in Haicheng
    response = world.api("province_officer").post(
        "/api/v1/enterprises/", _enterprise(uscc, "210381"), format="json"
    )
    # then it is stored, owned by the node
    assert response.status_code == 201
    assert Enterprise.objects.get(uscc=uscc).owner_node == "210381"


@pytest.mark.parametrize("role", ["hub", "standalone"])
def test_hub_and_standalone_take_any_county(world, settings, role) -> None:
    # given a hub or a standalone platform of the province
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = role, "210000"
    uscc = make_uscc("210882", 9303)
    # when the province officer registers an enterprise in Dashiqiao
    response = world.api("province_officer").post(
        "/api/v1/enterprises/", _enterprise(uscc, "210882"), format="json"
    )
    # then it is stored
    assert response.status_code == 201
    assert Enterprise.objects.filter(uscc=uscc).count() == 1


def test_node_form_shows_the_refusal_in_english_and_saves_nothing(world, haicheng_node) -> None:
    # given the Haicheng node and a province officer reading English
    client = world.client("province_officer")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    uscc = make_uscc("210882", 9304)
    # when they submit the enterprise form for a Dashiqiao enterprise
    response = client.post(
        "/registry/enterprises/new/",
        {**_enterprise(uscc, "210882"), "industry": "magnesite", "legal_rep": "李四"},
    )
    # then the form comes back with the refusal and nothing is stored
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [REFUSAL_EN]
    assert not Enterprise.objects.filter(uscc=uscc).exists()


def test_node_service_refuses_a_site_moved_into_another_county(world, haicheng_node) -> None:
    # given a Haicheng site on the Haicheng node
    owner = EnterpriseFactory(region=world.haicheng)
    site = SiteFactory(code="HC-M-077", enterprise=owner, region=world.haicheng)
    # when the site service is asked to move it to Dashiqiao
    with pytest.raises(DomainError) as refused:
        update_site(actor=world.user("province_officer"), site=site, region=world.dashiqiao)
    # then it is refused as another county's and the site stays where it was
    assert refused.value.code == "other_region"
    site.refresh_from_db()
    assert (site.region, site.version) == (world.haicheng, 1)


def test_node_importer_refuses_rows_of_another_county(world, haicheng_node) -> None:
    # given a bundle whose second enterprise lies in Dashiqiao
    rows = base_rows()
    rows["enterprises"][1]["region_code"] = "210882"
    before = counts()
    # when the Haicheng node imports it
    report = run(rows)
    # then that row is refused with other_region, naming both regions, and nothing is stored
    assert not report.ok
    refused = [(e.sheet, e.row, e.column, e.code) for e in report.errors]
    assert ("enterprises", 3, "region_code", "other_region") in refused, format_errors(
        report.errors
    )
    assert [e.message for e in report.errors if e.code == "other_region"] == [REFUSAL_ZH]
    assert counts() == before


def test_node_importer_takes_its_own_county(world, haicheng_node) -> None:
    # given the small Haicheng bundle
    # when the Haicheng node imports it
    report = run(base_rows())
    # then everything is stored, owned by the node
    assert report.ok, format_errors(report.errors)
    assert Site.objects.get(code="HC-M-901").owner_node == "210381"
