"""The contracts and floor_prices sheets of the province bundle."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook

from oreledger.core.bundle import import_bundle
from oreledger.trade import bundle as trade_bundle
from oreledger.trade.models import Contract, FloorPrice
from oreledger.trade.services import prepare_imported_contracts
from oreledger.trade.tests.market import build_market

pytestmark = pytest.mark.django_db


def _workbook(sheets: dict[str, list[dict]]) -> BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _sheets(market, **contract_overrides) -> dict[str, list[dict]]:
    year = market.today.year
    contract = {
        "number": f"HT-{year}-0031", "seller_uscc": market.seller.uscc,
        "buyer_uscc": market.buyer.uscc, "origin_site_code": market.mine.code,
        "destination_site_code": market.plant.code, "grade": "LM-46", "quantity_t": 20000,
        "unit_price_yuan": 412.5, "valid_from": datetime.date(year, 1, 1),
        "valid_to": datetime.date(year, 12, 31), "status": "approved",
    }  # fmt: skip
    contract.update(contract_overrides)
    return {
        "floor_prices": [
            {
                "grade": "LM-46",
                "valid_from": datetime.date(year, 3, 1),
                "valid_to": None,
                "floor_yuan": 390,
            },
        ],
        "contracts": [contract],
    }


def test_import_creates_then_changes_nothing(world) -> None:
    market = build_market(world)
    report = import_bundle(_workbook(_sheets(market)), actor=None)
    assert report.ok, [str(e) for e in report.errors]
    contract = Contract.objects.get(number=f"HT-{market.today.year}-0031")
    assert (contract.quantity_kg, str(contract.unit_price), contract.status) == (
        20_000_000, "412.50", "approved")  # fmt: skip
    assert contract.grade == market.grade("LM-46") and contract.region == world.haicheng
    assert contract.max_delivery_kg == 20_400_000 and contract.approved_at is not None
    assert FloorPrice.objects.filter(floor_yuan=390).exists()
    again = import_bundle(_workbook(_sheets(market)), actor=None)
    assert again.outcomes["contracts"].unchanged == 1
    assert again.outcomes["floor_prices"].unchanged == 1
    changed = import_bundle(_workbook(_sheets(market, quantity_t=25000)), actor=None)
    assert changed.outcomes["contracts"].updated == 1
    assert Contract.objects.get(pk=contract.pk).max_delivery_kg == 25_500_000


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"grade": "LM-99"}, "contracts!2: grade: 现行分级标准中没有品级 LM-99。"),
        ({"buyer_uscc": "seller"}, "contracts!2: buyer_uscc: 买方和卖方必须是不同的企业。"),
        ({"destination_site_code": "rival_plant"}, "contracts!2: destination_site_code: "
                                                   "收货场所必须是买方的加工厂或堆场。"),
        ({"quantity_t": 0}, "contracts!2: quantity_t: 吨数必须大于零。"),
        ({"valid_from": datetime.date(1999, 1, 1)},
         "contracts!2: valid_from: 1999-01-01 "),
    ],
)  # fmt: skip
def test_bad_rows_are_reported_and_nothing_is_written(world, overrides, message) -> None:
    market = build_market(world)
    resolved = {
        key: (market.seller.uscc if value == "seller" else
              market.rival_plant.code if value == "rival_plant" else value)
        for key, value in overrides.items()
    }  # fmt: skip
    report = import_bundle(_workbook(_sheets(market, **resolved)), actor=None)
    assert [str(e) for e in report.errors if str(e).startswith(message)]
    assert not Contract.objects.exists()
    assert not FloorPrice.objects.filter(floor_yuan=390).exists()


def test_a_row_breaking_a_contract_rule_is_refused_with_the_trade_service_s_code(
    world, monkeypatch
) -> None:
    # given the trade service watched as the importer asks it
    market = build_market(world)
    decided: list[Any] = []

    def watched(*, contracts):
        answers = prepare_imported_contracts(contracts=contracts)
        decided.extend(answers)
        return answers

    monkeypatch.setattr(trade_bundle, "prepare_imported_contracts", watched)
    # when a row's origin is the buyer's plant, not a mine of the seller
    report = import_bundle(
        _workbook(_sheets(market, origin_site_code=market.plant.code)), actor=None
    )
    # then the service refused it, and the row is reported on its origin with the service's
    # code (the one a contract registered on a page gets); nothing is written
    assert [getattr(answer, "code", None) for answer in decided] == ["origin_not_sellers"]
    assert [(e.sheet, e.column, e.code) for e in report.errors] == [
        ("contracts", "origin_site_code", "origin_not_sellers")
    ]
    assert not Contract.objects.exists()
