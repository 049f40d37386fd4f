"""The market's use cases: listing → bid → accept → submit → approve, and what is refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from oreledger.core.errors import DomainError
from oreledger.trade import hooks, services
from oreledger.trade.choices import BidStatus, ContractStatus, ListingStatus
from oreledger.trade.delivery import deliver_on_contract
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing, Notification
from oreledger.trade.queries import price_index, quota_room
from oreledger.trade.services._common import grade_for
from oreledger.trade.tests.market import build_market, contract_terms, listing_terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(world):
    return build_market(world)


def _bid(market, listing, *, kg=400_000, price="430.00", user=None):
    user = user or market.buyer_user
    return services.place_bid(actor=user, listing=listing,
                              destination_site=user.enterprise.sites.first(),
                              price=Decimal(price), quantity_kg=kg)  # fmt: skip


def test_listing_bid_accept_submit_approve(market) -> None:
    listing = services.create_listing(**listing_terms(market)).listing
    assert listing.number.startswith(f"GP-{market.today.year}-")
    bid = _bid(market, listing)
    assert Notification.objects.filter(recipient_enterprise=market.seller, kind="bid_received")
    bid = services.accept_bid(actor=market.seller_user, bid=bid)
    assert bid.status == BidStatus.ACCEPTED
    contract = bid.contract
    assert contract.status == ContractStatus.DRAFT
    assert (contract.seller, contract.buyer, contract.quantity_kg) == (
        market.seller, market.buyer, 400_000)  # fmt: skip
    assert contract.unit_price == Decimal("430.00") and contract.region == market.world.haicheng
    assert Notification.objects.filter(recipient_enterprise=market.buyer, kind="bid_accepted")
    listing.refresh_from_db()
    assert listing.accepted_kg == 400_000 and listing.status == ListingStatus.OPEN
    services.submit_contract(actor=market.seller_user, contract=contract)
    contract = services.approve_contract(
        actor=market.world.user("haicheng_operator"), contract=contract
    )
    assert contract.status == ContractStatus.APPROVED
    assert contract.approved_by == market.world.user("haicheng_operator")
    assert contract.floor_price == Decimal("380.00")
    assert Notification.objects.filter(recipient_enterprise=market.buyer,
                                       kind="contract_approved").exists()  # fmt: skip


def test_accepting_the_rest_sells_the_listing_out_and_more_is_refused(market) -> None:
    listing = services.create_listing(**listing_terms(market, quantity_kg=500_000)).listing
    first, second = _bid(market, listing, kg=300_000), _bid(market, listing, kg=300_000)
    services.accept_bid(actor=market.seller_user, bid=first)
    with pytest.raises(DomainError) as refused:
        services.accept_bid(actor=market.seller_user, bid=second)
    assert refused.value.code == "listing_oversold" and refused.value.status == 409
    assert "200.00" in refused.value.message_in("en")
    second.refresh_from_db()
    assert second.status == BidStatus.PENDING
    services.accept_bid(actor=market.seller_user, bid=second, quantity_kg=200_000)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SOLD and listing.accepted_kg == 500_000


def test_listing_cannot_exceed_uncommitted_quota(market) -> None:
    services.create_contract(**contract_terms(market, quantity_kg=60_000_000))
    room = quota_room(market.mine, market.today.year)
    assert room.available_kg == 40_000_000
    with pytest.raises(DomainError) as refused:
        services.create_listing(**listing_terms(market, quantity_kg=40_000_001))
    assert refused.value.code == "over_quota"
    assert not Listing.objects.exists()
    services.create_listing(**listing_terms(market, quantity_kg=40_000_000))


def test_quota_check_can_warn_instead(market, settings) -> None:
    settings.OL_TRADE_LISTING_QUOTA_CHECK = "warn"
    result = services.create_listing(**listing_terms(market, quantity_kg=200_000_000))
    assert result.listing.pk and result.warnings


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"quantity_kg": 0}, "quantity_not_positive"),
        ({"quantity_kg": -5}, "quantity_not_positive"),
        ({"valid_to": datetime.date(2000, 1, 1)}, "validity_reversed"),
        ({"buyer": "seller"}, "buyer_is_seller"),
        ({"destination_site": "rival_plant"}, "destination_not_buyers"),
        ({"origin_site": "plant"}, "origin_not_sellers"),
    ],
)
def test_bad_contracts_are_refused_and_change_nothing(market, overrides, code) -> None:
    resolved = {k: getattr(market, v) if isinstance(v, str) else v for k, v in overrides.items()}
    before = Contract.objects.count()
    with pytest.raises(DomainError) as refused:
        services.create_contract(**contract_terms(market, **resolved))
    assert refused.value.code == code
    assert refused.value.message_in("zh-hans") != refused.value.message_in("en")
    assert Contract.objects.count() == before


def test_unknown_grade_is_refused(market) -> None:
    with pytest.raises(DomainError) as refused:
        grade_for("LM-99", market.today)
    assert refused.value.code == "unknown_grade"
    with pytest.raises(DomainError) as refused:
        grade_for("LM-46", datetime.date(1999, 1, 1))
    assert refused.value.code == "no_grading_standard"


def test_bad_bids_are_refused(market) -> None:
    listing = services.create_listing(**listing_terms(market)).listing
    with pytest.raises(DomainError) as refused:
        _bid(market, listing, kg=0)
    assert refused.value.code == "quantity_not_positive"
    with pytest.raises(DomainError) as refused:
        services.place_bid(actor=market.buyer_user, listing=listing,
                           destination_site=market.rival_plant, price=Decimal(1),
                           quantity_kg=1000)  # fmt: skip
    assert refused.value.code == "destination_not_buyers"
    with pytest.raises(DomainError) as refused:
        _bid(market, listing, kg=2_000_000)
    assert refused.value.code == "listing_oversold"
    assert not Bid.objects.exists()


def test_price_below_floor_needs_the_province_and_a_reason(market, monkeypatch) -> None:
    raised = []
    monkeypatch.setattr(hooks, "price_below_floor", lambda **kw: raised.append(kw))
    contract = services.create_contract(**contract_terms(market, unit_price=Decimal("300.00")))
    services.submit_contract(actor=market.seller_user, contract=contract)
    with pytest.raises(DomainError) as refused:
        services.approve_contract(actor=market.world.user("haicheng_operator"), contract=contract)
    assert refused.value.code == "price_below_floor"
    province = market.world.user("province_officer")
    with pytest.raises(DomainError) as refused:
        services.approve_contract(actor=province, contract=contract)
    assert refused.value.code == "override_needs_reason"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUBMITTED and not raised
    contract = services.approve_contract(actor=province, contract=contract,
                                         override_reason="灾后重建专项保供")  # fmt: skip
    assert contract.status == ContractStatus.APPROVED
    assert (contract.override_by, contract.override_reason) == (province, "灾后重建专项保供")
    assert contract.price_below_floor and raised[0]["floor_yuan"] == Decimal("380.00")


def test_return_and_resubmit(market) -> None:
    contract = services.create_contract(**contract_terms(market))
    services.submit_contract(actor=market.buyer_user, contract=contract)
    operator = market.world.user("haicheng_operator")
    with pytest.raises(DomainError):
        services.return_contract(actor=operator, contract=contract, note=" ")
    contract = services.return_contract(actor=operator, contract=contract, note="单价有误")
    assert contract.status == ContractStatus.DRAFT and contract.return_note == "单价有误"
    assert Notification.objects.filter(kind="contract_returned").count() == 2
    contract = services.update_contract(actor=market.seller_user, contract=contract,
                                        unit_price=Decimal("410"))  # fmt: skip
    assert contract.unit_price == Decimal("410.00")
    services.submit_contract(actor=market.seller_user, contract=contract)


def test_a_county_cannot_approve_another_countys_contract(market) -> None:
    contract = services.create_contract(**contract_terms(market))
    services.submit_contract(actor=market.seller_user, contract=contract)
    with pytest.raises(DomainError) as refused:
        services.approve_contract(actor=market.world.user("dashiqiao_operator"), contract=contract)
    assert refused.value.status == 404
    with pytest.raises(DomainError) as refused:
        services.approve_contract(actor=market.seller_user, contract=contract)
    assert refused.value.status == 403


def test_amendment_replaces_the_contract_on_approval(market) -> None:
    operator = market.world.user("haicheng_operator")
    contract = services.create_contract(**contract_terms(market))
    services.submit_contract(actor=market.seller_user, contract=contract)
    services.approve_contract(actor=operator, contract=contract)
    assert deliver_on_contract(contract_id=contract.pk, net_kg=34_000)
    amendment = services.amend_contract(actor=market.seller_user, contract=contract,
                                        quantity_kg=8_000_000)  # fmt: skip
    assert amendment.number == f"{contract.number}-A1" and amendment.status == "draft"
    services.submit_contract(actor=market.seller_user, contract=amendment)
    amendment = services.approve_contract(actor=operator, contract=amendment)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert amendment.delivered_kg == 34_000 and amendment.max_delivery_kg == 8_160_000


def test_floor_prices_keep_history(market) -> None:
    province = market.world.user("province_officer")
    grade = market.grade("LM-45")
    new = services.set_floor_price(actor=province, grade=grade, valid_from=market.today,
                                   floor_yuan=Decimal("275"))  # fmt: skip
    old = FloorPrice.objects.get(grade=grade, valid_from__lt=market.today)
    assert old.valid_to == market.today - datetime.timedelta(days=1)
    assert new.valid_to is None and new.floor_yuan == Decimal("275.00")
    with pytest.raises(DomainError) as refused:
        services.set_floor_price(actor=market.world.user("haicheng_operator"), grade=grade,
                                 valid_from=market.today, floor_yuan=Decimal(1))  # fmt: skip
    assert refused.value.status == 403


def test_price_index_weights_by_tonnage(market) -> None:
    operator = market.world.user("haicheng_operator")
    for kg, price in ((1_000_000, "400.00"), (3_000_000, "440.00")):
        terms = contract_terms(market, quantity_kg=kg, unit_price=Decimal(price))
        contract = services.create_contract(**terms)
        services.submit_contract(actor=market.seller_user, contract=contract)
        services.approve_contract(actor=operator, contract=contract)
    deliver_on_contract(contract_id=contract.pk, net_kg=30_000)
    index = price_index(weeks=4)
    (grade,) = index["grades"]
    week = grade["weeks"][-1]
    assert grade["grade"] == "LM-46"
    assert (week["approved_kg"], week["approved_avg"]) == (4_000_000, "430.00")
    assert (week["delivered_kg"], week["delivered_avg"]) == (30_000, "440.00")
