"""Reference data going down: what concerns a node, and configuration rows on the wire."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from oreledger.federation.models import OutboxChange
from oreledger.federation.records import decode, encode
from oreledger.federation.services import hub
from oreledger.federation.services.apply import apply_changes
from oreledger.grading.models import Grade, GradingStandard
from oreledger.grading.services import GradeSpec, publish_standard
from oreledger.quotas.models import QuotaAccount, QuotaPeriod
from oreledger.quotas.services import allocate_quota
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.trade.models import FloorPrice
from oreledger.trade.services.market import set_floor_price

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def haicheng_node(settings, world):
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", "210000"
    registered, _secret = hub.add_node(code="210381", name="海城市")
    return registered


def _standard() -> GradingStandard:
    standard, _created = publish_standard(
        actor=None,
        code="LN-REF",
        effective_from=datetime.date(2025, 1, 1),
        grades=[
            GradeSpec(code="LM-46", name_zh="特级", rank=1, mgo_min=Decimal(46)),
            GradeSpec(code="LM-45", name_zh="一级", rank=2, mgo_min=Decimal(45)),
        ],
    )
    return standard


def test_a_node_gets_its_countys_allocations_and_those_above_not_another_countys(
    world, haicheng_node
) -> None:
    # given the province's allocations down to both counties, on the hub
    QuotaPeriod.objects.create(year=YEAR)
    for holder, tonnes in (
        (world.province, 900_000),
        (world.haicheng, 300_000),
        (world.dashiqiao, 300_000),
    ):
        allocate_quota(
            actor=None, period=YEAR, mineral="magnesite", holder=holder, allocated_kg=tonnes * 1000
        )
    last = OutboxChange.objects.order_by("-seq").values_list("seq", flat=True)[0]
    # when the Haicheng node asks for reference data from the start
    changes, reached = hub.reference_changes(node=haicheng_node, since=0)
    # then it gets Haicheng's account and the province's it hangs from, never Dashiqiao's
    holders = {
        str(a.uuid): a.holder_region.code
        for a in QuotaAccount.objects.select_related("holder_region")
    }
    sent = {holders[c["uuid"]] for c in changes if c["model"] == "quotas.quotaaccount"}
    assert sent == {"210000", "210381"}
    # and the hub seq reached is past Dashiqiao's changes too (never asked for again)
    assert reached == last


def test_the_province_vehicle_register_and_blacklist_go_down(world, haicheng_node) -> None:
    # given a vehicle the province blacklisted, on the hub
    vehicle = VehicleFactory(status="blacklisted", blacklist_reason="超载屡查不改")
    from oreledger.core.audit import record_change

    record_change(actor=None, obj=vehicle, action="create")
    # when a node asks for reference data
    changes, _reached = hub.reference_changes(node=haicheng_node, since=0)
    # then the vehicle is among them, blacklisted with its reason
    sent = [c for c in changes if c["model"] == "registry.vehicle"]
    assert [(c["uuid"], c["data"]["status"], c["data"]["blacklist_reason"]) for c in sent] == [
        (str(vehicle.uuid), "blacklisted", "超载屡查不改")
    ]


def test_a_floor_price_names_its_grade_and_a_standard_carries_its_grades(world) -> None:
    # given a published standard and a floor price of one of its grades
    standard = _standard()
    grade = Grade.objects.get(standard=standard, code="LM-45")
    floor = set_floor_price(
        actor=None, grade=grade, valid_from=datetime.date(2025, 1, 1), floor_yuan=Decimal(380)
    )
    # when both are put on the wire
    (standard_state,) = encode([standard])
    (floor_state,) = encode([floor])
    # then the floor price names its grade by standard and code, and the standard its grades
    assert floor_state["grade"] == [str(standard.uuid), "LM-45"]
    assert [(g["code"], g["rank"], g["mgo_min"]) for g in standard_state["grades"]] == [
        ("LM-46", 1, "46.00"),
        ("LM-45", 2, "45.00"),
    ]
    # and the grade resolves back to the same local row
    values, missing = decode(FloorPrice, [floor_state])
    assert (values[0]["grade_id"], missing) == (grade.pk, [])


def test_a_grade_the_platform_lacks_is_named_as_missing(world) -> None:
    # given a floor price state naming a grade of a standard this platform never received
    unknown = str(uuid.uuid4())
    state = {"grade": [unknown, "LM-45"], "floor_yuan": "380.00", "valid_from": "2025-01-01"}
    # when it is decoded
    _values, missing = decode(FloorPrice, [state])
    # then the grade is named as missing (the batch is refused as unknown_reference)
    assert missing == [("grading.grade", str((unknown, "LM-45")))]


def test_a_quota_year_the_platform_lacks_is_made_on_arrival(world) -> None:
    # given an account state for a year this platform has no period for
    state = {"period": 2031, "mineral": "magnesite", "allocated_kg": 5}
    assert not QuotaPeriod.objects.filter(year=2031).exists()
    # when it is decoded
    values, missing = decode(QuotaAccount, [state])
    # then the year is made and referred to, nothing missing
    period = QuotaPeriod.objects.get(year=2031)
    assert (values[0]["period_id"], missing) == (period.pk, [])


def test_a_standards_grades_are_applied_with_it_once(settings, world) -> None:
    # given a standard's state as the hub sends it, with one grade renamed since
    standard = _standard()
    (state,) = encode([standard])
    state["grades"][1]["name_zh"] = "一级（修订）"
    change = {
        "seq": 1,
        "model": "grading.gradingstandard",
        "uuid": str(standard.uuid),
        "version": standard.version + 1,
        "op": "upsert",
        "at": "2025-11-14T15:42:11+08:00",
        "data": {**state, "version": standard.version + 1},
    }
    # when it is applied twice (the second is an older-or-equal version: skipped)
    apply_changes([change])
    apply_changes([change])
    # then the standard holds the same two grades, the renamed one updated
    names = list(
        Grade.objects.filter(standard=standard).order_by("rank").values_list("code", "name_zh")
    )
    assert names == [("LM-46", "特级"), ("LM-45", "一级（修订）")]
