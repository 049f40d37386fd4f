"""The kinds of column the province bundle's sheets are made of (docs/specs/province-bundle.md).

Each app declares the sheets it owns in its `bundle.py` with these builders. Choice lists
are the spec's, spelled out beside each sheet rather than borrowed from the models, so that
widening a model's vocabulary does not silently widen the bundle contract.
"""

from __future__ import annotations

from decimal import Decimal

from oreledger.core.workbook import Column, ColumnKind

__all__ = [
    "CODE_LENGTH",
    "NAME_LENGTH",
    "REGION_CODE_LENGTH",
    "choice",
    "code",
    "date",
    "decimal",
    "integer",
    "lat_lon",
    "percent",
    "region_code",
    "site_code",
    "text",
    "tonnes",
    "uscc",
    "yes_no",
]

# Generous bounds: they catch a slipped unit or a pasted paragraph, not domain rules.
CODE_LENGTH = 64
NAME_LENGTH = 200
USCC_LENGTH = 18
REGION_CODE_LENGTH = 12
PERCENT_MIN = Decimal(0)
PERCENT_MAX = Decimal(100)


def text(
    key: str, label: str, *, required: bool = True, is_key: bool = False, max_length: int
) -> Column:
    """A text cell of at most `max_length` characters."""
    return Column(key, label, ColumnKind.TEXT, required, is_key, max_length=max_length)


def choice(key: str, label: str, choices: tuple[str, ...], *, required: bool = True) -> Column:
    """One of the spec's codes."""
    return Column(key, label, ColumnKind.CHOICE, required, False, choices=choices)


def decimal(
    key: str,
    label: str,
    *,
    required: bool = True,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> Column:
    """A decimal number within optional bounds."""
    return Column(
        key, label, ColumnKind.DECIMAL, required, False, min_value=min_value, max_value=max_value
    )


def integer(
    key: str,
    label: str,
    *,
    is_key: bool = False,
    min_value: int | None = None,
    max_value: int | None = None,
) -> Column:
    """A whole number within optional bounds (always required)."""
    return Column(
        key, label, ColumnKind.INTEGER, True, is_key, min_value=min_value, max_value=max_value
    )


def date(key: str, label: str, *, required: bool = True, is_key: bool = False) -> Column:
    """An ISO or Excel date."""
    return Column(key, label, ColumnKind.DATE, required, is_key)


def yes_no(key: str, label: str) -> Column:
    """An optional yes or no."""
    return Column(key, label, ColumnKind.BOOL_YES_NO, False, False)


def code(key: str, label: str = "编码") -> Column:
    """The code that identifies a row (a key column)."""
    return text(key, label, is_key=True, max_length=CODE_LENGTH)


def uscc(key: str, label: str, *, required: bool = True, is_key: bool = False) -> Column:
    """A 统一社会信用代码; its GB 32100 checksum is checked by the importer."""
    return text(key, label, required=required, is_key=is_key, max_length=USCC_LENGTH)


def region_code(
    key: str = "region_code", label: str = "区域代码", *, required: bool = True
) -> Column:
    """A GB/T 2260 region code."""
    return text(key, label, required=required, max_length=REGION_CODE_LENGTH)


def site_code(key: str, label: str, *, required: bool = True, is_key: bool = False) -> Column:
    """The code of a mine, plant or yard."""
    return text(key, label, required=required, is_key=is_key, max_length=CODE_LENGTH)


def tonnes(key: str, label: str, *, required: bool = True) -> Column:
    """A tonnage, never negative."""
    return decimal(key, label, required=required, min_value=Decimal(0))


def percent(key: str, label: str, *, required: bool) -> Column:
    """A share between 0 and 100."""
    return decimal(key, label, required=required, min_value=PERCENT_MIN, max_value=PERCENT_MAX)


def lat_lon() -> tuple[Column, Column]:
    """Latitude and longitude in degrees."""
    return (
        decimal("lat", "纬度", min_value=Decimal(-90), max_value=Decimal(90)),
        decimal("lon", "经度", min_value=Decimal(-180), max_value=Decimal(180)),
    )
