"""How figures are written wherever people read them: tonnes, money, counts and shares.

One function per kind of figure, used by every table, card, template filter and export, so a
tonnage reads "530,000.00" on the list, on the account's card and in the workbook alike.
Tonnes always carry two decimals; money two decimals of its unit (yuan, yuan/t); counts and
kilograms are whole numbers; shares one decimal. Thousands are separated by commas (the
Chinese convention for figures, 千分位).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MISSING = "—"

TWO = Decimal("0.01")
ONE = Decimal("0.1")
WHOLE = Decimal("1")

# The same shapes as Excel number formats: the workbook shows what the page shows, while
# its cells stay numbers a clerk can add up.
XLSX_TWO_DECIMALS = "#,##0.00"
XLSX_ONE_DECIMAL = "#,##0.0"
XLSX_WHOLE = "#,##0"


def _decimal(value: Any) -> Decimal | None:
    """The value as a Decimal, or None when it is missing or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def _written(value: Decimal, step: Decimal) -> str:
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    places = max(0, -step.as_tuple().exponent)  # type: ignore[operator]
    return f"{rounded:,.{places}f}"


def kg_to_tonnes(kg: Any) -> Decimal | None:
    """Integer kilograms as exact tonnes (Decimal, two places), for exports and sums."""
    value = _decimal(kg)
    return None if value is None else (value / 1000).quantize(TWO, rounding=ROUND_HALF_UP)


def tonnes(kg: Any) -> str:
    """Integer kilograms written as tonnes: "530,000.00"."""
    value = _decimal(kg)
    return MISSING if value is None else _written(value / 1000, TWO)


def tonnes_figure(t: Any) -> str:
    """A figure already in tonnes (dashboards compute in tonnes) written as "1,234.50"."""
    value = _decimal(t)
    return MISSING if value is None else _written(value, TWO)


def money(yuan: Any) -> str:
    """An amount of money in its unit (yuan, yuan/t) with two decimals: "1,600.00"."""
    value = _decimal(yuan)
    return MISSING if value is None else _written(value, TWO)


def count(n: Any) -> str:
    """A count of things (trucks, tickets, records) as a whole number: "4,967"."""
    value = _decimal(n)
    return MISSING if value is None else _written(value, WHOLE)


def kilograms(kg: Any) -> str:
    """Kilograms where the kilogram matters (tare, discrepancy) as a whole number: "-1,240"."""
    return count(kg)


def percent(share: Any) -> str:
    """A share in percent with one decimal, without the sign: "12.5"."""
    value = _decimal(share)
    return MISSING if value is None else _written(value, ONE)


def decimal_figure(value: Any) -> str:
    """Any other measured figure (a rate, an assay share) with two decimals: "292.90"."""
    return money(value)
