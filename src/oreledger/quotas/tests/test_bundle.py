"""The quotas, grades and assays sheets of the province bundle."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook

from oreledger.core.bundle import import_bundle
from oreledger.core.workbook import write_sheet
from oreledger.grading.bundle import ASSAYS, GRADES
from oreledger.grading.models import Assay, Grade, GradingStandard
from oreledger.quotas.bundle import QUOTAS
from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.quotas.tests.conftest import T

pytestmark = pytest.mark.django_db
GRADE_ROWS = [
    ("LMT-47", "特级", 1, 47.0, 0.6, 0.6),
    ("LM-46", "一级", 2, 46.0, 0.8, 1.2),
    ("LM-45", "二级", 3, 45.0, 1.5, 1.5),
    ("LM-44", "三级", 4, 44.0, 2.0, 2.0),
    ("LM-41", "四级", 5, 41.0, 4.0, 4.0),
    ("LG", "贫矿", 6, 0, None, None),
]


def _workbook(**sheets: list[dict[str, Any]]) -> BytesIO:
    wb = Workbook()
    for schema in (GRADES, QUOTAS, ASSAYS):
        if schema.name in sheets:
            write_sheet(wb, schema, sheets[schema.name])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _grades(standard: str = "LN-MG-2025", **change: Any) -> list[dict[str, Any]]:
    rows = [
        {
            "standard": standard,
            "code": c,
            "name_zh": n,
            "rank": r,
            "mgo_min": m,
            "cao_max": ca,
            "sio2_max": si,
            "effective_from": datetime.date(2025, 1, 1),
        }
        for c, n, r, m, ca, si in GRADE_ROWS
    ]
    rows[-1].update(change)
    return rows


def _quotas(ledger, mine_t: int = 1_200) -> list[dict[str, Any]]:
    world = ledger.world
    return [
        {
            "period": 2026,
            "holder": world.province.code,
            "mineral": "magnesite",
            "allocated_t": 9_000,
        },
        {
            "period": 2026,
            "holder": world.haicheng.code,
            "mineral": "magnesite",
            "allocated_t": 3_000,
        },
        {"period": 2026, "holder": "HC-M-001", "mineral": "magnesite", "allocated_t": mine_t},
        {"period": 2026, "holder": "HC-M-002", "mineral": "magnesite", "allocated_t": 800.5},
    ]


def _assays() -> list[dict[str, Any]]:
    return [
        {
            "site_code": "HC-M-001",
            "lot": "L1",
            "sampled_on": datetime.date(2025, 3, 1),
            "mgo": 46.5,
            "cao": 0.7,
            "sio2": 1.0,
            "fe2o3": 0.3,
            "al2o3": 0.1,
            "loi": 50.9,
            "lab": "鞍山检测",
        },
        {
            "site_code": "HC-M-002",
            "lot": "L1",
            "sampled_on": datetime.date(2025, 3, 2),
            "mgo": 40.2,
            "cao": 2.5,
            "sio2": 2.5,
            "loi": 50.0,
        },
    ]


def test_import_then_reimport_changes_nothing(ledger) -> None:
    book = {"grades": _grades(), "quotas": _quotas(ledger), "assays": _assays()}
    first = import_bundle(_workbook(**book), actor=None)
    counts = (LedgerEntry.objects.count(), Assay.objects.count(), Grade.objects.count())
    again = import_bundle(_workbook(**book), actor=None)
    assert first.ok and again.ok
    assert (first.outcomes["quotas"].created, first.outcomes["assays"].created) == (4, 2)
    assert (again.outcomes["quotas"].unchanged, again.outcomes["assays"].unchanged) == (4, 2)
    assert (LedgerEntry.objects.count(), Assay.objects.count(), Grade.objects.count()) == counts
    mine = QuotaAccount.objects.get(holder_site__code="HC-M-002", period__year=2026)
    assert (mine.allocated_kg, mine.parent.holder_region.code) == (800_500, "210381")
    assert dict(Assay.objects.values_list("site__code", "grade__code")) == {
        "HC-M-001": "LM-46",
        "HC-M-002": "LG",
    }
    assert verify_ledger() == []


def test_a_changed_allocation_is_written_as_an_adjustment(ledger) -> None:
    import_bundle(_workbook(quotas=_quotas(ledger)), actor=None)
    report = import_bundle(_workbook(quotas=_quotas(ledger, mine_t=1_500)), actor=None)
    entries = LedgerEntry.objects.filter(
        account__holder_site__code="HC-M-001", account__period__year=2026
    )
    assert report.outcomes["quotas"].updated == 1
    assert list(entries.values_list("kind", "amount_kg")) == [
        ("allocate", 1_200 * T),
        ("adjust", 300 * T),
    ]
    assert verify_ledger() == []


def test_allocations_over_the_parent_are_refused_and_nothing_is_written(ledger) -> None:
    report = import_bundle(_workbook(quotas=_quotas(ledger, mine_t=2_500)), actor=None)
    assert [(e.sheet, e.row, e.column, e.code) for e in report.errors] == [
        ("quotas", 3, "allocated_t", "over_parent_allocation")
    ]
    assert str(report.errors[0]).startswith("quotas!3: allocated_t: ")
    assert not QuotaAccount.objects.filter(period__year=2026).exists()


def test_unknown_holders_minerals_and_impossible_assays_are_reported(ledger) -> None:
    quotas = _quotas(ledger)
    quotas[2]["holder"] = "NOPE-1"
    quotas[3]["mineral"] = "gold"
    assays = _assays()
    assays[0]["mgo"] = 48.5
    report = import_bundle(_workbook(quotas=quotas, assays=assays), actor=None)
    assert [(e.sheet, e.row, e.code) for e in report.errors] == [
        ("quotas", 4, "holder_not_allocatable"),
        ("quotas", 5, "mineral_unknown"),
        ("assays", 2, "assay_impossible"),
    ]
    assert Assay.objects.count() == 0


def test_a_grade_table_with_overlapping_ranks_is_refused(ledger) -> None:
    report = import_bundle(_workbook(grades=_grades(rank=5)), actor=None)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (7, "rank", "grade_ranks_overlap")
    ]
    assert GradingStandard.objects.count() == 0


def test_a_published_standard_cannot_be_rewritten_by_import(ledger) -> None:
    import_bundle(_workbook(grades=_grades()), actor=None)
    report = import_bundle(_workbook(grades=_grades(mgo_min=Decimal("10"))), actor=None)
    assert [e.code for e in report.errors] == ["standard_exists"]
    assert Grade.objects.get(code="LG").mgo_min == 0
