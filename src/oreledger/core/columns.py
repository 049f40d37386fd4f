"""A list's columns and the workbook they write: what lists and exports share.

`core.listing` shows the columns as pages; `core.exports` writes them as workbooks, at once or
as a background job. Both stand on this module, so neither needs the other to be imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from oreledger.core.cells import TEXT, Kind, formula_like, kind_of


@dataclass(frozen=True)
class Column:
    """One column of a list: what it shows, its header, how it sorts and how it is written."""

    key: str
    label: str | Promise
    # The ORM ordering for this column, or None when it cannot be sorted.
    order_by: str | None = None
    # How to read the value from a row; defaults to the attribute path in `key`.
    value: Callable[[Any], Any] | None = None
    link: bool = False
    numeric: bool = False
    # What kind of figure the column holds (core.cells); None: told by the value's type.
    kind: Kind | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind.numeric:
            object.__setattr__(self, "numeric", True)

    def read(self, row: Any) -> Any:
        """The raw value of this column for `row`."""
        if self.value is not None:
            return self.value(row)
        value: Any = row
        for part in self.key.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        display = getattr(row, f"get_{self.key}_display", None)
        if "." not in self.key and callable(display):
            return display()
        return value

    def kind_for(self, value: Any) -> Kind:
        """The column's kind, or the one its value's type suggests."""
        return self.kind or kind_of(self.numeric, value)

    def cell(self, row: Any) -> tuple[Any, str]:
        """The cell as the page shows it, and its CSS classes."""
        value = self.read(row)
        kind = self.kind_for(value)
        if value is None:
            return "", ""
        classes = " ".join(
            name for name, on in (("num", kind.numeric), ("nowrap", kind.nowrap)) if on
        )
        return kind.show(value), classes

    def exported(self, row: Any) -> tuple[Any, str | None]:
        """The workbook cell's value, and the Excel number format that writes it like the page."""
        value = self.read(row)
        kind = self.kind_for(value)
        if value is None:
            return "", None
        return kind.export(value), kind.xlsx_format


def _width(column: Column) -> float:
    """A readable column width in the workbook (CJK characters count double)."""
    label = str(column.label)
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
    kind = column.kind or TEXT
    return float(max(wide + 2, 14 if kind.numeric else 12))


def write_workbook(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
    every: int = 500,
) -> int:
    """Write the rows as an .xlsx workbook to `out`: headers in the active language, numbers
    as numbers with the page's decimals. Calls `progress(done)` every `every` rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "data")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.freeze_panes = "A2"
    sheet.append([str(col.label) for col in columns])
    done = 0
    for row in rows:
        cells: list[Any] = []
        for col in columns:
            value, number_format = col.exported(row)
            if number_format and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            elif formula_like(value):
                # Stored as text, so a name beginning with "=" is never a live formula.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        done += 1
        if progress is not None and done % every == 0:
            progress(done)
    workbook.save(out)
    return done


def export_file_name(title: str, allow_unicode: bool = False) -> str:
    """The download's file name: the title (its Latin letters unless `allow_unicode`, or
    "export") and the local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{slugify(title, allow_unicode=allow_unicode) or 'export'}-{stamp}.xlsx"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    title: str, columns: Sequence[Column], rows: Any, filename: str | None = None
) -> HttpResponse:
    """The rows as an .xlsx workbook to download, with the headers in the active language."""
    buffer = BytesIO()
    write_workbook(title, columns, rows, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{filename or export_file_name(title)}"'
    )
    return response


@dataclass
class ExportSource:
    """What an export writes: its title, columns and rows, and how many rows there are."""

    title: str | Promise
    columns: Sequence[Column]
    rows: Iterable[Any]
    total: int
