"""The gate rules: a cloned plate and an over-declared grade, decided in the ticket's round."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from oreledger.alerts import scheduled
from oreledger.alerts.models import Alert, AlertEvent, ScanCursor
from oreledger.grading.models import Assay, Grade
from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.services import allocate_quota
from oreledger.registry.services import create_station
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory, VehicleFactory
from oreledger.trade.models import Contract
from oreledger.weighing.models import Ticket
from oreledger.weighing.services.blocking import set_blocking_codes
from oreledger.weighing.tests.support import (
    Mine,
    body,
    build_chain,
    give_gate_permits,
    on_shift,
    plate,
    post,
    ticket,
    waybills_for,
)

pytestmark = pytest.mark.django_db

# About 30 km south-west of the Haicheng mine (40.88 N, 122.68 E): Dashiqiao.
DASHIQIAO = (Decimal("40.650000"), Decimal("122.520000"))


class Gates:
    """A Haicheng mine exit and a Dashiqiao mine exit about 30 km apart, each with quota."""

    def __init__(self, world: Any) -> None:
        self.world = world
        chain = build_chain(world)
        self.haicheng = chain.mines[0]
        year = timezone.localdate().year
        allocate_quota(
            actor=None,
            period=year,
            mineral="magnesite",
            holder=world.province,
            allocated_kg=20_000_000,
        )
        allocate_quota(
            actor=None,
            period=year,
            mineral="magnesite",
            holder=world.dashiqiao,
            allocated_kg=10_000_000,
        )
        owner = EnterpriseFactory(region=world.dashiqiao)
        site = SiteFactory(
            code="DSQ-M-001",
            enterprise=owner,
            name="大石桥镁矿",
            lat=DASHIQIAO[0],
            lon=DASHIQIAO[1],
        )
        allocate_quota(
            actor=None, period=year, mineral="magnesite", holder=site, allocated_kg=10_000_000
        )
        contract = Contract.objects.create(
            number=f"HT-{year}-D001",
            seller=owner,
            buyer=chain.plant.enterprise,
            origin_site=site,
            destination_site=chain.plant,
            grade=Grade.objects.get(code="LM-46"),
            quantity_kg=10_000_000,
            unit_price=Decimal("300.00"),
            valid_from=datetime.date(year, 1, 1),
            valid_to=datetime.date(year, 12, 31),
            status="approved",
            region=world.dashiqiao,
        )
        give_gate_permits(site, world.dashiqiao)
        station, secret = create_station(
            actor=None,
            code="DSQ-ST-0101",
            name="大石桥镁矿出口磅",
            region=world.dashiqiao,
            lat=DASHIQIAO[0],
            lon=DASHIQIAO[1],
            site=site,
        )
        self.dashiqiao = Mine(site, contract, {station.code: str(secret)})
        self.client = world.client("anonymous")
        self.seqs: dict[str, int] = {}

    def weigh(self, mine: Mine, plate_: str, at: datetime.datetime, **kw: Any) -> dict[str, Any]:
        """A released-or-held exit at the mine's station; the station's answer for it."""
        code, secret = next(iter(mine.stations.items()))
        seq = kw.pop("seq", None) or self.seqs.get(code, 0) + 1
        self.seqs[code] = max(self.seqs.get(code, 0), seq)
        number = waybills_for(mine, [plate_])[0].number
        item = ticket(seq, plate_, waybill=number, at=at, **kw)
        response = post(self.client, code, secret, body([item]))
        assert response.status_code == 200, response.content
        result: dict[str, Any] = response.json()["results"][0]
        return result

    def resend(self, mine: Mine, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """An offline station's outbox sent at once."""
        code, secret = next(iter(mine.stations.items()))
        response = post(self.client, code, secret, body(items))
        assert response.status_code == 200, response.content
        results: list[dict[str, Any]] = response.json()["results"]
        return results


@pytest.fixture
def gates(world: Any) -> Gates:
    """Two mine exits 30 km apart in two counties."""
    return Gates(world)


def _truck(n: int) -> str:
    """A registered six-axle truck whose tickets match its registered tare."""
    return str(VehicleFactory(plate=plate(n), tare_kg=15_000).plate)


def _travel_alerts() -> list[Alert]:
    return list(Alert.objects.filter(rule="impossible_travel"))


