"""The bundle frame learns its sheets from the apps: order, dependencies, secret outputs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from oreledger.core.bundle import (
    _IMPORTERS,
    SheetImporter,
    check_sheets,
    secret_outputs,
    sheet_order,
    sheet_schemas,
)
from oreledger.core.workbook import SheetSchema


def _importer(name: str, *, depends_on: tuple[str, ...] = (), order: int = 0) -> SheetImporter:
    importer = SheetImporter()
    importer.schema = SheetSchema(name, ())
    importer.depends_on = depends_on
    importer.order = order
    return importer


def _sheets(*importers: SheetImporter) -> dict[str, SheetImporter]:
    return {importer.schema.name: importer for importer in importers}


def test_the_registered_sheets_come_in_the_order_the_imports_have_always_run() -> None:
    # given the sheets the apps register
    # when they are put in order
    order = sheet_order()
    # then it is the order of the province bundle's importer, each after what it refers to
    assert order == [
        "regions",
        "enterprises",
        "users",
        "sites",
        "stations",
        "vehicles",
        "permits",
        "grades",
        "quotas",
        "assays",
        "floor_prices",
        "contracts",
        "checklists",
        "campaigns",
    ]
    assert list(sheet_schemas()) == order
    assert check_sheets() == []


def test_every_sheet_comes_after_the_sheets_it_depends_on() -> None:
    # given the registered sheets and their dependencies
    schemas = sheet_schemas()
    order = list(schemas)
    # then no sheet comes before a sheet it depends on
    for name in order:
        for needed in _IMPORTERS[name].depends_on:
            assert order.index(needed) < order.index(name), (name, needed)


def test_a_dependency_goes_first_whatever_the_order_numbers_say() -> None:
    # given a sheet numbered first that depends on one numbered last
    sheets = _sheets(
        _importer("first", depends_on=("last",), order=1),
        _importer("last", order=99),
        _importer("middle", order=50),
    )
    # when they are ordered
    # then the dependency comes first, the others by their numbers
    assert sheet_order(sheets) == ["middle", "last", "first"]


def test_sheets_depending_on_each_other_in_a_circle_are_refused_loudly() -> None:
    # given two sheets that depend on each other
    sheets = _sheets(_importer("a", depends_on=("b",)), _importer("b", depends_on=("a",)))
    # when they are ordered, then the mistake is named
    with pytest.raises(ImproperlyConfigured, match=r"circle: a \(needs b\), b \(needs a\)"):
        sheet_order(sheets)


def test_a_dependency_on_an_unregistered_sheet_is_refused_loudly() -> None:
    # given a sheet that names a sheet nobody registers
    sheets = _sheets(_importer("a", depends_on=("nowhere",)))
    # when they are ordered, then the missing sheet is named
    with pytest.raises(ImproperlyConfigured, match="'a' depends on unregistered sheets: nowhere"):
        sheet_order(sheets)


def test_the_secret_outputs_are_those_the_sheets_declare() -> None:
    # given the registered sheets
    # when their secret outputs are listed
    outputs = secret_outputs()
    # then stations (from the stations sheet) and tokens (from users), by name
    assert [output.name for output in outputs] == ["stations", "tokens"]
