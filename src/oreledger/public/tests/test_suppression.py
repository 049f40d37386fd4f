"""One suppression rule for the public, and trade's own price index only for signed-in readers."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from oreledger.public.tests.portal import SECRET_PRICE, Portal, add_contract
from oreledger.trade.queries import too_few_to_publish

pytestmark = pytest.mark.django_db

# A second seller's LMT-47: with the first one's 987.65 the two-seller average is 799.38.
SECOND_PRICE = "611.11"
TWO_SELLER_AVERAGE = "799.38"


def test_one_and_two_enterprises_are_too_few_and_three_are_not() -> None:
    assert [too_few_to_publish(n) for n in range(5)] == [False, True, True, False, False]


def test_a_grade_week_of_two_sellers_is_withheld_on_every_public_surface(portal: Portal) -> None:
    # given LMT-47 sold this week by exactly two sellers
    add_contract(portal.market, 10, portal.sellers[1], portal.mines[1], "LMT-47", 500_000,
                 SECOND_PRICE)  # fmt: skip
    client = Client()
    # when the public reads the price table through its API
    rows = {row["grade"]: row for row in client.get("/api/v1/public/prices").json()["rows"]}
    # then the two-seller cell shows no tonnage and no price, and says it is withheld
    two = rows["LMT-47"]
    assert (two["contracted_t"], two["contracted_price"], two["suppressed"]) == (None, None, True)
    # while the three-seller grade of the same week is published
    assert rows["LM-46"]["contracted_price"] == "420.00"
    # and neither price nor the pair's average is on the page, the CSV or the xlsx
    page = client.get("/public/prices/").content.decode()
    csv_text = client.get("/public/prices/download/csv/").content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get("/public/prices/download/xlsx/").content))
    xlsx_text = " ".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row)
    for surface, text in (("page", page), ("csv", csv_text), ("xlsx", xlsx_text)):
        for secret in (SECRET_PRICE, SECOND_PRICE, TWO_SELLER_AVERAGE):
            assert secret not in text, (surface, secret)
    assert "—" in page and "—" in csv_text and "—" in xlsx_text


def test_trade_s_price_index_api_needs_a_signed_in_reader(portal: Portal) -> None:
    world = portal.market.world
    # an anonymous request is refused and pointed nowhere near the figures
    anonymous = world.api("anonymous").get("/api/v1/price-index?weeks=4")
    assert anonymous.status_code == 401
    assert SECRET_PRICE not in anonymous.content.decode()
    # an official reads every cell, the lone seller's price too
    official = world.api("province_officer").get("/api/v1/price-index?weeks=4").json()
    cells = {g["grade"]: g["weeks"][-1] for g in official["grades"]}
    assert cells["LMT-47"]["approved_avg"] == SECRET_PRICE
    # an enterprise, a market participant, reads it as the public does
    enterprise = world.api("enterprise_user").get("/api/v1/price-index?weeks=4").json()
    cells = {g["grade"]: g["weeks"][-1] for g in enterprise["grades"]}
    assert (cells["LMT-47"]["approved_kg"], cells["LMT-47"]["approved_avg"]) == (None, None)
    assert cells["LM-46"]["approved_avg"] == "420.00"
