"""The blocking set's pages and service: per region, ledger codes fixed, own county only."""

from __future__ import annotations

from typing import Any

import pytest

from oreledger.core.audit import ObjectChange, history_for
from oreledger.core.errors import DomainError
from oreledger.weighing.models import BlockingSet
from oreledger.weighing.reference import Snapshot
from oreledger.weighing.rules import blocking_codes
from oreledger.weighing.services.blocking import effective_blocking, set_blocking_codes
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

LEDGER = ["no_waybill", "quota_exhausted", "contract_exceeded", "waybill_reused"]


def _hold_on_travel(codes: list[str]) -> dict[str, Any]:
    return {"codes": codes}


def test_the_haicheng_operator_holds_trucks_on_impossible_travel_in_haicheng(world) -> None:
    # given no region has a blocking set of its own: Haicheng applies the defaults
    [before] = effective_blocking([world.haicheng])
    assert before.source is None and not before.holds_on_travel
    url = f"/weighing/blocking/{world.haicheng.code}/"
    wanted = ["permit_invalid", "site_suspended", "vehicle_blacklisted", "impossible_travel"]
    # when the Haicheng operator ticks impossible travel on the page
    client = world.client("haicheng_operator")
    page = client.get(url)
    assert page.status_code == 200 and "另外拦截以下情形" in page.content.decode()
    response = client.post(url, _hold_on_travel(wanted))
    # then Haicheng holds on it (the ledger codes kept), with an audit row naming who
    assert response.status_code == 302
    [after] = effective_blocking([world.haicheng])
    assert after.holds_on_travel and after.source == world.haicheng
    assert set(LEDGER) <= set(after.codes)
    assert "impossible_travel" in blocking_codes(world.haicheng, Snapshot())
    own = BlockingSet.objects.get(region=world.haicheng)
    [change] = history_for(own)
    assert change.action == ObjectChange.Action.CREATE
    assert change.actor == world.user("haicheng_operator")
    # and Dashiqiao still applies the defaults
    assert not effective_blocking([world.dashiqiao])[0].holds_on_travel


def test_the_ledger_codes_cannot_be_dropped_and_unknown_codes_are_refused(world) -> None:
    operator = world.user("haicheng_operator")
    with pytest.raises(DomainError) as dropped:
        set_blocking_codes(actor=operator, region=world.haicheng, codes=LEDGER[1:])
    assert dropped.value.code == "blocking_code_required"
    with pytest.raises(DomainError) as unknown:
        set_blocking_codes(actor=operator, region=world.haicheng, codes=[*LEDGER, "price"])
    assert unknown.value.code == "blocking_code_unknown"
    assert not BlockingSet.objects.exists()
    assert not ObjectChange.objects.filter(content_type__model="blockingset").exists()


def test_a_county_s_set_replaces_the_province_s_below_it(world) -> None:
    # given the province drops vehicle_blacklisted, and Haicheng adds impossible_travel
    officer = world.user("province_officer")
    set_blocking_codes(actor=officer, region=world.province, codes=[*LEDGER, "permit_invalid"])
    operator = world.user("haicheng_operator")
    set_blocking_codes(actor=operator, region=world.haicheng, codes=[*LEDGER, "impossible_travel"])
    # then each region applies its nearest set
    haicheng, dashiqiao = effective_blocking([world.haicheng, world.dashiqiao])
    assert haicheng.codes == (
        *LEDGER[:1],
        "quota_exhausted",
        "contract_exceeded",
        "waybill_reused",
        "impossible_travel",
    )
    assert dashiqiao.source == world.province
    assert dashiqiao.codes == ("no_waybill", "permit_invalid", *LEDGER[1:])


def test_who_may_open_and_change_a_county_s_blocking_set(world) -> None:
    url = f"/weighing/blocking/{world.dashiqiao.code}/"
    check_matrix(
        world,
        lambda c: c.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 404,
            "dashiqiao_operator": 200,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
    check_matrix(
        world,
        lambda c: c.post(url, _hold_on_travel(["impossible_travel"])),
        {
            "province_officer": 302,
            "haicheng_operator": 404,
            "dashiqiao_operator": 302,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=[BlockingSet, ObjectChange],
    )
    assert effective_blocking([world.dashiqiao])[0].holds_on_travel


def test_a_department_officer_may_read_but_not_change_their_county_s_set(world) -> None:
    officer = world.user("department_officer")
    url = f"/weighing/blocking/{officer.region.code}/"
    client = world.client("department_officer")
    assert client.get(url).status_code == 200
    assert client.post(url, {"codes": ["impossible_travel"]}).status_code == 403
    assert not BlockingSet.objects.exists()


def test_the_list_shows_each_region_s_set_in_scope(world) -> None:
    operator = world.user("haicheng_operator")
    set_blocking_codes(actor=operator, region=world.haicheng, codes=[*LEDGER, "impossible_travel"])
    page = world.client("haicheng_operator").get("/weighing/blocking/")
    text = page.content.decode()
    assert page.status_code == 200
    assert world.haicheng.name in text and world.dashiqiao.name not in text
    assert "不可能行程" in text  # the rule by its name, never its code
