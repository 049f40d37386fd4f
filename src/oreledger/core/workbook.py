"""Reading and writing the register workbooks (台账) that onboard a county or a province.

The reader knows nothing of models: a `SheetSchema` says which columns a sheet has and
how each cell is typed; `read_workbook` turns a workbook into typed rows plus every
error found, each located as `sheet!row: column: message` (docs/specs/province-bundle.md).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Literal

from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from oreledger.core.cells import formula_like

__all__ = [
    "CellError",
    "Column",
    "ColumnKind",
    "ParsedRow",
    "SheetSchema",
    "WorkbookContents",
    "read_sheet",
    "read_workbook",
    "write_sheet",
]


class ColumnKind(enum.StrEnum):
    """How the cells of a column are read."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"
    BOOL_YES_NO = "bool_yes_no"
    JSON = "json"


@dataclass(frozen=True)
class Column:
    """One column of a register sheet: its key, its Chinese label and how its cells are read."""

    key: str
    label_zh: str
    kind: ColumnKind
    required: bool
    is_key: bool
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    min_value: Decimal | int | None = None
    max_value: Decimal | int | None = None

    def __post_init__(self) -> None:
        if self.is_key and not self.required:
            raise ValueError(f"key column {self.key!r} must be required")
        if (self.kind is ColumnKind.CHOICE) != bool(self.choices):
            raise ValueError(f"column {self.key!r}: choices go with kind 'choice' only")


def _header_form(text: str) -> str:
    # NFKC folds full-width letters and slashes typed with a Chinese input method.
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class SheetSchema:
    """The columns one sheet of a register workbook may carry."""

    name: str
    columns: tuple[Column, ...]
    _by_header: dict[str, Column] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_header: dict[str, Column] = {}
        for column in self.columns:
            for header in {_header_form(column.key), _header_form(column.label_zh)}:
                if header in by_header:
                    raise ValueError(f"sheet {self.name!r}: header {header!r} names two columns")
                by_header[header] = column
        object.__setattr__(self, "_by_header", by_header)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        """The columns whose values identify a row (matched on re-import)."""
        return tuple(column for column in self.columns if column.is_key)

    def column_for_header(self, header: str) -> Column | None:
        """The column a header names, by key or by Chinese label; None when unknown."""
        return self._by_header.get(_header_form(header))


@dataclass(frozen=True)
class CellError:
    """One thing wrong in a workbook, located by sheet, Excel row and column key."""

    sheet: str
    row: int
    column: str
    code: str
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        if not self.column:
            return f"{self.sheet}!{self.row}: {self.message}"
        return f"{self.sheet}!{self.row}: {self.column}: {self.message}"


@dataclass(slots=True)
class ParsedRow:
    """One data row of a sheet with typed values; valid is False when one of its cells failed."""

    sheet: str
    row: int
    values: dict[str, Any]
    valid: bool = True


@dataclass
class WorkbookContents:
    """What a workbook holds: typed rows per sheet present (schema order) and every error."""

    rows: dict[str, list[ParsedRow]]
    errors: list[CellError]

    @property
    def ok(self) -> bool:
        """Whether the workbook can be imported as it is."""
        return not self.errors

    def rows_of(self, sheet: str) -> list[ParsedRow]:
        """The rows of one sheet, empty when the workbook lacks it."""
        return self.rows.get(sheet, [])


