"""The demo's market: listings, bids and registered contracts on top of a trade market."""

from __future__ import annotations

import pytest

from oreledger.demo.market import create_demo_market
from oreledger.trade.models import Bid, FloorPrice, Listing
from oreledger.trade.tests.market import build_market

pytestmark = pytest.mark.django_db


def test_demo_market_lists_bids_and_registers(world) -> None:
    # given a market with grades, floors and a mine with quota
    market = build_market(world)
    # when the demo's market is created
    counts = create_demo_market(seed=7, today=market.today)
    # then it reports what it created, every listing asks at least its grade's floor
    assert counts["listings"] == Listing.objects.count()
    assert counts["bids"] == Bid.objects.count()
    for listing in Listing.objects.all():
        assert listing.asking_price >= FloorPrice.objects.get(grade=listing.grade).floor_yuan
    # and a second run adds at most one listing
    assert create_demo_market(seed=7, today=market.today)["listings"] <= counts["listings"] + 1
