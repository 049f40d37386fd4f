"""Who sees and acts on which listings, bids and contracts (404 outside, nothing changed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory
from oreledger.trade import services
from oreledger.trade.models import Bid, Contract, Listing, Notification
from oreledger.trade.tests.market import build_market, contract_terms, listing_terms
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

WATCH = [Contract, Listing, Bid, Notification]


@pytest.fixture
def market(world):
    return build_market(world)


@pytest.fixture
def foreign(market):
    """A Dashiqiao mine selling to the Dashiqiao trader: none of the persona's business."""
    world = market.world
    seller = EnterpriseFactory(name="大石桥市金鼎镁矿有限公司", region=world.dashiqiao)
    mine = SiteFactory(code="DSQ-M-001", enterprise=seller, kind="mine", name="金鼎矿")
    contract = services.create_contract(**contract_terms(
        market, actor=None, seller=seller, origin_site=mine, buyer=market.rival,
        destination_site=market.rival_plant))  # fmt: skip
    return contract


def test_contract_page_is_seen_by_parties_and_regions_only(market, foreign) -> None:
    url = foreign.get_absolute_url()
    check_matrix(market.world, lambda c: c.get(url), {
        "province_officer": 200, "haicheng_operator": 404, "dashiqiao_operator": 200,
        "department_officer": 404, "enterprise_user": 404, "anonymous": 302,
    })  # fmt: skip


def test_contract_api_by_number(market, foreign) -> None:
    url = f"/api/v1/contracts/{foreign.number}"
    responses = check_matrix(market.world, lambda c: c.get(url), {
        "province_officer": 200, "haicheng_operator": 404, "dashiqiao_operator": 200,
        "department_officer": 404, "enterprise_user": 404, "anonymous": 401,
    }, api=True)  # fmt: skip
    body = responses["dashiqiao_operator"].json()
    assert body["number"] == foreign.number
    assert (body["quantity_kg"], body["delivered_kg"], body["remaining_kg"], body["status"]) == (
        5_000_000, 0, 5_000_000, "draft")  # fmt: skip
    assert body["unit_price"] == "400.00"
    assert responses["enterprise_user"].json()["error"]["code"]


def test_another_enterprise_cannot_accept_or_see_a_bid(market) -> None:
    listing = services.create_listing(**listing_terms(market)).listing
    bid = services.place_bid(actor=market.rival_user, listing=listing,
                             destination_site=market.rival_plant, price=Decimal("430"),
                             quantity_kg=100_000)  # fmt: skip
    client = market.world.client("anonymous")
    client.force_login(market.buyer_user)
    before = (Bid.objects.get(pk=bid.pk).status, Contract.objects.count())
    assert client.post(f"/trade/bids/{bid.pk}/accept/").status_code == 404
    assert client.post(f"/trade/bids/{bid.pk}/withdraw/").status_code == 404
    assert client.get(f"/api/v1/bids/{bid.pk}/").status_code == 404
    assert (Bid.objects.get(pk=bid.pk).status, Contract.objects.count()) == before
    # The county sees the bid but may not accept it for the seller.
    accept = f"/trade/bids/{bid.pk}/accept/"
    check_matrix(market.world, lambda c: c.post(accept, {"confirmed": "1"}), {
        "province_officer": 403, "haicheng_operator": 403, "dashiqiao_operator": 404,
        "department_officer": 403, "enterprise_user": 302, "anonymous": 302,
    }, watch=WATCH[:-1])  # fmt: skip
    bid.refresh_from_db()
    assert bid.status == "accepted"


def test_contract_of_others_cannot_be_submitted(market, foreign) -> None:
    url = f"/trade/contracts/{foreign.number}/submit/"
    check_matrix(market.world, lambda c: c.post(url), {
        "province_officer": 302, "haicheng_operator": 404, "dashiqiao_operator": 302,
        "department_officer": 404, "enterprise_user": 404, "anonymous": 302,
    }, watch=WATCH)  # fmt: skip


def test_lists_show_only_what_is_in_scope(market, foreign) -> None:
    own = services.create_contract(**contract_terms(market))
    client = market.world.client("enterprise_user")
    page = client.get("/trade/contracts/").content.decode()
    assert own.number in page and foreign.number not in page
    api = market.world.api("enterprise_user").get("/api/v1/contracts/").json()
    assert [row["number"] for row in api["results"]] == [own.number]
    rival = market.world.client("anonymous")
    rival.force_login(market.rival_user)
    assert own.number not in rival.get("/trade/contracts/").content.decode()


def test_price_index_is_public(market) -> None:
    client = market.world.client("anonymous")
    page = client.get("/trade/prices/")
    assert (page.status_code, page["Location"]) == (302, "/public/prices/")
    client.force_login(market.world.user("haicheng_operator"))
    page = client.get("/trade/prices/")
    assert page.status_code == 200 and b"price-index-data" in page.content
    assert client.get("/api/v1/price-index").json()["weeks"]


def test_every_page_renders_for_its_people(market, foreign) -> None:
    listing = services.create_listing(**listing_terms(market)).listing
    services.place_bid(actor=market.buyer_user, listing=listing, destination_site=market.plant,
                       price=Decimal("430"), quantity_kg=100_000)  # fmt: skip
    services.submit_contract(actor=None, contract=foreign)
    pages = ["/trade/listings/", "/trade/contracts/", "/trade/floor-prices/",
             "/trade/contracts/new/", "/trade/notifications/", listing.get_absolute_url(),
             "/trade/listings/?export=xlsx"]  # fmt: skip
    for name in ("enterprise_user", "province_officer", "dashiqiao_operator"):
        client = market.world.client(name)
        for url in [*pages, "/trade/approvals/", foreign.get_absolute_url()]:
            status = client.get(url).status_code
            assert status in (200, 404), (name, url, status)
    seller = market.world.client("enterprise_user")
    assert seller.get("/trade/listings/new/").status_code == 200
    assert "1 条未读" in seller.get("/trade/listings/").content.decode()
    assert foreign.number in market.world.client("dashiqiao_operator").get(
        "/trade/approvals/").content.decode()  # fmt: skip
    from oreledger.trade.dossier import contracts_context

    context = contracts_context(market.seller, market.world.user("province_officer"))
    assert context["contracts"] == []
