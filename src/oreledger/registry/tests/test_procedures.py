"""The procedures check: each required permit's state, regional counts, constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oreledger.accounts.tests.factories import department
from oreledger.registry.models import PermitType
from oreledger.registry.procedures import procedures_for_enterprise, procedures_summary
from oreledger.registry.tests.factories import EnterpriseFactory, PermitFactory, SiteFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 1)


def lines_by_type(blocks):
    return {
        (line.permit_type.code, line.site.code if line.site else None): line.state
        for block in blocks
        for line in block.lines
    }


def test_each_required_permit_gets_its_state(world, records) -> None:
    # given the Haicheng mine operator with one mine (HC-M-001) and these permits
    hc, site = records.hc, records.hc_site
    nr = department("natural_resources", world.haicheng)
    em = department("emergency_management", world.haicheng)
    ee = department("ecology_environment", world.haicheng)
    mr = department("market_regulation", world.haicheng)
    PermitFactory(
        number="BL-1",
        type_id=_type("business_licence"),
        holder=hc,
        department=mr,
        valid_to=datetime.date(2026, 3, 20),
    )  # 19 days left: expiring
    PermitFactory(
        number="SP-1",
        type_id=_type("safety_production_licence"),
        holder=hc,
        site=site,
        department=em,
        valid_to=datetime.date(2026, 2, 1),
    )  # expired
    PermitFactory(
        number="EIA-1",
        type_id=_type("eia_approval"),
        holder=hc,
        site=site,
        department=ee,
        status="suspended",
    )
    # when the procedures check runs (hc_permit is its valid mining licence to 2029)
    blocks = procedures_for_enterprise(hc, TODAY)
    # then every required permit appears with its state, grouped by department
    assert lines_by_type(blocks) == {
        ("business_licence", None): "expiring",
        ("mining_licence", "HC-M-001"): "valid",
        ("safety_production_licence", "HC-M-001"): "expired",
        ("eia_approval", "HC-M-001"): "suspended_revoked",
        ("pollutant_discharge_permit", "HC-M-001"): "missing",
    }
    orders = [b.kind.ordering for b in blocks]
    assert orders == sorted(orders)
    by_kind = {b.kind.code: b for b in blocks}
    assert by_kind["ecology_environment"].worst == "missing"
    assert by_kind["natural_resources"].worst == "valid"
    assert nr == records.hc_permit.department


def _type(code):
    return PermitType.objects.get(code=code).pk


def test_the_best_permit_answers_the_requirement(world, records) -> None:
    # given an expired and a renewed mining licence for the same mine
    PermitFactory(
        number="OLD-1",
        holder=records.hc,
        site=records.hc_site,
        department=records.hc_permit.department,
        valid_to=datetime.date(2025, 1, 1),
    )
    blocks = procedures_for_enterprise(records.hc, TODAY)
    line = next(x for b in blocks for x in b.lines if x.permit_type.code == "mining_licence")
    assert (line.state, line.permit.number) == ("valid", records.hc_permit.number)


def test_summary_counts_per_department_and_state(world, records) -> None:
    # given Haicheng's mine operator (5 required permits, 1 valid) and a haulier with nothing
    EnterpriseFactory(name="海城运输公司", kind="haulier", region=world.haicheng)
    # when the province officer looks at Haicheng
    summary = procedures_summary(world.haicheng, TODAY)
    counts = {row.kind.code: dict(row.counts) for row in summary.rows}
    # then each department's required permits are counted by state
    assert counts == {
        "natural_resources": {"valid": 1},
        "emergency_management": {"missing": 1},
        "ecology_environment": {"missing": 2},
        "market_regulation": {"missing": 2},
        "transport": {"missing": 1},
    }
    assert summary.enterprises == 2
    assert dict(summary.totals) == {
        "valid": 1,
        "expiring": 0,
        "expired": 0,
        "suspended_revoked": 0,
        "missing": 6,
    }


def test_summary_of_a_city_drills_down_to_counties(world, records) -> None:
    summary = procedures_summary(world.province, TODAY)
    assert [c.region.code for c in summary.children] == ["210300", "210800"]
    assert [c.enterprises for c in summary.children] == [1, 1]
    assert summary.children[0].problems == 4


def test_summary_takes_a_constant_number_of_queries(world, records) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            procedures_summary(world.province, TODAY)
        return len(queries)

    small = count()
    for n in range(20):
        e = EnterpriseFactory(name=f"批量{n}", region=world.haicheng)
        site = SiteFactory(code=f"BULK-{n}", enterprise=e)
        PermitFactory(
            number=f"BULK-P-{n}", holder=e, site=site, department=records.hc_permit.department
        )
    assert count() == small


def test_procedures_page_summary_and_drill_down(world, records) -> None:
    client = world.client("haicheng_operator")
    page = client.get("/registry/procedures/")
    assert page.status_code == 200
    assert page.context["region"] == world.haicheng
    text = page.content.decode()
    assert "手续核查" in text and "自然资源局" in text
    drilled = client.get(
        "/registry/procedures/?region=210381&department=ecology_environment&state=missing"
    )
    lines = list(drilled.context["page_obj"])
    assert [(x.enterprise.name, x.permit_type.code) for x in lines] == [
        ("海城市华鑫镁矿有限公司", "eia_approval"),
        ("海城市华鑫镁矿有限公司", "pollutant_discharge_permit"),
    ]
    assert client.get("/registry/procedures/?region=210882").status_code == 404
    export = client.get("/registry/procedures/?region=210381&export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
