"""The demo province's market: open listings, bids, and a few weeks of registered deals.

Runs after the bundle import (which brought floor prices and contracts); everything goes
through the trade services, as a person's clicks would.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from oreledger.core.errors import DomainError
from oreledger.core.localtime import LOCAL
from oreledger.grading.services import standard_in_force
from oreledger.registry.models import Site
from oreledger.trade import services
from oreledger.trade.choices import ContractStatus
from oreledger.trade.models import Contract
from oreledger.trade.queries import floor_for, quota_room

LISTING_SHARE = 0.6  # of operating mines that have a listing open
MIN_LISTING_KG = 200_000
HISTORY_WEEKS = 12


def _price(floor: Decimal, low: float, high: float, rng: random.Random) -> Decimal:
    return (floor * Decimal(str(round(rng.uniform(low, high), 3)))).quantize(Decimal("1"))


def create_demo_market(*, seed: int, today: datetime.date) -> dict[str, int]:
    """Open listings with bids on them, some accepted and registered over past weeks."""
    rng = random.Random(seed)
    counts = {"listings": 0, "bids": 0, "contracts": 0, "approved": 0}
    standard = standard_in_force(today)
    if standard is None:
        return counts
    grades = list(standard.grades.order_by("rank"))
    plants = list(
        Site.objects.filter(kind="plant", status="operating",
                            enterprise__kind__in=("processor", "trader"))
        .select_related("enterprise").order_by("code")
    )  # fmt: skip
    mines = list(
        Site.objects.filter(kind="mine", status="operating").select_related("enterprise")
        .order_by("code")
    )  # fmt: skip
    if not plants or not grades:
        return counts
    usual = dict(
        Contract.objects.filter(origin_site__in=mines).values_list("origin_site_id", "grade__code")
    )
    start = max(today, timezone.localdate())
    for mine in mines:
        if rng.random() > LISTING_SHARE:
            continue
        with transaction.atomic():
            _list_mine(rng, mine, grades, plants, usual, start, today, counts)
    return counts


def _list_mine(
    rng: random.Random,
    mine: Site,
    grades: list[Any],
    plants: list[Site],
    usual: dict[int, str],
    start: datetime.date,
    today: datetime.date,
    counts: dict[str, int],
) -> None:
    code = usual.get(mine.pk) or rng.choice(grades[:-1]).code
    grade = next((g for g in grades if g.code == code), grades[0])
    floor = floor_for(grade, start)
    if floor is None:
        return
    available = quota_room(mine, start.year).available_kg
    quantity = min(available // 2, rng.randint(5, 40) * 100_000)
    if quantity < MIN_LISTING_KG:
        return
    try:
        listing = services.create_listing(
            actor=None, site=mine, grade=grade, quantity_kg=quantity,
            asking_price=_price(floor.floor_yuan, 1.05, 1.30, rng), valid_from=start,
            valid_to=start + datetime.timedelta(days=rng.choice((30, 45, 60))),
        ).listing  # fmt: skip
    except DomainError:
        return
    counts["listings"] += 1
    buyers = [p for p in plants if p.enterprise_id != mine.enterprise_id]
    bids = []
    for plant in rng.sample(buyers, min(len(buyers), rng.randint(1, 3))):
        price = max(floor.floor_yuan, _price(listing.asking_price, 0.92, 1.04, rng))
        share = rng.randint(10, 45) * listing.quantity_kg // 100 // 1000 * 1000
        try:
            bids.append(services.place_bid(actor=None, listing=listing, destination_site=plant,
                                           price=price, quantity_kg=max(1000, share)))  # fmt: skip
        except DomainError:
            continue
        counts["bids"] += 1
    if not bids or rng.random() > 0.4:
        return
    best = max(bids, key=lambda b: b.price)
    accepted = services.accept_bid(actor=None, bid=best)
    counts["contracts"] += 1
    contract = accepted.contract
    assert contract is not None
    if rng.random() < 0.7:
        services.submit_contract(actor=None, contract=contract)
        services.approve_contract(actor=None, contract=contract)
        counts["approved"] += 1
        # Demo seeding only: spread the registrations over past weeks for the price index.
        day = today - datetime.timedelta(days=rng.randint(0, HISTORY_WEEKS * 7 - 1))
        moment = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17)), tzinfo=LOCAL)
        # Never later than now: a contract is not approved in the future.
        Contract.objects.filter(pk=contract.pk, status=ContractStatus.APPROVED).update(
            approved_at=min(moment, timezone.now())
        )
