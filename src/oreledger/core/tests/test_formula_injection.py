"""Exported cells never run as formulas in the reader's spreadsheet (xlsx lists, CSV figures)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from oreledger.core.cells import csv_safe, formula_like
from oreledger.dashboards.catalogue import FIGURES, export
from oreledger.registry.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

ATTACK = "-2+3+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("text", "risky"),
    [("=1+1", True), ("+86", True), (ATTACK, True), ("@SUM(A1)", True), ("\tx", True)],
)
def test_a_text_beginning_like_a_formula_is_recognised(text, risky) -> None:
    assert formula_like(text) is risky
    assert csv_safe(text) == "'" + text


def test_plain_text_and_numbers_pass_unchanged() -> None:
    assert (formula_like("海城矿业"), formula_like(-3), csv_safe(-3), csv_safe("A-1")) == (
        False,
        False,
        -3,
        "A-1",
    )


def test_a_list_export_writes_a_formula_name_as_text(world) -> None:
    # given an enterprise whose name was typed as a formula
    EnterpriseFactory(name='=HYPERLINK("http://evil.example","点我")', region=world.haicheng)
    # when the county operator exports the enterprise list
    response = world.client("haicheng_operator").get("/registry/enterprises/?export=xlsx")
    # then the name is a text cell holding exactly what was typed, not a formula
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert [(c.value, c.data_type) for c in cells] == [
        ('=HYPERLINK("http://evil.example","点我")', "s")
    ]


def test_the_dashboard_csv_neutralises_cells_that_begin_like_a_formula() -> None:
    # given a map figure whose site and enterprise names begin like formulas
    row = {"code": "HC-M-9", "name": ATTACK, "enterprise": "@SUM(1)", "alerts": 2, "lat": 40.8}
    # when it is exported as CSV
    response = export(FIGURES["map"], {"sites": [row]}, "csv")
    # then those cells are written as text with a leading quote; the others as they are
    text = response.content.decode("utf-8-sig")
    written = list(csv.reader(io.StringIO(text)))[1]
    assert written[:3] == ["HC-M-9", "'" + ATTACK, "'@SUM(1)"]