def test_a_plate_at_a_mine_30_km_away_two_minutes_later_is_warned_and_alerted(gates) -> None:
    # given a truck released at the Haicheng mine exit
    truck = _truck(101)
    at = on_shift(datetime.timedelta(minutes=2))
    first = gates.weigh(gates.haicheng, truck, at)
    assert first["release"] is True and first["warnings"] == []
    # when the same plate is weighed out at the Dashiqiao mine exit two minutes later
    second = gates.weigh(gates.dashiqiao, truck, at + datetime.timedelta(minutes=2))
    # then the answer warns the operator in Chinese (the truck goes: the default is to warn)
    [warning] = second["warnings"]
    assert warning["code"] == "impossible_travel"
    assert warning["message"].startswith(f"车牌 {truck} 于 ")
    assert "疑似套牌" in warning["message"]
    assert second["release"] is True and second["reasons"] == []
    # and the alert exists as the answer returns, naming both weighings
    [alert] = _travel_alerts()
    haicheng_code = next(iter(gates.haicheng.stations))
    assert alert.subject_type == "vehicle" and alert.subject_ref == truck
    assert alert.region == gates.world.dashiqiao and alert.severity == "high"
    evidence = alert.evidence
    assert evidence["from_station"] == haicheng_code and evidence["from_seq"] == 1
    assert evidence["to_station"] == "DSQ-ST-0101" and evidence["to_seq"] == 1
    assert evidence["minutes"] == 2.0 and 28 <= evidence["distance_km"] <= 32
    assert evidence["speed_kmh"] == round(evidence["distance_km"] * 30)
    assert evidence["threshold_kmh"] == 80
    [event] = AlertEvent.objects.filter(alert=alert)
    assert event.occurrence_key == f"impossible_travel|{haicheng_code}#1|DSQ-ST-0101#1"


def test_a_plausible_trip_raises_nothing(gates) -> None:
    # given the same plate at the two mines 30 km apart, an hour between them (30 km/h)
    truck = _truck(102)
    at = on_shift(datetime.timedelta(hours=1))
    gates.weigh(gates.haicheng, truck, at)
    second = gates.weigh(gates.dashiqiao, truck, at + datetime.timedelta(hours=1))
    # then neither a warning nor an alert
    assert second["warnings"] == [] and _travel_alerts() == []


def test_with_the_county_holding_on_impossible_travel_the_second_truck_is_held(gates) -> None:
    # given Dashiqiao holds trucks on impossible_travel
    operator = gates.world.user("dashiqiao_operator")
    codes = ["no_waybill", "quota_exhausted", "contract_exceeded", "waybill_reused"]
    set_blocking_codes(
        actor=operator, region=gates.world.dashiqiao, codes=[*codes, "impossible_travel"]
    )
    account = QuotaAccount.objects.get(holder_site=gates.dashiqiao.site)
    consumed = account.consumed_kg
    truck = _truck(103)
    at = on_shift(datetime.timedelta(minutes=2))
    gates.weigh(gates.haicheng, truck, at)
    # when the plate is weighed at Dashiqiao two minutes later
    second = gates.weigh(gates.dashiqiao, truck, at + datetime.timedelta(minutes=2))
    # then the truck is held, the finding is the reason, and no quota is drawn
    assert second["release"] is False
    assert [r["code"] for r in second["reasons"]] == ["impossible_travel"]
    assert second["warnings"] == []
    held = Ticket.objects.get(pk=second["ticket_id"])
    assert held.drawn_kg == 0 and held.held_kg == 30_000 and held.quota_entry_id is None
    account.refresh_from_db()
    assert account.consumed_kg == consumed
    [alert] = _travel_alerts()
    assert alert.subject_ref == truck


def _assay(site: Any, grade: str, *, lot: str, day: datetime.date, mgo: str) -> Assay:
    return Assay.objects.create(
        site=site,
        lot=lot,
        sampled_on=day,
        mgo=Decimal(mgo),
        cao=Decimal("0.80"),
        sio2=Decimal("1.20"),
        grade=Grade.objects.get(code=grade),
    )


def test_a_grade_better_than_the_latest_assay_raises_grade_mismatch_in_the_answer(gates) -> None:
    # given the Haicheng mine's latest assay supports LM-45 (an older one LMT-47)
    site = gates.haicheng.site
    at = on_shift()
    day = timezone.localtime(at).date()
    _assay(site, "LMT-47", lot="L-0", day=day - datetime.timedelta(days=9), mgo="47.30")
    _assay(site, "LM-45", lot="L-1", day=day - datetime.timedelta(days=2), mgo="45.40")
    truck = _truck(104)
    # when a truck declares LM-46, and another the LM-45 the assay supports
    declared = gates.weigh(gates.haicheng, truck, at, declared_grade="LM-46")
    honest = gates.weigh(gates.haicheng, _truck(105), at, declared_grade="LM-45")
    # then the first answer carries grade_mismatch (it still leaves) and the second nothing
    assert [w["code"] for w in declared["warnings"]] == ["grade_mismatch"]
    assert "L-1" in declared["warnings"][0]["message"] and declared["release"] is True
    assert honest["warnings"] == []
    [alert] = Alert.objects.filter(rule="grade_mismatch")
    code = next(iter(gates.haicheng.stations))
    assert alert.subject_ref == f"{code}#1"
    assert alert.evidence == {
        "declared_grade": "LM-46",
        "declared_rank": 2,
        "assay_lot": "L-1",
        "assay_sampled_on": (day - datetime.timedelta(days=2)).isoformat(),
        "assay_mgo_pct": "45.40",
        "assay_grade": "LM-45",
        "assay_rank": 3,
        "threshold_steps": 1,
    }


