"""Grading pages and API: who may publish, who sees which assays."""

from __future__ import annotations

import datetime

import pytest

from oreledger.grading.models import Assay, Grade, GradingStandard
from oreledger.grading.services import GradeSpec, publish_standard, record_assay
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db
D = __import__("decimal").Decimal


@pytest.fixture
def assays(world):
    """A graded assay in each county."""
    publish_standard(
        actor="test",
        code="S1",
        effective_from=datetime.date(2025, 1, 1),
        grades=[GradeSpec("A", "甲", 1, D("45")), GradeSpec("B", "乙", 2)],
    )
    hc = SiteFactory(
        code="HC-M-001", enterprise=world.user("enterprise_user").enterprise, region=world.haicheng
    )
    dsq = SiteFactory(
        code="DSQ-M-001",
        enterprise=EnterpriseFactory(region=world.dashiqiao),
        region=world.dashiqiao,
    )
    parts = {"mgo": D("46"), "cao": D("1"), "sio2": D("1")}
    for site in (hc, dsq):
        record_assay(
            actor="test",
            site=site,
            lot="L1",
            sampled_on=datetime.date(2025, 5, 1),
            components=parts,
        )
    return hc, dsq


def test_standard_page_for_everyone_new_version_for_the_province(world, assays) -> None:
    check_matrix(
        world,
        lambda c: c.get("/grading/"),
        {
            "province_officer": 200,
            "dashiqiao_operator": 200,
            "haicheng_operator": 200,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 302,
        },
    )
    form = {
        "code": "S2",
        "effective_from": "2099-01-01",
        "grades-TOTAL_FORMS": "1",
        "grades-INITIAL_FORMS": "0",
        "grades-0-code": "A",
        "grades-0-name_zh": "甲",
        "grades-0-rank": "1",
    }
    check_matrix(
        world,
        lambda c: c.post("/grading/standards/new/", {**form, "confirmed": "1"}),
        {
            "province_officer": 302,
            "dashiqiao_operator": 404,
            "haicheng_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=[GradingStandard, Grade],
    )
    assert list(GradingStandard.objects.values_list("code", flat=True)) == ["S2", "S1"]


def test_assays_are_seen_within_the_jurisdiction(world, assays) -> None:
    responses = check_matrix(
        world,
        lambda c: c.get("/grading/assays/"),
        {
            "province_officer": 200,
            "dashiqiao_operator": 200,
            "haicheng_operator": 200,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 302,
        },
        watch=[Assay],
    )
    seen = {
        name: [row.site.code for row, _ in r.context["rows"]]
        for name, r in responses.items()
        if r.status_code == 200
    }
    assert seen["haicheng_operator"] == ["HC-M-001"]
    assert seen["enterprise_user"] == ["HC-M-001"]
    assert sorted(seen["province_officer"]) == ["DSQ-M-001", "HC-M-001"]


def test_api_records_an_assay_within_the_county_only(world, assays) -> None:
    body = {
        "site": "DSQ-M-001",
        "lot": "L9",
        "sampled_on": "2025-06-01",
        "mgo": "45.50",
        "cao": "1.00",
        "sio2": "1.00",
    }
    responses = check_matrix(
        world,
        lambda c: c.post("/api/v1/grading/assays/", body, format="json"),
        {
            "province_officer": 201,
            "dashiqiao_operator": 400,
            "haicheng_operator": 400,
            "department_officer": 403,
            "enterprise_user": 403,
            "anonymous": 401,
        },
        api=True,
        watch=[Assay],
    )
    assert responses["province_officer"].json()["grade"] == "A"
    # Dashiqiao sees the site but the lot is taken by then; Haicheng does not see the site.
    assert responses["dashiqiao_operator"].json()["error"]["fields"] == {
        "non_field_errors": ["字段 site, lot 必须能构成唯一集合。"]
    }
    assert "site" in responses["haicheng_operator"].json()["error"]["fields"]


def test_mix_page_counts_grades(world, assays) -> None:
    page = world.client("province_officer").get("/grading/mix/")
    assert page.context["chart"]["grades"] == ["A"]
    assert page.context["count"] == 2
