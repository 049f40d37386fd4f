"""The register-workbook reader: headers, cell conversion, and every error it reports."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from oreledger.core import workbook
from oreledger.core.workbook import (
    CellError,
    Column,
    ColumnKind,
    SheetSchema,
    WorkbookContents,
    read_sheet,
    read_workbook,
    write_sheet,
)

SITES = SheetSchema(
    "sites",
    (
        Column("code", "编码", ColumnKind.TEXT, True, True, max_length=8),
        Column("kind", "类型", ColumnKind.CHOICE, True, False, choices=("mine", "plant")),
        Column("opened_on", "投产日期", ColumnKind.DATE, False, False),
        Column("axles", "轴数", ColumnKind.INTEGER, False, False, min_value=2, max_value=6),
        Column("floor_yuan", "指导价下限/元每吨", ColumnKind.DECIMAL, False, False, min_value=0),
        Column("api_token", "API令牌", ColumnKind.BOOL_YES_NO, False, False),
        Column("boundary", "范围", ColumnKind.JSON, False, False),
    ),
)
QUOTAS = SheetSchema(
    "quotas",
    (
        Column("period", "年度", ColumnKind.INTEGER, True, True),
        Column("holder", "指标持有者", ColumnKind.TEXT, True, True),
        Column("allocated_t", "指标/吨", ColumnKind.DECIMAL, True, False),
    ),
)
SCHEMAS = (SITES, QUOTAS)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The assertions quote the English messages; zh-Hans is the site's default language.
    with translation.override("en"):
        yield


def _xlsx(sheets: dict[str, Sequence[Sequence[Any]]]) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for title, lines in sheets.items():
        ws = wb.create_sheet(title)
        for line in lines:
            ws.append(list(line))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _read(sheets: dict[str, Sequence[Sequence[Any]]]) -> WorkbookContents:
    return read_workbook(_xlsx(sheets), SCHEMAS)


def _site(*cells: Any, header: Sequence[str] = ("code", "kind")) -> dict[str, Any]:
    """The values of the one row of a sites sheet with the given header and cells."""
    contents = _read({"sites": [header, cells]})
    assert contents.errors == []
    (row,) = contents.rows["sites"]
    return row.values


def _errors(*lines: Sequence[Any], sheet: str = "sites") -> list[str]:
    return [str(error) for error in _read({sheet: lines}).errors]


def test_headers_by_key_or_by_chinese_label() -> None:
    by_key = _read({"sites": [("code", "kind", "floor_yuan"), ("M1", "mine", 300)]})
    by_label = _read({"sites": [("编码", " 类型 ", "指导价下限/元每吨"), ("M1", "mine", 300)]})
    assert by_key.errors == by_label.errors == []
    assert by_key.rows["sites"][0].values == by_label.rows["sites"][0].values


def test_header_keys_ignore_case_and_labels_accept_full_width_slash() -> None:
    values = _site("M1", "mine", 300, header=("CODE", "Kind", "指导价下限／元每吨"))
    assert values["floor_yuan"] == Decimal(300)


def test_schema_finds_columns_by_header() -> None:
    assert SITES.column_for_header(" Opened_On ") is SITES.columns[2]
    assert SITES.column_for_header("投产日期") is SITES.columns[2]
    assert SITES.column_for_header("nope") is None
    assert [column.key for column in QUOTAS.key_columns] == ["period", "holder"]


def test_rows_carry_excel_row_numbers_and_skip_empty_rows() -> None:
    contents = _read(
        {"sites": [("code", "kind"), ("M1", "mine"), (None, None), ("  ", ""), ("M2", "plant")]}
    )
    assert contents.errors == []
    assert [(row.sheet, row.row) for row in contents.rows["sites"]] == [
        ("sites", 2),
        ("sites", 5),
    ]


def test_optional_cells_left_empty_are_none_and_absent_columns_too() -> None:
    values = _site(" M1 ", "mine", None, header=("code", "kind", "axles"))
    assert values == {
        "code": "M1",
        "kind": "mine",
        "opened_on": None,
        "axles": None,
        "floor_yuan": None,
        "api_token": None,
        "boundary": None,
    }


def test_text_is_trimmed_and_numbers_become_their_digits() -> None:
    assert _site(210381, "mine")["code"] == "210381"
    assert _site(" M 1 ", "mine")["code"] == "M 1"


def test_choice_is_matched_without_regard_to_case() -> None:
    assert _site("M1", "Plant ")["kind"] == "plant"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2025-11-14", dt.date(2025, 11, 14)),
        ("2025/11/4", dt.date(2025, 11, 4)),
        ("2025-11-14 08:30:00", dt.date(2025, 11, 14)),
        (dt.date(2025, 11, 14), dt.date(2025, 11, 14)),
        (dt.datetime(2025, 11, 14, 0, 0), dt.date(2025, 11, 14)),
        (45975, dt.date(2025, 11, 14)),
        (45975.0, dt.date(2025, 11, 14)),
    ],
)
def test_dates(cell: Any, expected: dt.date) -> None:
    assert _site("M1", "mine", cell, header=("code", "kind", "opened_on"))["opened_on"] == expected


def test_excel_serial_date_in_a_plain_number_cell() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["code", "kind", "opened_on"])
    ws.append(["M1", "mine", 45975])
    ws["C2"].number_format = "General"
    rows, errors = read_sheet(ws, SITES)
    assert errors == []
    assert rows[0].values["opened_on"] == dt.date(2025, 11, 14)


@pytest.mark.parametrize(("cell", "expected"), [(4, 4), (4.0, 4), ("4", 4), (" 5 ", 5), ("+3", 3)])
def test_integers(cell: Any, expected: int) -> None:
    value = _site("M1", "mine", cell, header=("code", "kind", "axles"))["axles"]
    assert value == expected
    assert type(value) is int


def test_integer_with_thousands_separator() -> None:
    contents = _read({"quotas": [("period", "holder", "allocated_t"), ("2,025", "210381", 1)]})
    assert contents.rows["quotas"][0].values["period"] == 2025


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("312.10", Decimal("312.10")),
        (312.1, Decimal("312.1")),
        (0.1, Decimal("0.1")),
        (300, Decimal(300)),
        ("1,234.50", Decimal("1234.50")),
    ],
)
def test_decimals_are_never_rounded_through_float(cell: Any, expected: Decimal) -> None:
    value = _site("M1", "mine", cell, header=("code", "kind", "floor_yuan"))["floor_yuan"]
    assert value == expected
    assert str(value) == str(expected)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("yes", True),
        ("No", False),
        ("是", True),
        ("否", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        (True, True),
        (False, False),
    ],
)
def test_yes_no(cell: Any, expected: bool) -> None:
    assert _site("M1", "mine", cell, header=("code", "kind", "api_token"))["api_token"] is expected


def test_json_text_is_parsed() -> None:
    polygon = '{"type": "Polygon", "coordinates": [[[122.6, 40.8], [122.7, 40.8], [122.6, 40.8]]]}'
    value = _site("M1", "mine", polygon, header=("code", "kind", "boundary"))["boundary"]
    assert value["type"] == "Polygon"
    assert value["coordinates"][0][1] == [122.7, 40.8]


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("kind", None, "sites!2: kind: This value is required."),
        ("kind", "   ", "sites!2: kind: This value is required."),
        (
            "opened_on",
            "14/11/2025",
            "sites!2: opened_on: “14/11/2025” is not a date; write it as YYYY-MM-DD.",
        ),
        (
            "opened_on",
            "2025-02-30",
            "sites!2: opened_on: “2025-02-30” is not a date; write it as YYYY-MM-DD.",
        ),
        ("opened_on", -3, "sites!2: opened_on: “-3” is not a date; write it as YYYY-MM-DD."),
        ("axles", "4.5", "sites!2: axles: “4.5” is not a whole number."),
        ("axles", 4.5, "sites!2: axles: “4.5” is not a whole number."),
        ("axles", "four", "sites!2: axles: “four” is not a whole number."),
        ("axles", 7, "sites!2: axles: 7 is above the maximum, 6."),
        ("axles", 1, "sites!2: axles: 1 is below the minimum, 2."),
        ("floor_yuan", "12元", "sites!2: floor_yuan: “12元” is not a number."),
        ("floor_yuan", "NaN", "sites!2: floor_yuan: “NaN” is not a number."),
        ("floor_yuan", "-0.01", "sites!2: floor_yuan: -0.01 is below the minimum, 0."),
        ("kind", "quarry", "sites!2: kind: “quarry” is not one of: mine, plant."),
        ("api_token", "maybe", "sites!2: api_token: “maybe” is not yes or no."),
        ("api_token", 2, "sites!2: api_token: “2” is not yes or no."),
        (
            "boundary",
            "{type: Polygon}",
            "sites!2: boundary: Not valid JSON: "
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1).",
        ),
        ("boundary", "42", "sites!2: boundary: Not a JSON object or array."),
        ("code", "M-1234567", "sites!2: code: Too long: 9 characters, at most 8."),
        ("code", "#N/A", "sites!2: code: The cell holds the spreadsheet error #N/A."),
    ],
)
def test_cell_errors(header: str, cell: Any, expected: str) -> None:
    columns = {"code": "M1", "kind": "mine", header: cell}
    contents = _read({"sites": [tuple(columns), tuple(columns.values())]})
    assert [str(error) for error in contents.errors] == [expected]
    (row,) = contents.rows["sites"]
    assert row.valid is False
    assert row.values[header] is None


def test_error_codes_are_stable_identifiers() -> None:
    contents = _read(
        {
            "sites": [
                ("code", "kind", "opened_on", "axles", "floor_yuan", "api_token", "boundary"),
                ("M-1234567", "quarry", "soon", "x", "y", "z", "["),
                ("M1", None, None, 9, None, None, "1"),
            ]
        }
    )
    assert [(error.row, error.column, error.code) for error in contents.errors] == [
        (2, "code", "too_long"),
        (2, "kind", "bad_choice"),
        (2, "opened_on", "not_a_date"),
        (2, "axles", "not_an_integer"),
        (2, "floor_yuan", "not_a_number"),
        (2, "api_token", "not_yes_no"),
        (2, "boundary", "bad_json"),
        (3, "kind", "required"),
        (3, "axles", "out_of_range"),
        (3, "boundary", "bad_json"),
    ]


def test_every_error_is_collected() -> None:
    assert _errors(
        ("code", "kind", "axles"),
        ("M1", "mine", "many"),
        ("M2", "cave", 4),
        ("M3", "plant", 4),
        (None, "plant", 4),
    ) == [
        "sites!2: axles: “many” is not a whole number.",
        "sites!3: kind: “cave” is not one of: mine, plant.",
        "sites!5: code: This value is required.",
    ]


def test_good_rows_stay_valid_next_to_bad_ones() -> None:
    contents = _read({"sites": [("code", "kind"), ("M1", "cave"), ("M2", "mine")]})
    assert [(row.row, row.valid) for row in contents.rows["sites"]] == [(2, False), (3, True)]


def test_unknown_column() -> None:
    assert _errors(("code", "kind", "colour"), ("M1", "mine", "red")) == [
        "sites!1: Unknown column “colour”."
    ]


def test_values_under_no_header() -> None:
    assert _errors(("code", "kind"), ("M1", "mine"), ("M2", "mine", None, "stray")) == [
        "sites!3: Column D holds values but has no header."
    ]


def test_missing_required_column_is_reported_once_not_per_row() -> None:
    contents = _read({"sites": [("code",), ("M1",), ("M2",)]})
    assert [str(error) for error in contents.errors] == [
        "sites!1: kind: The required column is missing (head it “kind” or “类型”)."
    ]
    assert contents.errors[0].code == "missing_column"


def test_column_given_twice() -> None:
    contents = _read({"sites": [("code", "kind", "编码"), ("M1", "mine", "M1")]})
    assert [(str(error), error.code) for error in contents.errors] == [
        ("sites!1: code: The column appears twice (“code” and “编码”).", "duplicate_column")
    ]


def test_duplicate_key_is_reported_on_the_later_row() -> None:
    contents = _read({"sites": [("code", "kind"), ("M1", "mine"), ("M2", "mine"), ("M1", "plant")]})
    assert [(str(error), error.code) for error in contents.errors] == [
        ("sites!4: code: The key (code) repeats row 2.", "duplicate_key")
    ]


def test_duplicate_compound_key() -> None:
    contents = _read(
        {
            "quotas": [
                ("period", "holder", "allocated_t"),
                (2025, "210381", 100),
                (2025, "210323", 100),
                (2026, "210381", 100),
                ("2025", " 210381", 50),
            ]
        }
    )
    assert [(str(error), error.code) for error in contents.errors] == [
        ("quotas!5: The key (period, holder) repeats row 2.", "duplicate_key")
    ]


def test_unknown_sheet_and_absent_sheets() -> None:
    contents = _read({"sites": [("code", "kind"), ("M1", "mine")], "说明": [("hello",)]})
    assert [(str(error), error.code) for error in contents.errors] == [
        ("说明!0: Unknown sheet; expected some of: sites, quotas.", "unknown_sheet")
    ]
    assert list(contents.rows) == ["sites"]
    assert contents.rows_of("quotas") == []


def test_sheet_names_match_without_regard_to_case() -> None:
    contents = _read({"Sites": [("code", "kind"), ("M1", "mine")]})
    assert contents.ok
    assert contents.rows["sites"][0].sheet == "Sites"


def test_sheet_given_twice() -> None:
    contents = _read({"sites": [("code", "kind")], " SITES": [("code", "kind")]})
    assert [error.code for error in contents.errors] == ["duplicate_sheet"]


def test_rows_come_in_schema_order() -> None:
    contents = _read({"quotas": [("period", "holder", "allocated_t")], "sites": [("code", "kind")]})
    assert list(contents.rows) == ["sites", "quotas"]


def test_a_file_that_is_not_a_workbook() -> None:
    contents = read_workbook(io.BytesIO(b"uscc,name\n"), SCHEMAS)
    assert [error.code for error in contents.errors] == ["unreadable_workbook"]
    assert str(contents.errors[0]).startswith("The file is not a readable .xlsx workbook")


def test_cell_error_format() -> None:
    assert str(CellError("sites", 7, "kind", "required", "Required.")) == "sites!7: kind: Required."
    assert str(CellError("sites", 1, "", "unknown_column", "Unknown.")) == "sites!1: Unknown."


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("headers", ["keys", "labels"])
def test_written_sheets_read_back(write_only: bool, headers: Any) -> None:
    rows = [
        {
            "code": "M1",
            "kind": "mine",
            "opened_on": dt.date(2025, 11, 14),
            "axles": 6,
            "floor_yuan": Decimal("312.10"),
            "api_token": True,
            "boundary": {"type": "Point", "coordinates": [122.6, 40.8]},
        },
        {"code": "P1", "kind": "plant", "api_token": False},
    ]
    wb = Workbook(write_only=write_only)
    write_sheet(wb, SITES, rows, headers=headers)
    write_sheet(wb, QUOTAS, [{"period": 2025, "holder": "210381", "allocated_t": Decimal(9)}])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    contents = read_workbook(out, SCHEMAS)
    assert contents.errors == []
    first, second = (row.values for row in contents.rows["sites"])
    assert first == rows[0]
    assert second["kind"] == "plant"
    assert second["api_token"] is False
    assert second["opened_on"] is None
    assert contents.rows["quotas"][0].values["allocated_t"] == Decimal(9)


@pytest.mark.parametrize("write_only", [False, True])
def test_text_that_looks_like_a_formula_is_written_as_text(write_only: bool) -> None:
    wb = Workbook(write_only=write_only)
    codes = ['=HYPERLINK("http://x")', "#N/A"]
    write_sheet(wb, SITES, [{"code": code, "kind": "mine"} for code in codes])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    ws = load_workbook(out)["sites"]
    assert [(cell.value, cell.data_type) for cell in ws["A"][1:]] == [(c, "s") for c in codes]


def test_write_sheet_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="colour"):
        write_sheet(Workbook(), SITES, [{"code": "M1", "colour": "red"}])


def test_schema_refuses_a_header_naming_two_columns() -> None:
    with pytest.raises(ValueError, match="names two columns"):
        SheetSchema(
            "x",
            (
                Column("code", "编码", ColumnKind.TEXT, True, True),
                Column("code2", "编码", ColumnKind.TEXT, False, False),
            ),
        )


def test_key_columns_must_be_required() -> None:
    with pytest.raises(ValueError, match="must be required"):
        Column("code", "编码", ColumnKind.TEXT, False, True)


def test_a_sheet_past_the_row_cap_is_refused_with_a_clear_error(monkeypatch) -> None:
    # given a cap of 5 rows and a generated sheet of 12
    monkeypatch.setattr(workbook, "MAX_ROWS_PER_SHEET", 5)
    lines = [("code", "kind"), *((f"S-{n}", "mine") for n in range(12))]
    # when it is read
    contents = _read({"sites": lines})
    # then reading stopped at the cap with one error, and no row of the sheet is kept
    assert [(e.sheet, e.row, e.code) for e in contents.errors] == [("sites", 7, "too_many_rows")]
    assert "sites" not in contents.rows


def test_a_huge_shared_string_is_refused_before_it_is_unpacked(monkeypatch) -> None:
    # given a cap of 1 MiB of shared strings and a workbook whose shared strings unzip to
    # 2 MiB (zipped to a few KB, as the probe's 1 GiB string zipped to 1 MB)
    monkeypatch.setattr(workbook, "MAX_SHARED_STRINGS_BYTES", 1024 * 1024)
    plain = zipfile.ZipFile(_xlsx({"sites": [("code", "kind"), ("S-1", "mine")]}))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as out:
        for info in plain.infolist():
            out.writestr(info, plain.read(info))
        text = "x" * (2 * 1024 * 1024)
        out.writestr("xl/sharedStrings.xml", f'<sst count="1"><si><t>{text}</t></si></sst>')
    crafted.seek(0)
    # when it is read
    contents = read_workbook(crafted, SCHEMAS)
    # then it is refused by the size of that part, without loading the workbook
    assert [(e.code, e.row) for e in contents.errors] == [("workbook_too_large", 0)]
    assert "xl/sharedStrings.xml" in contents.errors[0].message
