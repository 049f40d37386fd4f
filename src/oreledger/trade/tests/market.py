"""A small market on top of the personas: grades, floors, quotas, a mine and two plants."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oreledger.accounts.tests.factories import UserFactory
from oreledger.grading.models import Grade, GradingStandard
from oreledger.grading.services import GradeSpec, publish_standard
from oreledger.quotas.models import Mineral
from oreledger.quotas.services import allocate_quota, open_period
from oreledger.registry.models import Enterprise, Site
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory
from oreledger.trade.models import FloorPrice
from testkit.personas import PASSWORD, Province

GRADES = (
    ("LMT-47", "特级", 1, "520.00"),
    ("LM-46", "一级", 2, "380.00"),
    ("LM-45", "二级", 3, "260.00"),
)


@dataclass
class Market:
    """The records a trade test needs, by role."""

    world: Province
    standard: GradingStandard
    grades: dict[str, Grade]
    seller: Enterprise
    mine: Site
    buyer: Enterprise
    plant: Site
    buyer_user: Any
    rival: Enterprise
    rival_plant: Site
    rival_user: Any
    today: datetime.date

    @property
    def seller_user(self) -> Any:
        """The mine operator's persona."""
        return self.world.user("enterprise_user")

    def grade(self, code: str = "LM-46") -> Grade:
        """A grade by code."""
        return self.grades[code]


def _plant(code: str, name: str, region: Any, kind: str = "processor") -> tuple[Enterprise, Site]:
    enterprise = EnterpriseFactory(name=name, region=region, kind=kind)
    plant = SiteFactory(code=code, enterprise=enterprise, kind="plant", name=f"{name}加工厂")
    return enterprise, plant


def build_market(world: Province, *, mine_quota_t: int = 100_000) -> Market:
    """Grades with floors, Haicheng's mine with quota, a buyer in Haicheng and a rival buyer."""
    today = timezone.localdate()
    standard, _created = publish_standard(
        actor=None,
        code="LN-TEST",
        effective_from=datetime.date(today.year - 1, 1, 1),
        grades=[
            GradeSpec(code=code, name_zh=name, rank=rank, mgo_min=Decimal(47 - rank))
            for code, name, rank, _floor in GRADES
        ],
    )
    grades = {g.code: g for g in standard.grades.all()}
    for code, _name, _rank, floor in GRADES:
        FloorPrice.objects.create(
            grade=grades[code], valid_from=datetime.date(today.year - 1, 1, 1), floor_yuan=floor
        )
    seller = world.user("enterprise_user").enterprise
    mine = SiteFactory(code="HC-M-001", enterprise=seller, kind="mine", name="华鑫一号矿")
    buyer, plant = _plant("HC-P-001", "海城市恒达耐火材料有限公司", world.haicheng)
    buyer_user = UserFactory(username="plant_user", role="enterprise_user",
                             region=world.haicheng, enterprise=buyer, display_name="恒达 陈工",
                             password=PASSWORD)  # fmt: skip
    rival, rival_plant = _plant("DSQ-P-001", "大石桥市青花镁业有限公司", world.dashiqiao, "trader")
    rival_user = UserFactory(username="rival_user", role="enterprise_user",
                             region=world.dashiqiao, enterprise=rival, display_name="青花 刘工",
                             password=PASSWORD)  # fmt: skip
    Mineral.objects.get_or_create(code="magnesite", defaults={"name_zh": "菱镁矿",
                                                              "name_en": "Magnesite"})  # fmt: skip
    open_period(actor=None, year=today.year)
    kg = mine_quota_t * 1000
    allocate_quota(actor=None, period=today.year, mineral="magnesite", holder=world.province,
                   allocated_kg=kg * 10)  # fmt: skip
    allocate_quota(actor=None, period=today.year, mineral="magnesite", holder=world.haicheng,
                   allocated_kg=kg * 5)  # fmt: skip
    allocate_quota(actor=None, period=today.year, mineral="magnesite", holder=mine,
                   allocated_kg=kg)  # fmt: skip
    return Market(world, standard, grades, seller, mine, buyer, plant, buyer_user, rival,
                  rival_plant, rival_user, today)  # fmt: skip


def listing_terms(market: Market, **overrides: Any) -> dict[str, Any]:
    """Arguments of create_listing for 1,000 t of LM-46 at 420 yuan/t for a month."""
    terms: dict[str, Any] = {
        "actor": market.seller_user,
        "site": market.mine,
        "grade": market.grade(),
        "quantity_kg": 1_000_000,
        "asking_price": Decimal("420.00"),
        "valid_from": market.today,
        "valid_to": market.today + datetime.timedelta(days=30),
    }
    terms.update(overrides)
    return terms


def contract_terms(market: Market, **overrides: Any) -> dict[str, Any]:
    """Arguments of create_contract: 5,000 t of LM-46 at 400 yuan/t, mine → buyer's plant."""
    terms: dict[str, Any] = {
        "actor": market.seller_user,
        "seller": market.seller,
        "buyer": market.buyer,
        "origin_site": market.mine,
        "destination_site": market.plant,
        "grade": market.grade(),
        "quantity_kg": 5_000_000,
        "unit_price": Decimal("400.00"),
        "valid_from": market.today,
        "valid_to": market.today + datetime.timedelta(days=90),
    }
    terms.update(overrides)
    return terms
