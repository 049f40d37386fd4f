"""The checklists and campaigns sheets of the province bundle, and a second industry (the
chemical park) configured through them and inspected through the same loop as the mines."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.urls import reverse

from oreledger.accounts.tests.factories import UserFactory, department
from oreledger.core.bundle import format_errors
from oreledger.demo.checklists import CHECKLISTS, checklist_rows
from oreledger.demo.chempark import chemical_park
from oreledger.demo.geography import COUNTIES_BY_CODE
from oreledger.inspections.models import Campaign, Checklist, ChecklistItem, Finding
from oreledger.inspections.queries import checklists_for, items_for
from oreledger.inspections.services import (
    answer_order,
    decide_classification,
    issue_order,
    sign_acceptance,
    submit_inspection,
)
from oreledger.inspections.tests.support import results_for, today
from oreledger.registry.models import Enterprise, Permit, Site
from oreledger.registry.tests.test_bundle_import import run

pytestmark = pytest.mark.django_db

TOWN = {"code": "210381101", "name_zh": "牌楼镇", "name_en": "Pailou", "level": "town",
        "parent_code": "210381"}  # fmt: skip


def _campaign(**change: Any) -> dict[str, Any]:
    row = {
        "name": "化工园区安全整治专项行动",
        "region_code": "210381",
        "legal_basis": "《危险化学品安全管理条例》",
        "starts_on": today() - datetime.timedelta(days=30),
        "ends_on": today() + datetime.timedelta(days=60),
        "departments": "emergency_management, ecology_environment、fire_rescue",
        "enterprise_kinds": "chemical",
        "regions": "210381101",
    }
    return {**row, **change}


def _park() -> dict[str, list[dict[str, Any]]]:
    return chemical_park(seed=7, county=COUNTIES_BY_CODE["210381"], town="210381101",
                         lat=40.88, lon=122.68, today=today(), size=3)  # fmt: skip


def test_the_demo_checklists_import_as_one_version_each(world: Any) -> None:
    # given every department's demo checklist, magnesite and chemical
    rows = checklist_rows()
    # when the sheet is imported twice
    first = run({"checklists": rows})
    again = run({"checklists": rows})
    # then each list is one version with its items in order; the second import changes nothing
    assert first.ok, format_errors(first.errors)
    assert first.outcomes["checklists"].created == len(rows)
    assert again.outcomes["checklists"].unchanged == len(rows)
    assert Checklist.objects.count() == len(CHECKLISTS)
    assert ChecklistItem.objects.count() == len(rows)
    hazchem = Checklist.objects.get(department_kind__code="emergency_management",
                                    industry="chemical")  # fmt: skip
    first_item = hazchem.items.get(position=1)
    assert (first_item.legal_basis, first_item.severity, first_item.stops_production) == (
        "《危险化学品安全管理条例》第十四条", "high", True,
    )  # fmt: skip


def test_a_changed_list_publishes_the_next_version_of_that_list_only(world: Any) -> None:
    rows = checklist_rows(("chemical",))
    run({"checklists": rows})
    rows[0] = {**rows[0], "text": "取得危险化学品安全生产许可证"}
    report = run({"checklists": rows})
    assert report.ok, format_errors(report.errors)
    versions = sorted(Checklist.objects.values_list("department_kind__code", "version"))
    assert versions == [("development_reform", 1), ("ecology_environment", 1),
                        ("emergency_management", 1), ("emergency_management", 2),
                        ("fire_rescue", 1)]  # fmt: skip
    assert report.outcomes["checklists"].updated == 7


def test_a_wrong_sheet_writes_nothing_and_names_every_mistake(world: Any) -> None:
    rows = checklist_rows(("chemical",))[:2]
    rows[0] = {**rows[0], "department": "weather_bureau"}
    rows[1] = {**rows[1], "position": 1, "department": "emergency_management"}
    bad_campaign = _campaign(
        departments="fire_rescue, nobody", ends_on=today() - datetime.timedelta(days=90)
    )
    report = run({"regions": [TOWN], "checklists": rows, "campaigns": [bad_campaign]})
    assert [(e.sheet, e.row, e.column, e.code) for e in report.errors] == [
        ("checklists", 2, "department", "unknown_department"),
        ("campaigns", 2, "ends_on", "period_invalid"),
        ("campaigns", 2, "departments", "unknown_department"),
    ]
    assert (Checklist.objects.count(), Campaign.objects.count()) == (0, 0)


def test_a_county_may_not_rewrite_the_province_s_checklists(world: Any) -> None:
    operator = world.user("haicheng_operator")
    report = run({"checklists": checklist_rows(("chemical",))[:1]}, actor=operator,
                 scope=operator.region)  # fmt: skip
    assert [(e.column, e.code) for e in report.errors] == [("department", "not_allowed")]
    assert Checklist.objects.count() == 0


def test_a_county_launches_campaigns_only_in_its_own_region(world: Any) -> None:
    operator = world.user("haicheng_operator")
    outside = _campaign(name="大石桥专项行动", region_code="210882", regions="")
    report = run({"campaigns": [outside]}, actor=operator, scope=operator.region)
    assert [(e.column, e.code) for e in report.errors] == [("region_code", "outside_jurisdiction")]
    report = run({"regions": [TOWN], "campaigns": [_campaign()]}, actor=operator,
                 scope=operator.region)  # fmt: skip
    assert report.ok, format_errors(report.errors)
    campaign = Campaign.objects.get()
    assert sorted(campaign.departments.values_list("code", flat=True)) == [
        "ecology_environment", "emergency_management", "fire_rescue",
    ]  # fmt: skip
    assert (campaign.enterprise_kinds, [r.code for r in campaign.regions.all()]) == (
        ["chemical"], ["210381101"],
    )  # fmt: skip
    # and the same row again changes nothing; a new end date changes the plan
    assert run({"campaigns": [_campaign()]}).outcomes["campaigns"].unchanged == 1
    later = today() + datetime.timedelta(days=90)
    assert run({"campaigns": [_campaign(ends_on=later)]}).outcomes["campaigns"].updated == 1
    assert Campaign.objects.get().ends_on == later


def test_the_chemical_park_is_inspected_through_the_same_loop_as_the_mines(world: Any) -> None:
    # given the park's enterprises, plants and permits, the chemical checklists and a campaign,
    # all from one workbook
    park = _park()
    report = run({"regions": [TOWN], **park, "checklists": checklist_rows(("chemical",)),
                  "campaigns": [_campaign()]})  # fmt: skip
    assert report.ok, format_errors(report.errors)
    assert Enterprise.objects.filter(kind="chemical").count() == 3
    assert Permit.objects.filter(type__code="hazardous_chemicals_licence").count() == 3
    campaign, site = Campaign.objects.get(), Site.objects.get(code="HC-C-001")
    assert sorted(c.department_kind.code for c in checklists_for(campaign, "chemical")) == [
        "ecology_environment", "emergency_management", "fire_rescue",
    ]  # fmt: skip
    # when the county inspects the first plant and its hazardous-chemicals licence fails
    operator = world.user("haicheng_operator")
    failing = {"取得危险化学品安全生产许可证，许可范围与实际生产品种一致": "许可范围不含硼酸"}
    inspection, _ = submit_inspection(
        actor=operator, campaign=campaign, site=site, submission_key=uuid.uuid4(),
        inspected_on=today(), results=results_for(campaign, site, failing),
    )  # fmt: skip
    finding = Finding.objects.get()
    assert (finding.severity, finding.stops_production, finding.department_kind.code) == (
        "high", True, "emergency_management",
    )  # fmt: skip
    order = issue_order(actor=operator, findings=[finding], target="变更许可范围",
                        measures="停产硼酸装置，申请变更许可", responsible_person="刘工",
                        deadline=today() + datetime.timedelta(days=30))  # fmt: skip
    site.refresh_from_db()
    assert site.status == "rectifying"
    answer_order(actor=None, order=order, text="已停产并申请变更许可")
    safety = UserFactory(username="safety_officer", role="department_officer",
                         region=world.haicheng,
                         department=department("emergency_management", world.haicheng))  # fmt: skip
    sign_acceptance(actor=safety, order=order, note="现场核查合格")
    order.refresh_from_db()
    decide_classification(actor=operator, enterprise=site.enterprise,
                          classification="relocate_park", reason="搬迁入园",
                          campaign=campaign)  # fmt: skip
    # then the order is closed, the plant works again and the enterprise is classified
    site.refresh_from_db()
    site.enterprise.refresh_from_db()
    assert (order.status, site.status, site.enterprise.classification) == (
        "closed", "operating", "relocate_park",
    )  # fmt: skip
    assert inspection.enterprise == site.enterprise


def test_the_field_form_shows_a_chemical_plant_its_own_checklists(world: Any) -> None:
    # given the imported park and its campaign
    run({"regions": [TOWN], **_park(), "checklists": checklist_rows(),
         "campaigns": [_campaign()]})  # fmt: skip
    campaign, site = Campaign.objects.get(), Site.objects.get(code="HC-C-002")
    url = reverse("inspections:inspect", args=[campaign.pk, site.code])
    client = world.client("haicheng_operator")
    # when the county's inspector opens the field form and sends it, the licence failing
    page = client.get(url).content.decode()
    items = list(items_for(checklists_for(campaign, "chemical")))
    licence = items[0]
    data = {"submission_key": str(uuid.uuid4())}
    for item in items:
        data[f"outcome_{item.pk}"] = "fail" if item == licence else "pass"
        data[f"note_{item.pk}"] = "许可证已过期" if item == licence else ""
    sent = client.post(url, data, HTTP_ACCEPT="application/json")
    # then the form lists the chemical items (never the mines'), and the finding is stored
    assert licence.text in page and "无越界开采" not in page
    assert sent.status_code == 201
    findings = list(Finding.objects.values_list("text", "stops_production"))
    assert findings == [(f"{licence.text}：许可证已过期", True)]
