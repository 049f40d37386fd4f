"""How fast the register-workbook reader parses a 100,000-row, 10-column sheet.

Run from the project root: `.venv/bin/python bench/bench_workbook_read.py [ROWS]`.
Prints rows/s (median of 3) for the whole read (openpyxl + converting and checking cells)
and for converting and checking alone, on rows already read, to tell the two costs apart.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import django
from django.conf import settings

if not settings.configured:
    settings.configure(USE_I18N=False)
django.setup()

from openpyxl import Workbook  # noqa: E402

from oreledger.core.workbook import (  # noqa: E402
    Column,
    ColumnKind,
    SheetSchema,
    read_sheet,
    read_workbook,
    write_sheet,
)

SCHEMA = SheetSchema(
    "sites",
    (
        Column("code", "编码", ColumnKind.TEXT, True, True, max_length=64),
        Column("enterprise_uscc", "企业信用代码", ColumnKind.TEXT, True, False, max_length=18),
        Column("kind", "类型", ColumnKind.CHOICE, True, False, choices=("mine", "plant", "yard")),
        Column("name", "名称", ColumnKind.TEXT, True, False, max_length=200),
        Column("region_code", "区域代码", ColumnKind.TEXT, True, False, max_length=12),
        Column("lat", "纬度", ColumnKind.DECIMAL, True, False, min_value=-90, max_value=90),
        Column("lon", "经度", ColumnKind.DECIMAL, True, False, min_value=-180, max_value=180),
        Column("capacity_t", "年产能/吨", ColumnKind.DECIMAL, False, False, min_value=0),
        Column("opened_on", "投产日期", ColumnKind.DATE, True, False),
        Column("workers", "职工人数", ColumnKind.INTEGER, False, False, min_value=0),
    ),
)


def make_rows(count: int) -> Iterator[dict[str, Any]]:
    """Plausible site rows, all valid."""
    opened = dt.date(2018, 3, 1)
    for i in range(count):
        yield {
            "code": f"HC-{i:06d}",
            "enterprise_uscc": f"91210381MA{i:08d}",
            "kind": ("mine", "plant", "yard")[i % 3],
            "name": f"海城第{i}号场所",
            "region_code": "210381",
            "lat": Decimal("40.88") + Decimal(i % 1000) / 10000,
            "lon": Decimal("122.68") + Decimal(i % 700) / 10000,
            "capacity_t": Decimal(300000 + i),
            "opened_on": opened + dt.timedelta(days=i % 2000),
            "workers": 20 + i % 300,
        }


def make_workbook(count: int) -> bytes:
    """A workbook holding one sites sheet of count rows, as openpyxl writes it."""
    wb = Workbook(write_only=True)
    write_sheet(wb, SCHEMA, make_rows(count))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class _RowsAlreadyRead:
    """A sheet stand-in that hands out rows already read, to time the conversion alone."""

    parent = None
    title = SCHEMA.name

    def __init__(self, lines: list[tuple[Any, ...]]) -> None:
        self.lines = lines

    def iter_rows(self, min_row: int, values_only: bool) -> Iterator[tuple[Any, ...]]:
        """The stored rows, header first."""
        return iter(self.lines)


def median_rate(count: int, run: Callable[[], int]) -> float:
    """Median rows/s of three runs, checking each run read every row."""
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        read = run()
        elapsed = time.perf_counter() - start
        if read != count:
            raise SystemExit(f"read {read} rows, expected {count}")
        rates.append(count / elapsed)
    return statistics.median(rates)


def main() -> None:
    """Generate the sheet, time both readings, print rows/s."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = make_workbook(count)
    print(f"{count} rows x {len(SCHEMA.columns)} columns, {len(data) / 1e6:.1f} MB .xlsx")

    def whole() -> int:
        contents = read_workbook(io.BytesIO(data), [SCHEMA])
        assert contents.ok, contents.errors[:3]
        return len(contents.rows_of(SCHEMA.name))

    lines: list[tuple[Any, ...]] = [tuple(column.key for column in SCHEMA.columns)]
    for values in make_rows(count):
        line = [values[column.key] for column in SCHEMA.columns]
        # Shaped as openpyxl returns cells: floats for numbers, datetimes for dates.
        line[5], line[6], line[7] = float(line[5]), float(line[6]), float(line[7])
        line[8] = dt.datetime.combine(line[8], dt.time())
        lines.append(tuple(line))
    sheet: Any = _RowsAlreadyRead(lines)

    def conversion_only() -> int:
        rows, errors = read_sheet(sheet, SCHEMA)
        assert not errors, errors[:3]
        return len(rows)

    print(f"whole read (openpyxl + conversion): {median_rate(count, whole):>10,.0f} rows/s")
    print(
        f"conversion and checks alone:        {median_rate(count, conversion_only):>10,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
