"""The synchronous rules: each fires with its subject, refs and evidence; near-misses do not."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from oreledger.alerts.services import change_rule
from oreledger.alerts.tests.support import World, alerts, local_at
from oreledger.weighing.models import Ticket
from oreledger.weighing.tests.support import on_shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> World:
    """The weighing world."""
    return World(world)


def test_overload_fires_above_the_axle_limit_and_not_at_it(w: World) -> None:
    truck = w.truck(1)
    # given a six-axle truck (limit 49 t): a gross exactly at the limit is legal
    w.send("cp", truck, net=34_000)  # gross 49 000
    assert alerts("overload") == []
    # when it passes 20 kg above
    result = w.send("cp", truck, net=34_020, at=timezone.now() - datetime.timedelta(minutes=40))
    # then the ticket is an overload, with its figures and threshold, and the truck goes on
    [alert] = alerts("overload")
    assert (
        alert.subject_type == "ticket"
        and alert.subject_ref == f"{w.cp_code}#{result['item']['seq']}"
    )
    assert alert.refs["station"] == w.cp_code and alert.refs["plate"] == truck
    assert alert.evidence["gross_kg"] == 49_020 and alert.evidence["threshold_kg"] == 49_000
    assert result["release"] is True and alert.version_number == 1


def test_tare_deviation_fires_beyond_the_larger_of_3_percent_and_500_kg(w: World) -> None:
    truck = w.truck(2, tare_kg=15_000)
    w.send("cp", truck, tare_kg=15_500, gross_kg=45_500, net_kg=30_000)
    assert alerts("tare_deviation") == []
    w.send(
        "cp",
        truck,
        tare_kg=15_520,
        gross_kg=45_520,
        net_kg=30_000,
        at=timezone.now() - datetime.timedelta(hours=1),
    )
    [alert] = alerts("tare_deviation")
    assert alert.evidence == {
        "tare_kg": 15_520,
        "registered_tare_kg": 15_000,
        "difference_kg": 520,
        "threshold_kg": 500,
    }


def test_off_hours_at_the_mine_exit(w: World) -> None:
    truck = w.truck(3)
    number = w.waybill(truck)
    w.send("exit", truck, waybill=number, at=local_at(21, 59))
    assert alerts("off_hours") == []
    other = w.truck(4)
    w.send("exit", other, waybill=w.waybill(other), at=local_at(23, 10))
    [alert] = alerts("off_hours")
    assert alert.refs["site"] == w.mine.site.code and alert.refs["waybill"]
    assert alert.refs["contract"] == w.mine.contract.number
    assert alert.refs["enterprise"] == w.mine.site.enterprise.uscc
    assert (
        alert.evidence["local_time"] == "23:10" and alert.enterprise_id == w.mine.site.enterprise_id
    )


def test_vehicle_unregistered(w: World) -> None:
    w.send("cp", w.truck(5))
    assert alerts("vehicle_unregistered") == []
    w.send("cp", "辽C99999")
    [alert] = alerts("vehicle_unregistered")
    assert alert.refs["plate"] == "辽C99999" and alert.subject_type == "ticket"


def test_duplicate_weighing_within_the_window_only(w: World) -> None:
    truck = w.truck(6)
    now = timezone.now()
    w.send("cp", truck, net=30_000, at=now - datetime.timedelta(hours=3))
    w.send("cp", truck, net=30_100, at=now - datetime.timedelta(hours=2, minutes=34))  # 26 min
    assert alerts("duplicate_weighing") == []
    w.send("cp", truck, net=30_050, at=now - datetime.timedelta(hours=2, minutes=20))  # 14 min
    [alert] = alerts("duplicate_weighing")
    assert alert.evidence["other_net_kg"] == 30_100 and alert.evidence["threshold_min"] == 20


def test_weight_discrepancy_on_the_waybill(w: World) -> None:
    ok = w.trip(w.truck(7), net=30_000, entry_net=30_300)
    assert alerts("weight_discrepancy") == [], ok
    number = w.trip(w.truck(8), net=30_000, entry_net=30_400)
    [alert] = alerts("weight_discrepancy")
    assert alert.subject_type == "waybill" and alert.subject_ref == number
    assert alert.refs["waybill"] == number and alert.refs["station"] == w.gate_code
    assert alert.evidence == {
        "exit_net_kg": 30_000,
        "entry_net_kg": 30_400,
        "difference_kg": 400,
        "threshold_kg": 300,
    }


def test_entry_without_exit(w: World) -> None:
    w.trip(w.truck(9))
    assert alerts("entry_without_exit") == []
    truck = w.truck(10)
    number = w.waybill(truck)
    w.send("gate", truck, waybill=number)
    [alert] = alerts("entry_without_exit")
    assert alert.refs["waybill"] == number and alert.evidence["waybill_status"] == "issued"


def test_a_repeat_within_the_window_counts_on_the_open_alert(w: World) -> None:
    # given a truck whose registered tare differs at every weighing (one subject: the plate?
    # no — tickets are subjects; a vehicle subject repeats): two impossible weighings
    truck = w.truck(11)
    w.send("cp", truck, net=34_500, at=timezone.now() - datetime.timedelta(hours=5))
    w.send("cp", truck, net=34_600, at=timezone.now() - datetime.timedelta(hours=4))
    overloads = alerts("overload")
    assert len(overloads) == 2  # two tickets are two subjects
    from oreledger.alerts.engine import raise_alert

    again = raise_alert(
        rule="overload",
        region=overloads[0].region,
        subject_type="ticket",
        subject_ref=overloads[0].subject_ref,
        at=timezone.now(),
        refs={},
        evidence={},
        occurrence="test-repeat",
    )
    assert again is not None and again.pk == overloads[0].pk
    overloads[0].refresh_from_db()
    assert overloads[0].count == 2 and overloads[0].events.count() == 2
    # and the same occurrence is never counted twice
    assert (
        raise_alert(
            rule="overload",
            region=overloads[0].region,
            subject_type="ticket",
            subject_ref=overloads[0].subject_ref,
            at=timezone.now(),
            refs={},
            evidence={},
            occurrence="test-repeat",
        )
        is None
    )


def _shift() -> datetime.datetime:
    """A trip's start inside the permitted hours (no off_hours finding beside the one tested)."""
    return on_shift(datetime.timedelta(minutes=50))


