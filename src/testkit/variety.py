"""Records in both counties that differ along every dimension an API list filters on.

`build_variety(world)` starts from the jurisdiction sweep's Dashiqiao records
(`sweep.build_dashiqiao`) and adds Haicheng's own flow of ore — a contract, a listing
and a bid, two waybills, an exit, a gate entry, a checkpoint passage and a truck without
a waybill, an assay, a case — then moves a few rows off the common values (a suspended
enterprise, a disabled station, an expired floor price, …), so that every filter of every
list keeps some rows and drops others.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from oreledger.accounts.models import User
from oreledger.accounts.tests.factories import department
from oreledger.alerts.models import Alert, Case
from oreledger.alerts.services import open_case
from oreledger.appeals.models import Appeal
from oreledger.appeals.services import raise_appeal, route_appeal
from oreledger.briefings.models import Briefing
from oreledger.grading.models import Assay
from oreledger.grading.services import GradeSpec, publish_standard, record_assay
from oreledger.quotas.models import Mineral
from oreledger.quotas.services import allocate_quota, open_period
from oreledger.registry.models import Enterprise, Permit, Site, Station
from oreledger.registry.services import create_station
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.trade import services as trade
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing
from oreledger.trade.tests.market import contract_terms, listing_terms
from oreledger.weighing.models import Waybill
from oreledger.weighing.tests.support import Mine, body, on_shift, post, ticket, waybills_for
from oreledger.worklist.services import create_task
from testkit.personas import Province
from testkit.sweep import Dashiqiao, build_dashiqiao


@dataclass
class Variety:
    """The sweep's Dashiqiao records plus Haicheng's, and the moments that split them."""

    dsq: Dashiqiao
    contract: Contract
    listing: Listing
    bid: Bid
    waybills: list[Waybill]
    gate: Station
    checkpoint: Station
    assay: Assay
    case: Case
    # A Haicheng appeal about power, routed (the Dashiqiao one is about roads, not routed).
    appeal: Appeal
    # The Haicheng exit was weighed at `departed`, the plant gate at `arrived`.
    departed: datetime.datetime
    arrived: datetime.datetime

    @property
    def world(self) -> Province:
        """The personas."""
        return self.dsq.world


def _station(code: str, world: Province, site: Site | None) -> tuple[Station, str]:
    lat, lon = ("40.880000", "122.680000")
    station, secret = create_station(
        actor=None, code=code, name=code, region=world.haicheng, lat=lat, lon=lon, site=site
    )
    return station, str(secret)


def build_variety(world: Province) -> Variety:
    """Both counties' records, varied along every filter (see the module's docstring)."""
    d = build_dashiqiao(world)
    market, today = d.market, d.market.today
    # A Haicheng task beside the Dashiqiao one (the task list's region filter).
    haicheng_unit = department("natural_resources", world.haicheng)
    create_task(
        actor=None,
        group=d.task.group,
        number="HC-T-1",
        title="窑炉淘汰",
        responsible_department=haicheng_unit,
        start=d.task.start,
        due=d.task.due,
    )
    lm45 = market.grade("LM-45")
    # Haicheng's trade: an approved LM-45 contract, a listing and a bid on it.
    contract = trade.create_contract(**contract_terms(market, actor=None, grade=lm45))
    trade.submit_contract(actor=None, contract=contract)
    contract = trade.approve_contract(actor=None, contract=contract)
    listing = trade.create_listing(**listing_terms(market, actor=None, grade=lm45)).listing
    bid = trade.place_bid(
        actor=market.buyer_user,
        listing=listing,
        destination_site=market.plant,
        price=Decimal("300.00"),
        quantity_kg=100_000,
    )
    # Haicheng's trips: two waybills; one weighed out and in, plus a checkpoint passage and a
    # truck with no waybill at all.
    waybills = waybills_for(Mine(market.mine, contract), ["辽C10001", "辽C10003"])
    gate, gate_secret = _station("HC-ST-GATE", world, market.plant)
    checkpoint, checkpoint_secret = _station("HC-CP-01", world, None)
    departed = on_shift(lasting=datetime.timedelta(hours=3))
    arrived = departed + datetime.timedelta(hours=2)
    exit_code, exit_secret = d.haicheng_station
    trip = waybills[0]
    sent = [
        (exit_code, exit_secret, [
            ticket(1, trip.plate, waybill=trip.number, at=departed),
            ticket(2, "辽C10009", at=departed + datetime.timedelta(minutes=30)),
        ]),
        (checkpoint.code, checkpoint_secret, [
            ticket(1, trip.plate, direction="in", at=departed + datetime.timedelta(hours=1)),
        ]),
        (gate.code, gate_secret, [
            ticket(1, trip.plate, waybill=trip.number, direction="in", at=arrived),
        ]),
    ]  # fmt: skip
    for code, secret, items in sent:
        response = post(Client(), code, secret, body(items))
        assert response.status_code == 200, response.content
    assay = record_assay(
        actor=None,
        site=market.mine,
        lot="HC-LOT-0001",
        sampled_on=today - datetime.timedelta(days=10),
        components={"mgo": Decimal("45.40"), "cao": Decimal("1.20"), "sio2": Decimal("2.10")},
        lab="海城检测站",
    )
    case = open_case(
        actor=None,
        title="华鑫一号矿无运单出矿",
        region=world.haicheng,
        enterprise=market.seller,
        site=market.mine,
        violations="无运单",
    )
    appeal = raise_appeal(actor=world.user("enterprise_user"), category="utilities",
                          description="矿区变电站容量不足。")  # fmt: skip
    appeal = route_appeal(actor=world.user("haicheng_operator"), appeal=appeal,
                          departments=[world.user("department_officer").department])  # fmt: skip
    # A Haicheng draft and an issued Dashiqiao briefing of another week (the briefings list).
    Briefing.objects.create(region=world.haicheng, week="2026-W01")
    Briefing.objects.create(region=world.dashiqiao, week="2026-W02", status="issued")
    _move_off_the_common_values(d, today)
    return Variety(
        d,
        contract,
        listing,
        bid,
        waybills,
        gate,
        checkpoint,
        assay,
        case,
        appeal,
        departed,
        arrived,
    )


def _move_off_the_common_values(d: Dashiqiao, today: datetime.date) -> None:
    """A row or two of each list set apart from the rest (statuses, dates, kinds)."""
    market = d.market
    next_year = today.year + 1
    publish_standard(
        actor=None,
        code="LN-NEXT",
        effective_from=datetime.date(next_year, 1, 1),
        grades=[
            GradeSpec(code=g.code, name_zh=g.name_zh, rank=g.rank, mgo_min=g.mgo_min)
            for g in market.grades.values()
        ],
    )
    open_period(actor=None, year=next_year)
    allocate_quota(
        actor=None, period=next_year, mineral="magnesite", holder=d.world.province,
        allocated_kg=1_000_000,
    )  # fmt: skip
    Mineral.objects.get_or_create(code="talc", defaults={"name_zh": "滑石", "name_en": "Talc"})
    allocate_quota(
        actor=None, period=today.year, mineral="talc", holder=d.world.province,
        allocated_kg=1_000_000,
    )  # fmt: skip
    User.objects.filter(username="rival_user").update(is_active=False)
    Enterprise.objects.filter(pk=d.enterprise.pk).update(
        status="suspended", classification="merge_reorganise"
    )
    Enterprise.objects.filter(pk=market.rival.pk).update(industry="chemical")
    Site.objects.filter(pk=market.rival_plant.pk).update(status="shut_down")
    Bid.objects.filter(pk=d.bid.pk).update(status="rejected")
    Station.objects.filter(pk=d.station.pk).update(disabled_at=timezone.now())
    VehicleFactory(plate="辽C10003", owner=market.seller, axles=4, status="blacklisted")
    Permit.objects.filter(pk=d.permit.pk).update(
        status="suspended",
        validity_state="suspended_revoked",
        valid_from=today + datetime.timedelta(days=5),
    )
    FloorPrice.objects.filter(grade__code="LM-45").update(
        valid_to=today - datetime.timedelta(days=1)
    )
    Contract.objects.filter(pk=d.contract.pk).update(
        valid_from=today - datetime.timedelta(days=60), valid_to=today - datetime.timedelta(days=1)
    )
    Listing.objects.filter(pk=d.listing.pk).update(
        status="withdrawn",
        valid_from=today - datetime.timedelta(days=30),
        valid_to=today - datetime.timedelta(days=1),
    )
    Case.objects.filter(pk=d.case.pk).update(status="decided", decision="warning")
    first = Alert.objects.order_by("first_seen", "pk").first()
    assert first is not None
    Alert.objects.filter(pk=first.pk).update(
        status="acknowledged",
        first_seen=timezone.now() - datetime.timedelta(days=3),
        case=d.case,
    )
