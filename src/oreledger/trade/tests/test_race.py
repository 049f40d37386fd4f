"""Two acceptances racing for the last tonnes of a listing: one wins, nothing is oversold."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from oreledger.core.errors import DomainError
from oreledger.trade import services
from oreledger.trade.choices import BidStatus
from oreledger.trade.models import Bid, Contract, Listing
from oreledger.trade.tests.market import build_market, listing_terms

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_two_acceptances_race_for_the_last_tonnes(world_tx) -> None:
    market = build_market(world_tx)
    listing = services.create_listing(**listing_terms(market, quantity_kg=500_000)).listing
    bids = [
        services.place_bid(actor=user, listing=listing, destination_site=site,
                           price=Decimal("430"), quantity_kg=300_000)
        for user, site in ((market.buyer_user, market.plant),
                           (market.rival_user, market.rival_plant))
    ]  # fmt: skip
    start = threading.Barrier(len(bids))
    outcomes: dict[int, object] = {}

    def accept(bid: Bid) -> None:
        try:
            start.wait()
            services.accept_bid(actor=market.seller_user, bid=bid)
            outcomes[bid.pk] = "accepted"
        except DomainError as error:
            outcomes[bid.pk] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(bid,)) for bid in bids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert list(outcomes.values()).count("accepted") == 1, outcomes
    refusals = [o for o in outcomes.values() if isinstance(o, DomainError)]
    assert len(refusals) == 1, outcomes
    assert refusals[0].code == "listing_oversold" and refusals[0].status == 409
    listing = Listing.objects.get(pk=listing.pk)
    assert listing.accepted_kg == 300_000 <= listing.quantity_kg
    assert Contract.objects.count() == 1
    assert Bid.objects.filter(status=BidStatus.ACCEPTED).count() == 1
    assert Bid.objects.filter(status=BidStatus.PENDING).count() == 1
