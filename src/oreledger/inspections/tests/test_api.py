"""The inspections API: who reads which record, what a record says, overdue orders."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from oreledger.inspections.models import (
    ClassificationDecision,
    Finding,
    Inspection,
    RectificationOrder,
)
from oreledger.inspections.tests.support import build_loop, build_visit, inspect, today
from oreledger.registry.tests.factories import SiteFactory
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

LICENCE = "采矿许可证在有效期内"
ANSWERS = {"province_officer": 200, "haicheng_operator": 200, "dashiqiao_operator": 404,
           "department_officer": 200, "enterprise_user": 200, "anonymous": 401}  # fmt: skip


def _visit(world: Any) -> Any:
    site = SiteFactory(code="HC-M-201", enterprise=world.user("enterprise_user").enterprise)
    return build_visit(world, site, world.user("haicheng_operator"))


def test_the_matrix_of_the_api_records(world: Any) -> None:
    # given a Haicheng campaign's visit, its finding, order and decision
    visit = _visit(world)
    finding = Finding.objects.get()
    decision = ClassificationDecision.objects.get()
    base = "/api/v1/inspections"
    # then each record is read in its jurisdiction and is 404 to Dashiqiao
    urls = [
        f"{base}/visits/{visit.inspection.pk}/",
        f"{base}/findings/{finding.pk}/",
        f"{base}/orders/{visit.order.number}/",
        f"{base}/decisions/{decision.pk}/",
    ]
    for url in urls:
        check_matrix(world, lambda c, url=url: c.get(url), ANSWERS, api=True)
    # and a campaign is the government's own work: the enterprise does not see it
    check_matrix(
        world,
        lambda c: c.get(f"{base}/campaigns/{visit.campaign.pk}/"),
        {**ANSWERS, "enterprise_user": 404},
        api=True,
    )


def test_the_lists_are_scoped_and_the_outsider_sees_nothing(world: Any) -> None:
    # given a Haicheng visit
    _visit(world)
    outsider = world.api("dashiqiao_operator")
    insider = world.api("haicheng_operator")
    # then Haicheng counts one of each, Dashiqiao none
    for name in ["campaigns", "visits", "findings", "orders", "decisions"]:
        url = f"/api/v1/inspections/{name}/"
        assert insider.get(url).json()["count"] == 1, name
        assert outsider.get(url).json()["count"] == 0, name


def test_an_order_says_what_it_asks_and_who_signs(world: Any) -> None:
    # given an order issued on the dust covers
    visit = _visit(world)
    # when the county reads it
    body = world.api("haicheng_operator").get(f"/api/v1/inspections/orders/{visit.order.number}/")
    # then it carries its target, deadline, findings and the department to sign
    data = body.json()
    assert (data["number"], data["status"], data["overdue"]) == (
        visit.order.number,
        "issued",
        False,
    )
    assert data["target"] == "全部料堆苫盖"
    assert data["deadline"] == (today() + datetime.timedelta(days=15)).isoformat()
    assert data["findings"] == [Finding.objects.get().pk]
    assert data["signoffs"] == [
        {"department": "ecology_environment", "signed_at": None, "note": ""}
    ]
    assert data["answers"] == []


def test_overdue_lists_the_open_orders_past_their_deadline(world: Any) -> None:
    # given two orders: one past its deadline, one within it
    late = _visit(world).order
    loop = build_loop(world)
    site = SiteFactory(code="HC-M-202", enterprise=world.user("enterprise_user").enterprise)
    inspection = inspect(world, loop, site, {LICENCE: "过期"})
    assert isinstance(inspection, Inspection)
    RectificationOrder.objects.filter(pk=late.pk).update(
        deadline=today() - datetime.timedelta(days=1)
    )
    api = world.api("haicheng_operator")
    # when the county asks for the overdue ones
    overdue = api.get("/api/v1/inspections/orders/", {"status": "overdue"}).json()
    # then exactly the late one is listed, flagged overdue
    assert [(o["number"], o["overdue"]) for o in overdue["results"]] == [(late.number, True)]
    # and once closed it is no longer overdue
    RectificationOrder.objects.filter(pk=late.pk).update(status="closed")
    assert api.get("/api/v1/inspections/orders/", {"status": "overdue"}).json()["count"] == 0


def test_a_visit_lists_every_item_s_result_with_its_legal_basis(world: Any) -> None:
    # given the visit that failed the dust covers
    visit = _visit(world)
    # when its record is read
    data = (
        world.api("province_officer")
        .get(f"/api/v1/inspections/visits/{visit.inspection.pk}/")
        .json()
    )
    # then the result names the department, the item, the law and the note
    assert data["results"] == [
        {"department": "ecology_environment", "item": "料堆和运输车辆苫盖",
         "legal_basis": "《大气污染防治法》第七十二条", "outcome": "fail", "note": "料堆未苫盖"}
    ]  # fmt: skip
    assert data["campaign"] == visit.campaign.pk
    assert data["site"] == "HC-M-201"


def test_the_schema_describes_the_inspections_api(world: Any) -> None:
    schema = world.client("province_officer").get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = schema.json()["paths"]
    for name, key in [("campaigns", "id"), ("visits", "id"), ("findings", "id"),
                      ("orders", "number"), ("decisions", "id")]:  # fmt: skip
        assert f"/api/v1/inspections/{name}/" in paths
        assert f"/api/v1/inspections/{name}/{{{key}}}/" in paths
    orders = paths["/api/v1/inspections/orders/"]["get"]["parameters"]
    status = next(p for p in orders if p["name"] == "status")
    assert status["schema"]["enum"] == ["answered", "closed", "issued", "overdue"]