def test_an_offline_station_resending_old_tickets_is_caught_once_by_the_backstop(gates) -> None:
    # given the plate weighed at Haicheng this morning, while Dashiqiao's station was offline
    truck = _truck(106)
    at = on_shift(datetime.timedelta(hours=3))
    ScanCursor.objects.create(name="impossible_travel", position=timezone.now())
    gates.weigh(gates.haicheng, truck, at + datetime.timedelta(minutes=3))
    gates.weigh(gates.haicheng, truck, at + datetime.timedelta(hours=3), seq=2)
    # when Dashiqiao comes back and sends its outbox: the plate there one minute before the
    # Haicheng weighing (found at its gate, looking back) and again two minutes after it
    # (which the gate cannot see: the later Haicheng weighing was stored first)
    [number] = [w.number for w in waybills_for(gates.dashiqiao, [truck])]
    items = [
        ticket(1, truck, waybill=number, at=at + datetime.timedelta(minutes=2)),
        # (its waybill used, the second trip is held for no_waybill: stored all the same)
        ticket(2, truck, at=at + datetime.timedelta(hours=3, minutes=2)),
    ]
    gates.resend(gates.dashiqiao, items)
    haicheng = next(iter(gates.haicheng.stations))
    # then its gate saw the pair it could: Dashiqiao #2 two minutes after Haicheng #2
    gate_keys = {
        k for k in AlertEvent.objects.values_list("occurrence_key", flat=True) if "travel" in k
    }
    assert gate_keys == {f"impossible_travel|{haicheng}#2|DSQ-ST-0101#2"}
    # and the backstop finds the pair the gate could not see (Dashiqiao #1 one minute
    # before Haicheng #1, stored first), once however often it runs or re-reads
    raised = scheduled.impossible_travel(now=timezone.now() + datetime.timedelta(seconds=1))
    again = scheduled.impossible_travel(now=timezone.now() + datetime.timedelta(seconds=2))
    ScanCursor.objects.filter(name="impossible_travel").update(
        position=timezone.now() - datetime.timedelta(days=1)
    )
    reread = scheduled.impossible_travel(now=timezone.now() + datetime.timedelta(seconds=3))
    keys = sorted(
        k for k in AlertEvent.objects.values_list("occurrence_key", flat=True) if "travel" in k
    )
    assert keys == [
        f"impossible_travel|DSQ-ST-0101#1|{haicheng}#1",
        f"impossible_travel|{haicheng}#2|DSQ-ST-0101#2",
    ]
    assert (raised, again, reread) == (1, 0, 0)
    # one open alert on the plate counts both pairs
    [alert] = _travel_alerts()
    assert alert.count == 2


def test_the_grade_backstop_raises_a_resent_ticket_once(gates) -> None:
    # given an assay supporting LM-45, and the gate rules off while a ticket was recorded
    from oreledger.alerts import sync_rules

    site = gates.haicheng.site
    at = on_shift()
    _assay(site, "LM-45", lot="L-9", day=timezone.localtime(at).date(), mgo="45.10")
    ScanCursor.objects.create(name="grade_mismatch", position=timezone.now())
    sync_rules.GATE_ENABLED = False
    try:
        gates.weigh(gates.haicheng, _truck(107), at)
    finally:
        sync_rules.GATE_ENABLED = True
    gates.weigh(gates.haicheng, _truck(108), at)
    assert Alert.objects.filter(rule="grade_mismatch").count() == 1
    # when the backstop runs twice
    first = scheduled.grade_mismatch(now=timezone.now() + datetime.timedelta(seconds=1))
    second = scheduled.grade_mismatch(now=timezone.now() + datetime.timedelta(seconds=2))
    # then it raised only what the gate missed, once
    assert first == 1 and second == 0
    assert AlertEvent.objects.filter(occurrence_key__startswith="grade_mismatch|").count() == 2