def _reasons(w: World, number: str) -> list[str]:
    """The codes stored on the plant-gate ticket of a waybill."""
    entry = Ticket.objects.get(waybill__number=number, station__code=w.gate_code)
    return [r["code"] for r in entry.reasons]


def test_a_county_tightened_to_150_kg_finds_the_discrepancy_at_150_kg(w: World) -> None:
    # given a trip 200 kg short at the plant: within the province's 1 % / 300 kg
    within = w.trip(w.truck(21), net=30_000, entry_net=29_800, at=_shift())
    assert "weight_discrepancy" not in _reasons(w, within)
    # when Haicheng tightens the floor to 150 kg (and the share to 0.5 %)
    change_rule(
        actor=w.world.user("haicheng_operator"),
        rule="weight_discrepancy",
        region=w.world.haicheng,
        params={"pct": 0.5, "kg": 150},
        note="收紧",
    )
    # then the same 200 kg on the next trip is a finding on the ticket, and its alert
    beyond = w.trip(w.truck(22), net=30_000, entry_net=29_800, at=_shift())
    assert _reasons(w, beyond) == ["weight_discrepancy"]
    [alert] = alerts("weight_discrepancy")
    assert alert.subject_ref == beyond and alert.evidence["threshold_kg"] == 150
    # and exactly 150 kg is not beyond it
    at_it = w.trip(w.truck(23), net=30_000, entry_net=29_850, at=_shift())
    assert "weight_discrepancy" not in _reasons(w, at_it)


def test_a_region_that_turns_entry_without_exit_off_stores_no_such_finding(w: World) -> None:
    # given an arrival with no exit: found and alerted under the province's rules
    first = w.truck(24)
    stored = Ticket.objects.get(pk=w.send("gate", first)["ticket_id"])
    assert [r["code"] for r in stored.reasons][:1] == ["entry_without_exit"]
    assert len(alerts("entry_without_exit")) == 1
    # when the province turns the rule off (a county may not turn off what is on above it)
    change_rule(
        actor=w.world.user("province_officer"),
        rule="entry_without_exit",
        region=w.world.province,
        params={},
        enabled=False,
        note="停用",
    )
    # then the next such arrival stores no finding and raises no alert
    again = w.send("gate", w.truck(25))
    reasons = Ticket.objects.get(pk=again["ticket_id"]).reasons
    assert "entry_without_exit" not in [r["code"] for r in reasons]
    assert again["release"] is True and len(alerts("entry_without_exit")) == 1
