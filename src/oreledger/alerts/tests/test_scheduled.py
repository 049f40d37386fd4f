"""The scheduled and asynchronous rules: fire, near-miss, and once per period."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from oreledger.alerts import scheduled
from oreledger.alerts.engine import RECORD_RULES, run_rule
from oreledger.alerts.models import ProductionDeclaration
from oreledger.alerts.tests.support import World, alerts, local_at
from oreledger.core.scheduler import enqueue_due, periodic_jobs
from oreledger.grading.models import Assay, Grade
from oreledger.quotas.services import allocate_quota, open_period
from oreledger.registry.models import Permit, Site, Station
from oreledger.weighing.models import Ticket
from oreledger.weighing.services.heartbeats import record_heartbeat
from oreledger.weighing.tests.support import station_obj

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> World:
    """The weighing world."""
    return World(world)


def test_waybill_unclosed_after_12_hours(w: World) -> None:
    now = timezone.now()
    truck = w.truck(1)
    number = w.waybill(truck, hours=48)
    w.send("exit", truck, waybill=number, at=now - datetime.timedelta(hours=11, minutes=50))
    assert scheduled.waybill_unclosed(now=now) == 0
    assert scheduled.waybill_unclosed(now=now + datetime.timedelta(minutes=20)) == 1
    [alert] = alerts("waybill_unclosed")
    assert alert.subject_type == "waybill" and alert.subject_ref == number
    assert alert.refs["station"] == w.exit_code and alert.evidence["threshold_h"] == 12
    # once per waybill, however often the job runs
    assert scheduled.waybill_unclosed(now=now + datetime.timedelta(hours=1)) == 0


def test_station_seq_gap_after_the_grace_period(w: World) -> None:
    truck = w.truck(2)
    w.send("cp", truck, seq=1, at=timezone.now() - datetime.timedelta(hours=3))
    w.send("cp", truck, seq=3, at=timezone.now() - datetime.timedelta(hours=2))
    received = Ticket.objects.get(seq=3).received_at
    assert scheduled.station_seq_gap(now=received + datetime.timedelta(minutes=29)) == 0
    assert scheduled.station_seq_gap(now=received + datetime.timedelta(minutes=31)) == 1
    [alert] = alerts("station_seq_gap")
    assert alert.subject_ref == w.cp_code and alert.evidence["missing"] == "2"
    assert alert.refs == {"station": w.cp_code, "seq": 2}


def test_station_silent_only_in_operating_hours(w: World) -> None:
    station = station_obj(w.exit_code)
    beat = local_at(10, 0)
    record_heartbeat(station=station, device_time=beat, now=beat)
    assert scheduled.station_silent(now=beat + datetime.timedelta(minutes=14)) == 0
    assert scheduled.station_silent(now=beat + datetime.timedelta(minutes=16)) == 1
    night = local_at(23, 0)
    record_heartbeat(station=station, device_time=night, now=night)
    assert scheduled.station_silent(now=night + datetime.timedelta(minutes=30)) == 0
    [alert] = alerts("station_silent")
    assert alert.subject_type == "station" and alert.evidence["threshold_min"] == 15


def test_plant_intake_over_monthly_capacity(w: World) -> None:
    plant = w.chain.plant
    Site.objects.filter(pk=plant.pk).update(capacity_t=12 * 31)  # 31 t a month
    w.trip(w.truck(3), net=30_000)
    assert scheduled.plant_intake_over_capacity() == 0
    Site.objects.filter(pk=plant.pk).update(capacity_t=12 * 29)
    assert scheduled.plant_intake_over_capacity() == 1
    [alert] = alerts("plant_intake_over_capacity")
    assert alert.subject_ref == plant.code and alert.evidence["received_kg"] == 30_000


def test_permit_expiring_within_30_days(w: World) -> None:
    permit = Permit.objects.filter(site=w.mine.site).first()
    assert permit is not None
    today = timezone.localdate()
    Permit.objects.filter(pk=permit.pk).update(valid_to=today + datetime.timedelta(days=31))
    assert scheduled.permit_expiring() == 0
    Permit.objects.filter(pk=permit.pk).update(valid_to=today + datetime.timedelta(days=30))
    assert scheduled.permit_expiring() == 1
    [alert] = alerts("permit_expiring")
    assert alert.subject_type == "permit" and alert.subject_ref == permit.number
    assert alert.evidence["days_left"] == 30


def test_mass_balance_gap_against_the_declaration(w: World) -> None:
    now = timezone.now()
    first = scheduled.month_start(timezone.localdate())
    last_month = scheduled.month_start(first - datetime.timedelta(days=1))
    # In January last month is in last year's quota: give that year the same allocations
    # (allocations are set, not added, so in other months this changes nothing).
    open_period(actor=None, year=last_month.year)
    for holder in (w.world.province, w.world.haicheng, w.mine.site):
        allocate_quota(
            actor=None,
            period=last_month.year,
            mineral="magnesite",
            holder=holder,
            allocated_kg=10_000_000,
        )
    at = scheduled.local_midnight(last_month) + datetime.timedelta(hours=10)
    truck = w.truck(4)
    w.send("exit", truck, waybill=w.waybill(truck, hours=24 * 62), at=at, net=30_000)
    ProductionDeclaration.objects.create(site=w.mine.site, month=last_month, declared_kg=31_000)
    assert scheduled.mass_balance_gap(now=now) == 0  # 3.2 % under
    ProductionDeclaration.objects.filter(site=w.mine.site).update(declared_kg=32_000)
    assert scheduled.mass_balance_gap(now=now) == 1  # 6.25 % under
    [alert] = alerts("mass_balance_gap")
    assert alert.evidence["weighed_exit_kg"] == 30_000 and alert.evidence["threshold_pct"] == 5


def test_grade_mismatch_against_the_latest_assay(w: World) -> None:
    Assay.objects.create(
        site=w.mine.site,
        lot="L1",
        sampled_on=timezone.localdate() - datetime.timedelta(days=5),
        mgo=Decimal("45.2"),
        cao=Decimal("0.8"),
        sio2=Decimal("1.2"),
        grade=Grade.objects.get(code="LM-45"),
    )
    w.trip(w.truck(5), net=30_000)  # declares LM-46, one step better than LM-45
    honest = w.truck(6)
    w.send("exit", honest, waybill=w.waybill(honest), declared_grade="LM-45")
    # raised at the gate (alerts.gate_rules); the backstop over the same tickets adds nothing
    [alert] = alerts("grade_mismatch")
    assert scheduled.grade_mismatch_for(Ticket.objects.all()) == 0
    assert alert.evidence["declared_grade"] == "LM-46" and alert.evidence["assay_lot"] == "L1"
    assert alert.refs["plate"] != honest


def test_impossible_travel_between_distant_stations(w: World) -> None:
    Station.objects.filter(code=w.cp_code).update(lat=Decimal("41.500000"))  # about 69 km north
    now = timezone.now()
    slow, fast = w.truck(7), w.truck(8)
    w.send("exit", slow, waybill=w.waybill(slow), at=now - datetime.timedelta(hours=3))
    w.send("cp", slow, at=now - datetime.timedelta(hours=2))  # 69 km/h
    w.send("exit", fast, waybill=w.waybill(fast), at=now - datetime.timedelta(hours=2))
    w.send("cp", fast, at=now - datetime.timedelta(hours=1, minutes=50))  # 414 km/h
    # raised at the gate (alerts.gate_rules); the backstop scan finds it counted already
    [alert] = alerts("impossible_travel")
    assert scheduled.impossible_travel(now=now) == 0
    assert alert.subject_type == "vehicle" and alert.subject_ref == fast
    assert alert.evidence["threshold_kmh"] == 80 and alert.evidence["speed_kmh"] > 400
    assert scheduled.impossible_travel(now=now) == 0


def test_every_scheduled_rule_is_enqueued_once_per_period(w: World) -> None:
    names = {job.name for job in periodic_jobs()}
    assert {f"alerts.{r}" for r in scheduled.SCHEDULED_RULES} <= names
    first = enqueue_due()
    assert {f"alerts.{r}" for r in scheduled.SCHEDULED_RULES} <= set(first)
    assert not {n for n in enqueue_due() if n.startswith("alerts.")}


def test_every_scheduled_rule_is_a_registered_record_rule(w: World) -> None:
    # Given a permit 30 days from expiry, when its rule is run by code through the one runner
    # (other apps register their own record rules too: inspections.alert_rules)
    assert set(scheduled.SCHEDULED_RULES) <= set(RECORD_RULES)
    permit = Permit.objects.filter(site=w.mine.site).first()
    assert permit is not None
    in_30_days = timezone.localdate() + datetime.timedelta(days=30)
    Permit.objects.filter(pk=permit.pk).update(valid_to=in_30_days)
    # then it raises once and a re-run in the same period counts nothing
    assert (run_rule("permit_expiring"), run_rule("permit_expiring")) == (1, 0)
    assert [a.subject_ref for a in alerts("permit_expiring")] == [permit.number]
