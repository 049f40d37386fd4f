"""A province with something to publish and private values that must never be published."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from oreledger.accounts.tests.factories import department
from oreledger.alerts.models import Case
from oreledger.dashboards.models import DailyRollup
from oreledger.registry.models import Enterprise, Site
from oreledger.registry.tests.factories import (
    EnterpriseFactory,
    PermitFactory,
    SiteFactory,
    StationFactory,
    VehicleFactory,
)
from oreledger.trade.models import Contract, Delivery
from oreledger.trade.tests.market import Market, build_market
from testkit.personas import Province

# Values that exist in the records and must appear on no public page, download or answer.
SECRET_PLATE = "辽C7Q3Z9"
SECRET_PERSON = "王保密"
SECRET_PRICE = "987.65"  # one seller's only contract of LMT-47
SECRET_TRUCK_KG = 41_357  # one truck's net
SECRET_LONE_OUTPUT_T = "777.78"  # Dashiqiao's one mine: 777,777 kg this month
SECRET_INTERNAL_NOTE = "线人举报内容"
SECRETS = (
    SECRET_PLATE,
    SECRET_PERSON,
    SECRET_PRICE,
    str(SECRET_TRUCK_KG),
    "41.36",
    SECRET_LONE_OUTPUT_T,
    "777777",
    SECRET_INTERNAL_NOTE,
)


@dataclass
class Portal:
    """The records the portal's tests read."""

    market: Market
    sellers: list[Enterprise]
    mines: list[Site]
    lone_mine: Site
    published: Case
    unpublished: Case
    today: datetime.date


def add_contract(market: Market, n: int, seller: Enterprise, mine: Site, grade: str, kg: int,
              price: str) -> Contract:  # fmt: skip
    """An approved contract of this week (the price index's current week)."""
    return Contract.objects.create(
        number=f"HT-PUB-{n:03d}", seller=seller, buyer=market.buyer, origin_site=mine,
        destination_site=market.plant, grade=market.grade(grade), quantity_kg=kg,
        unit_price=Decimal(price), valid_from=market.today,
        valid_to=market.today + datetime.timedelta(days=60), status="approved",
        max_delivery_kg=kg, region=mine.region, approved_at=timezone.now(),
    )  # fmt: skip


def build_portal(world: Province) -> Portal:
    """Three Haicheng sellers of LM-46, one lone seller of LMT-47, one lone Dashiqiao mine."""
    market = build_market(world)
    today = market.today
    sellers, mines = [market.seller], [market.mine]
    for n in (2, 3):
        enterprise = EnterpriseFactory(name=f"海城市公示镁矿{n}有限公司", region=world.haicheng,
                                       legal_rep=SECRET_PERSON)  # fmt: skip
        sellers.append(enterprise)
        mines.append(SiteFactory(code=f"HC-M-00{n}", enterprise=enterprise, kind="mine",
                                 name=f"公示{n}号矿"))  # fmt: skip
    lone = EnterpriseFactory(name="大石桥市独家镁矿有限公司", region=world.dashiqiao,
                             legal_rep=SECRET_PERSON)  # fmt: skip
    lone_mine = SiteFactory(code="DSQ-M-001", enterprise=lone, kind="mine", name="独家矿")
    VehicleFactory(plate=SECRET_PLATE)
    # licences: valid, expiring in ten days, suspended, revoked
    for n, (mine, status, valid_to) in enumerate(
        (
            (mines[0], "valid", datetime.date(today.year + 3, 12, 31)),
            (mines[1], "valid", today + datetime.timedelta(days=10)),
            (mines[2], "suspended", datetime.date(today.year + 3, 12, 31)),
            (lone_mine, "revoked", datetime.date(today.year + 3, 12, 31)),
        )
    ):
        PermitFactory(number=f"C21000020100PUB{n}", holder=mine.enterprise, site=mine,
                      status=status, valid_from=datetime.date(today.year - 2, 1, 1),
                      valid_to=valid_to,
                      department=department("natural_resources", mine.region))  # fmt: skip
    # prices: LM-46 from three sellers at 400, 420, 440 (1,000 t each) → 420.00 published
    for n, (seller, mine, price) in enumerate(zip(sellers, mines, ("400", "420", "440"),
                                                  strict=True)):  # fmt: skip
        add_contract(market, n, seller, mine, "LM-46", 1_000_000, price)
    single = add_contract(market, 9, sellers[0], mines[0], "LMT-47", 500_000, SECRET_PRICE)
    Delivery.objects.create(contract=single, net_kg=SECRET_TRUCK_KG)
    # output: Haicheng's three mines this month; Dashiqiao's single mine alone
    for n, mine in enumerate([*mines, lone_mine]):
        station = StationFactory(code=f"PUB-ST-{n}", site=mine)
        net = 777_777 if mine == lone_mine else 1_000_000 * (n + 1)
        DailyRollup.objects.create(
            day=today, station=station, site=mine, enterprise=mine.enterprise,
            county=mine.region, region_path=mine.region.path, grade="LM-46", kind="exit",
            released=True, trucks=20, net_kg=net, gross_kg=net + 400_000, tare_kg=400_000,
            drawn_kg=net, waybilled=20,
        )  # fmt: skip
    cases = []
    for n, enterprise in enumerate((sellers[1], sellers[2])):
        cases.append(Case.objects.create(
            number=f"AJ-PUB-{n}", title=f"公示测试案件{n}", region=world.haicheng,
            enterprise=enterprise, violations=f"{SECRET_INTERNAL_NOTE}：车牌{SECRET_PLATE}",
            status="decided", decision="fine", fine_yuan=Decimal("50000.00"),
            decision_note=f"{SECRET_PERSON}审定", decided_at=timezone.now(),
        ))  # fmt: skip
    published, unpublished = cases
    published.published_at = timezone.now()
    published.published_violation = "超出年度开采总量控制指标开采"
    published.legal_basis = "《矿产资源法》第四十四条"
    published.save()
    return Portal(market, sellers, mines, lone_mine, published, unpublished, today)
