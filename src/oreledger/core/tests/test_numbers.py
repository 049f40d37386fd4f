"""Figures are written one way everywhere: tonnes and money with two decimals and thousands
separators, counts whole, on the list, on a record's card and in the export."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from oreledger.core import numbers
from oreledger.trade import services
from oreledger.trade.models import Contract
from oreledger.trade.tests.market import build_market, contract_terms


def test_each_kind_of_figure_is_written_one_way() -> None:
    assert numbers.tonnes(530_000_000) == "530,000.00"
    assert numbers.tonnes(31_825) == "31.83"  # half up, not to even
    assert numbers.tonnes(-4) == "0.00"  # never "-0.00"
    assert numbers.tonnes(None) == "—"
    assert numbers.tonnes_figure(121911.655) == "121,911.66"
    assert numbers.money(Decimal("1600")) == "1,600.00"
    assert numbers.count(4967) == "4,967"
    assert numbers.kilograms(-1240) == "-1,240"
    assert numbers.percent(12.35) == "12.4"
    assert numbers.kg_to_tonnes(530_000_005) == Decimal("530000.01")


@pytest.fixture
def contract(world: Any) -> Contract:
    """An approved Haicheng contract of 53,000 t at 1,600 yuan/t."""
    market = build_market(world)
    terms = contract_terms(market, quantity_kg=53_000_000, unit_price=Decimal("1600.00"))
    draft = services.create_contract(**terms)
    services.submit_contract(actor=market.seller_user, contract=draft)
    return services.approve_contract(actor=world.user("haicheng_operator"), contract=draft)


def test_the_contract_list_writes_tonnes_and_money_alike(world: Any, contract: Contract) -> None:
    # when the county operator opens the contract list
    page = world.client("haicheng_operator").get("/trade/contracts/")
    row = next(cells for r, cells in page.context["rows"] if r.pk == contract.pk)
    shown = {col.key: (value, classes) for col, value, classes in row}
    # then tonnes and the price have two decimals and separators, on one line, right-aligned
    assert shown["quantity_kg"] == ("53,000.00", "num nowrap")
    assert shown["delivered_kg"] == ("0.00", "num nowrap")
    assert shown["unit_price"] == ("1,600.00", "num nowrap")
    # and the contract number is a code that does not wrap
    assert shown["number"] == (contract.number, "nowrap")
    html = page.content.decode()
    assert '<td class="num nowrap">53,000.00</td>' in html
    assert '<td class="num nowrap">1,600.00</td>' in html


def test_the_export_keeps_numbers_with_the_pages_decimals(world: Any, contract: Contract) -> None:
    response = world.client("haicheng_operator").get("/trade/contracts/?export=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[4:7] == ["数量（吨）", "已交付（吨）", "单价（元/吨）"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == contract.number)
    # numbers a clerk can add up, shown as the page shows them
    assert [cell.value for cell in row[4:7]] == [53000, 0, 1600]
    assert [cell.number_format for cell in row[4:7]] == ["#,##0.00"] * 3
    assert sheet.freeze_panes == "A2"


def test_the_contract_card_writes_the_same_figures(world: Any, contract: Contract) -> None:
    page = world.client("enterprise_user").get(contract.get_absolute_url()).content.decode()
    assert "53,000.00 t" in page
    assert 'data-testid="unit-price">1,600.00 元/吨' in page
    assert "84,800,000.00 元" in page  # the amount: 53,000 t × 1,600 yuan/t