class _Rejected(Exception):
    """A cell value that cannot be read as its column's kind."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


# Error values Excel stores in a cell whose formula failed (e.g. a VLOOKUP that found nothing).
_EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_DATE_TEXT = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_YES_NO = {
    "yes": True, "no": False, "是": True, "否": False,
    "true": True, "false": False, "1": True, "0": False,
}  # fmt: skip
# Excel's calendar ends on 9999-12-31, serial 2958465.
_LAST_EXCEL_SERIAL = 2958465

_Parser = Callable[[Any], Any]


def _shown(raw: Any) -> str:
    text = str(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def _not_a_date(raw: Any) -> _Rejected:
    return _Rejected(
        "not_a_date",
        gettext("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": _shown(raw)},
    )


def _date_parser(epoch: dt.datetime) -> _Parser:
    def parse(raw: Any) -> dt.date:
        kind = raw.__class__
        if kind is dt.datetime:
            return raw.date()
        if kind is dt.date:
            return raw
        if kind is str:
            match = _DATE_TEXT.fullmatch(raw)
            try:
                if match:
                    return dt.date(*(int(part) for part in match.groups()))
                return dt.datetime.fromisoformat(raw).date()
            except ValueError:
                raise _not_a_date(raw) from None
        if kind is int or kind is float:
            # A date typed into a cell not formatted as a date arrives as its serial number.
            if not 1 <= raw <= _LAST_EXCEL_SERIAL:
                raise _not_a_date(raw)
            serial = from_excel(raw, epoch)
            return serial.date() if isinstance(serial, dt.datetime) else serial
        raise _not_a_date(raw)

    return parse


def _parse_integer(raw: Any) -> int:
    kind = raw.__class__
    if kind is int:
        return raw
    if kind is float and raw.is_integer():
        return int(raw)
    if kind is str:
        text = raw.replace(",", "")
        if _INTEGER_TEXT.fullmatch(text):
            return int(text)
    raise _Rejected(
        "not_an_integer",
        gettext("“%(value)s” is not a whole number.") % {"value": _shown(raw)},
    )


def _parse_decimal(raw: Any) -> Decimal:
    kind = raw.__class__
    value: Decimal | None = None
    if kind is int:
        value = Decimal(raw)
    elif kind is float or kind is str:
        # str() of a float is its shortest round-trip form: 312.1, never 312.099999…
        try:
            value = Decimal(str(raw).replace(",", ""))
        except InvalidOperation:
            value = None
    elif kind is Decimal:
        value = raw
    if value is None or not value.is_finite():
        raise _Rejected(
            "not_a_number", gettext("“%(value)s” is not a number.") % {"value": _shown(raw)}
        )
    return value


def _text_parser(max_length: int | None) -> _Parser:
    def parse(raw: Any) -> str:
        kind = raw.__class__
        if kind is str:
            text: str = raw
            if text in _EXCEL_ERRORS:
                raise _Rejected(
                    "formula_error",
                    gettext("The cell holds the spreadsheet error %(value)s.") % {"value": text},
                )
        elif kind is float and raw.is_integer():
            # A code typed as a number (区划代码 210381) may come back as 210381.0.
            text = str(int(raw))
        elif kind is dt.datetime or kind is dt.date:
            text = raw.isoformat()
        else:
            text = str(raw)
        if max_length is not None and len(text) > max_length:
            raise _Rejected(
                "too_long",
                gettext("Too long: %(length)d characters, at most %(max)d.")
                % {"length": len(text), "max": max_length},
            )
        return text

    return parse


def _choice_parser(choices: tuple[str, ...]) -> _Parser:
    canonical = {choice.casefold(): choice for choice in choices}

    def parse(raw: Any) -> str:
        found = canonical.get(str(raw).casefold())
        if found is None:
            raise _Rejected(
                "bad_choice",
                gettext("“%(value)s” is not one of: %(choices)s.")
                % {"value": _shown(raw), "choices": ", ".join(choices)},
            )
        return found

    return parse


def _parse_yes_no(raw: Any) -> bool:
    kind = raw.__class__
    if kind is bool:
        return raw
    found = None
    if kind is str:
        found = _YES_NO.get(raw.casefold())
    elif (kind is int or kind is float) and raw in (0, 1):
        found = bool(raw)
    if found is None:
        raise _Rejected(
            "not_yes_no", gettext("“%(value)s” is not yes or no.") % {"value": _shown(raw)}
        )
    return found


def _parse_json(raw: Any) -> Any:
    if isinstance(raw, dict | list):
        return raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise _Rejected(
                "bad_json", gettext("Not valid JSON: %(reason)s.") % {"reason": exc}
            ) from None
        if isinstance(value, dict | list):
            return value
    raise _Rejected("bad_json", gettext("Not a JSON object or array."))


def _range_checked(parse: _Parser, column: Column) -> _Parser:
    low, high = column.min_value, column.max_value
    if low is None and high is None:
        return parse

    def parse_in_range(raw: Any) -> Any:
        value = parse(raw)
        if low is not None and value < low:
            raise _Rejected(
                "out_of_range",
                gettext("%(value)s is below the minimum, %(min)s.") % {"value": value, "min": low},
            )
        if high is not None and value > high:
            raise _Rejected(
                "out_of_range",
                gettext("%(value)s is above the maximum, %(max)s.") % {"value": value, "max": high},
            )
        return value

    return parse_in_range


def _parser_for(column: Column, epoch: dt.datetime) -> _Parser:
    kind = column.kind
    if kind is ColumnKind.TEXT:
        return _text_parser(column.max_length)
    if kind is ColumnKind.INTEGER:
        return _range_checked(_parse_integer, column)
    if kind is ColumnKind.DECIMAL:
        return _range_checked(_parse_decimal, column)
    if kind is ColumnKind.DATE:
        return _date_parser(epoch)
    if kind is ColumnKind.CHOICE:
        return _choice_parser(column.choices)
    if kind is ColumnKind.BOOL_YES_NO:
        return _parse_yes_no
    return _parse_json


AnySheet = Worksheet | ReadOnlyWorksheet


def _read_header(
    sheet: str, header: tuple[Any, ...], schema: SheetSchema
) -> tuple[list[tuple[int, Column]], set[int], list[CellError]]:
    """Map header cells to columns; return (position, column) pairs, headed positions, errors."""
    placed: list[tuple[int, Column]] = []
    first_header: dict[str, str] = {}
    headed: set[int] = set()
    errors: list[CellError] = []
    for position, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        headed.add(position)
        column = schema.column_for_header(text)
        if column is None:
            message = gettext("Unknown column “%(header)s”.") % {"header": text}
            errors.append(CellError(sheet, 1, "", "unknown_column", message))
        elif column.key in first_header:
            message = gettext("The column appears twice (“%(first)s” and “%(second)s”).") % {
                "first": first_header[column.key],
                "second": text,
            }
            errors.append(CellError(sheet, 1, column.key, "duplicate_column", message))
        else:
            first_header[column.key] = text
            placed.append((position, column))
    for column in schema.columns:
        if column.required and column.key not in first_header:
            message = gettext(
                "The required column is missing (head it “%(key)s” or “%(label)s”)."
            ) % {"key": column.key, "label": column.label_zh}
            errors.append(CellError(sheet, 1, column.key, "missing_column", message))
    return placed, headed, errors


# Caps that bound the time and memory a workbook can take, whatever its upload size: a
# zipped sheet of a million rows is 317 KB, a 1 GiB shared string zips to 1 MB (the probe).
MAX_ROWS_PER_SHEET = 200_000
MAX_PART_BYTES = 256 * 1024 * 1024  # one sheet's XML, unzipped
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024  # every distinct text of the workbook, unzipped


class _TooManyRows(Exception):
    """A sheet went past MAX_ROWS_PER_SHEET: its reading stops there."""


def _capped(lines: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for count, line in enumerate(lines, start=1):
        if count > MAX_ROWS_PER_SHEET + 1:  # + the header row
            raise _TooManyRows
        yield line


def _oversized_part(source: str | Path | IO[bytes]) -> str | None:
    """The first part of the zipped workbook whose unzipped size is past its cap, if any."""
    try:
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                cap = (
                    MAX_SHARED_STRINGS_BYTES
                    if info.filename.endswith("sharedStrings.xml")
                    else MAX_PART_BYTES
                )
                if info.file_size > cap:
                    return info.filename
    except (zipfile.BadZipFile, OSError):
        return None  # load_workbook reports an unreadable file in its own words
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return None


def read_sheet(ws: AnySheet, schema: SheetSchema) -> tuple[list[ParsedRow], list[CellError]]:
    """Read one sheet against its schema: typed rows, and every error found in it."""
    sheet = ws.title
    if isinstance(ws, ReadOnlyWorksheet):
        # The <dimension> a file declares may be wrong; trusting it can silently drop rows.
        ws.reset_dimensions()
    epoch = getattr(ws.parent, "epoch", WINDOWS_EPOCH)
    # The stubs bind iter_rows to Worksheet only; ReadOnlyWorksheet shares the same function.
    lines: Iterator[tuple[Any, ...]]
    lines = _capped(ws.iter_rows(min_row=1, values_only=True))  # type: ignore[misc]
    header = next(lines, None)
    if header is None:
        return [], []
    placed, headed, errors = _read_header(sheet, header, schema)
    header_width = len(header)
    has_blank_header = len(headed) < header_width
    plan = [
        (position, column.key, column.required, _parser_for(column, epoch))
        for position, column in placed
    ]
    placed_keys = {column.key for _, column in placed}
    # Every row carries every column of the schema, in schema order; empty cells are None.
    blank_values: dict[str, Any] = dict.fromkeys(column.key for column in schema.columns)
    key_keys = [column.key for column in schema.key_columns]
    # A sheet lacking a key column already has a missing_column error; no key to compare.
    check_keys = bool(key_keys) and placed_keys.issuperset(key_keys)
    key_names = ", ".join(key_keys)
    single_key = schema.key_columns[0].key if len(schema.key_columns) == 1 else ""
    first_seen: dict[tuple[Any, ...], int] = {}
    unheaded_reported = False
    required_msg = gettext("This value is required.")
    rows: list[ParsedRow] = []
    append = rows.append

    for number, line in enumerate(lines, start=2):
        if not any(line) and all(cell is None or cell == "" for cell in line):
            continue
        width = len(line)
        values = blank_values.copy()
        row_errors: list[CellError] = []
        filled = False
        for position, key, required, parse in plan:
            raw: Any = line[position] if position < width else None
            if raw.__class__ is str:
                raw = raw.strip()
                if not raw:
                    raw = None
            if raw is None:
                if required:
                    row_errors.append(CellError(sheet, number, key, "required", required_msg))
                continue
            filled = True
            try:
                values[key] = parse(raw)
            except _Rejected as rejected:
                row_errors.append(CellError(sheet, number, key, rejected.code, rejected.message))
        if (has_blank_header or width > header_width) and not unheaded_reported:
            stray = [
                p for p in range(width)
                if p not in headed and line[p] is not None and str(line[p]).strip()
            ]  # fmt: skip
            if stray:
                unheaded_reported = True
                message = gettext("Column %(letter)s holds values but has no header.") % {
                    "letter": get_column_letter(stray[0] + 1)
                }
                errors.append(CellError(sheet, number, "", "unknown_column", message))
        if not filled:
            # Cells holding only spaces, or only in columns this sheet ignores.
            continue
        if check_keys:
            identity = tuple(values[key] for key in key_keys)
            earlier = first_seen.setdefault(identity, number) if None not in identity else number
            if earlier != number:
                message = gettext("The key (%(keys)s) repeats row %(row)d.") % {
                    "keys": key_names,
                    "row": earlier,
                }
                row_errors.append(CellError(sheet, number, single_key, "duplicate_key", message))
        if row_errors:
            errors.extend(row_errors)
        append(ParsedRow(sheet, number, values, not row_errors))
    return rows, errors


def _sheet_form(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def read_workbook(
    source: str | Path | IO[bytes], schemas: Sequence[SheetSchema]
) -> WorkbookContents:
    """Read every sheet of a register workbook: typed rows per sheet and every error found."""
    oversized = _oversized_part(source)
    if oversized is not None:
        message = gettext(
            "The workbook is too large to read: %(part)s holds more than the platform accepts."
        ) % {"part": oversized}
        return WorkbookContents({}, [CellError("", 0, "", "workbook_too_large", message)])
    try:
        wb = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike for a bad file
        message = gettext("The file is not a readable .xlsx workbook (%(reason)s).") % {
            "reason": exc.__class__.__name__
        }
        return WorkbookContents({}, [CellError("", 0, "", "unreadable_workbook", message)])
    try:
        by_form = {_sheet_form(schema.name): schema for schema in schemas}
        found: dict[str, AnySheet] = {}
        errors: list[CellError] = []
        expected = ", ".join(schema.name for schema in schemas)
        for ws in wb.worksheets:
            schema = by_form.get(_sheet_form(ws.title))
            if schema is None:
                message = gettext("Unknown sheet; expected some of: %(expected)s.") % {
                    "expected": expected
                }
                errors.append(CellError(ws.title, 0, "", "unknown_sheet", message))
            elif schema.name in found:
                message = gettext("The sheet %(name)s appears twice.") % {"name": schema.name}
                errors.append(CellError(ws.title, 0, "", "duplicate_sheet", message))
            else:
                found[schema.name] = ws
        rows: dict[str, list[ParsedRow]] = {}
        for schema in schemas:
            if schema.name in found:
                try:
                    rows[schema.name], sheet_errors = read_sheet(found[schema.name], schema)
                except _TooManyRows:
                    message = gettext("The sheet has more than %(rows)s rows.") % {
                        "rows": MAX_ROWS_PER_SHEET
                    }
                    row = MAX_ROWS_PER_SHEET + 2
                    sheet_errors = [CellError(schema.name, row, "", "too_many_rows", message)]
                errors.extend(sheet_errors)
        return WorkbookContents(rows, errors)
    finally:
        wb.close()


def _cell_for(ws: Worksheet | WriteOnlyWorksheet, column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind is ColumnKind.BOOL_YES_NO:
        return "yes" if value else "no"
    if column.kind is ColumnKind.JSON and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and (formula_like(value) or value in _EXCEL_ERRORS):
        # openpyxl would store these as a formula or an error; a name typed by an enterprise
        # must come back as the same text and never run as a formula in the reader's Excel.
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


def write_sheet(
    wb: Workbook,
    schema: SheetSchema,
    rows: Iterable[dict[str, Any]],
    *,
    headers: Literal["keys", "labels"] = "keys",
) -> Worksheet | WriteOnlyWorksheet:
    """Write one register sheet (header row, then one row per dict) that read_sheet reads back."""
    ws: Worksheet | WriteOnlyWorksheet
    default = wb.worksheets[0] if len(wb.worksheets) == 1 else None
    if (
        not wb.write_only
        and isinstance(default, Worksheet)
        and default.title == "Sheet"
        and next(default.values, None) is None
    ):
        # A new Workbook() comes with an empty "Sheet" that the reader would call unknown.
        ws = default
        ws.title = schema.name
    else:
        ws = wb.create_sheet(schema.name)
    columns = schema.columns
    known = {column.key for column in columns}
    ws.append([column.key if headers == "keys" else column.label_zh for column in columns])
    for values in rows:
        stray = values.keys() - known
        if stray:
            raise ValueError(f"sheet {schema.name!r} has no columns {sorted(stray)}")
        ws.append([_cell_for(ws, column, values.get(column.key)) for column in columns])
    return ws
