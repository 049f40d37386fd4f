"""How one value of a list is written: as a table cell on the page and as a workbook cell.

A column says what kind of figure it holds (tonnes from kilograms, money, a count, a code);
the kind writes it through `core.numbers` on the page, keeps it a number in the export with
the same decimals as an Excel number format, and says whether the cell may wrap.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.core import numbers

# A spreadsheet reads a cell that begins with one of these as a formula (CSV always, xlsx when
# the cell is stored as a formula): text typed by anyone must never run in the reader's Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """Whether a text would be read as a formula by a spreadsheet."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as the text it is (a leading quote, as OWASP advises)."""
    return "'" + value if formula_like(value) else value


def shown(value: Any) -> Any:
    """A value as a table cell shows it: booleans as yes/no in the person's language."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def cell_text(value: Any) -> Any:
    """A value as an exported cell: numbers stay numbers, dates local, the rest text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _exported_number(places: Decimal) -> Callable[[Any], Any]:
    def export(value: Any) -> Any:
        number = numbers._decimal(value)
        return "" if number is None else number.quantize(places)

    return export


@dataclass(frozen=True)
class Kind:
    """A kind of value: how the page writes it, what the workbook stores, whether it wraps."""

    name: str
    show: Callable[[Any], Any]
    export: Callable[[Any], Any] = cell_text
    xlsx_format: str | None = None
    numeric: bool = False
    nowrap: bool = False


TONNES_KG = Kind(
    "tonnes",
    numbers.tonnes,
    lambda kg: "" if kg is None else numbers.kg_to_tonnes(kg),
    numbers.XLSX_TWO_DECIMALS,
    numeric=True,
    nowrap=True,
)
TONNES = Kind(
    "tonnes_figure",
    numbers.tonnes_figure,
    _exported_number(numbers.TWO),
    numbers.XLSX_TWO_DECIMALS,
    numeric=True,
    nowrap=True,
)
MONEY = Kind(
    "money",
    numbers.money,
    _exported_number(numbers.TWO),
    numbers.XLSX_TWO_DECIMALS,
    numeric=True,
    nowrap=True,
)
DECIMAL = Kind(
    "decimal",
    numbers.decimal_figure,
    _exported_number(numbers.TWO),
    numbers.XLSX_TWO_DECIMALS,
    numeric=True,
    nowrap=True,
)
COUNT = Kind(
    "count",
    numbers.count,
    _exported_number(numbers.WHOLE),
    numbers.XLSX_WHOLE,
    numeric=True,
    nowrap=True,
)
KILOGRAMS = Kind(
    "kilograms",
    numbers.kilograms,
    _exported_number(numbers.WHOLE),
    numbers.XLSX_WHOLE,
    numeric=True,
    nowrap=True,
)
PERCENT = Kind(
    "percent",
    numbers.percent,
    _exported_number(numbers.ONE),
    numbers.XLSX_ONE_DECIMAL,
    numeric=True,
    nowrap=True,
)
# Numbers, plates, codes, credit codes: one line, never broken in the middle.
CODE = Kind("code", shown, nowrap=True)
TEXT = Kind("text", shown)


def kind_of(numeric: bool, value: Any) -> Kind:
    """The kind of a column that did not name one: numbers by their type, else text."""
    if numeric and not isinstance(value, bool):
        if isinstance(value, int):
            return COUNT
        if isinstance(value, float | Decimal):
            return DECIMAL
    if isinstance(value, datetime.date):
        return CODE  # dates and times stay on one line
    return TEXT
