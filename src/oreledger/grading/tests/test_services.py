"""Grading: the demo table (docs/reference/grades.md), versions that never rewrite history."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from oreledger.core.errors import DomainError
from oreledger.grading.models import Assay, GradingStandard
from oreledger.grading.services import (
    GradeSpec,
    GradeTable,
    check_grade_table,
    classify,
    publish_standard,
    record_assay,
)
from oreledger.registry.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db
DEMO = [
    GradeSpec("LMT-47", "特级", 1, D("47.0"), D("0.6"), D("0.6")),
    GradeSpec("LM-46", "一级", 2, D("46.0"), D("0.8"), D("1.2")),
    GradeSpec("LM-45", "二级", 3, D("45.0"), D("1.5"), D("1.5")),
    GradeSpec("LM-44", "三级", 4, D("44.0"), D("2.0"), D("2.0")),
    GradeSpec("LM-41", "四级", 5, D("41.0"), D("4.0"), D("4.0")),
    GradeSpec("LG", "贫矿", 6, D("0")),
]
JAN_2025 = datetime.date(2025, 1, 1)


@pytest.fixture
def demo_standard():
    """The demo province's standard, in force from 2025-01-01."""
    return publish_standard(actor="test", code="LN-MG-2025", effective_from=JAN_2025, grades=DEMO)[
        0
    ]


def _components(mgo, cao, sio2, loi="50"):
    return {
        "mgo": D(mgo),
        "cao": D(cao),
        "sio2": D(sio2),
        "fe2o3": None,
        "al2o3": None,
        "loi": D(loi),
    }


@pytest.mark.parametrize(
    ("mgo", "cao", "sio2", "grade"),
    [
        ("47.20", "0.50", "0.40", "LMT-47"),
        ("47.20", "0.70", "0.40", "LM-46"),
        ("46.00", "0.80", "1.20", "LM-46"),
        ("45.50", "1.60", "1.00", "LM-44"),
        ("43.00", "3.00", "1.00", "LM-41"),
        ("38.00", "1.00", "1.00", "LG"),
    ],
)
def test_an_assay_gets_the_best_grade_whose_limits_it_meets(demo_standard, mgo, cao, sio2, grade):
    assert classify(components=_components(mgo, cao, sio2), on=JAN_2025).code == grade


def test_before_the_first_standard_there_is_no_grade(demo_standard) -> None:
    assert (
        classify(components=_components("47", "0.1", "0.1"), on=datetime.date(2024, 12, 31)) is None
    )


@pytest.mark.parametrize(
    ("table", "code"),
    [
        ([DEMO[0], GradeSpec("X", "x", 1, D("40"))], "grade_ranks_overlap"),
        ([DEMO[0], GradeSpec("LMT-47", "x", 2, D("40"))], "grade_code_duplicate"),
        ([DEMO[1], GradeSpec("X", "x", 3, D("46.5"), D("1"), D("1"))], "grade_limits_inverted"),
        ([], "grade_table_empty"),
    ],
)
def test_malformed_tables_are_refused(table, code) -> None:
    with pytest.raises(DomainError) as refusal:
        publish_standard(actor="test", code="BAD", effective_from=JAN_2025, grades=table)
    assert refusal.value.code == code
    assert GradingStandard.objects.count() == 0


def test_overlapping_ranks_message(demo_standard) -> None:
    with pytest.raises(DomainError) as refusal:
        check_grade_table([DEMO[0], GradeSpec("X", "x", 1)])
    assert (
        refusal.value.message_in("en") == "Two grades share rank 1; each grade needs its own rank."
    )


def test_a_new_version_never_rewrites_history(demo_standard) -> None:
    stricter = [GradeSpec(g.code, g.name_zh, g.rank, g.mgo_min and g.mgo_min + 1) for g in DEMO]
    today = datetime.date(2026, 3, 1)
    with pytest.raises(DomainError) as backdated:
        publish_standard(
            actor="test", code="LN-MG-2026", effective_from=today, grades=stricter, today=today
        )
    with pytest.raises(DomainError) as rewritten:
        publish_standard(actor="test", code="LN-MG-2025", effective_from=JAN_2025, grades=stricter)
    new, created = publish_standard(
        actor="test",
        code="LN-MG-2026",
        effective_from=datetime.date(2026, 4, 1),
        grades=stricter,
        today=today,
    )
    table = GradeTable.load()
    assert (backdated.value.code, rewritten.value.code, created) == (
        "standard_not_future",
        "standard_exists",
        True,
    )
    assert table.standard_on(datetime.date(2026, 3, 31)) == demo_standard
    assert table.standard_on(datetime.date(2026, 4, 1)) == new
    assert (
        table.classify(_components("46.5", "0.7", "1.0"), datetime.date(2026, 5, 1)).code == "LM-45"
    )
    assert (
        table.classify(_components("46.5", "0.7", "1.0"), datetime.date(2026, 3, 1)).code == "LM-46"
    )


def test_recorded_assays_are_graded_and_impossible_ones_refused(world, demo_standard) -> None:
    site = SiteFactory(enterprise=world.user("enterprise_user").enterprise, region=world.haicheng)
    assay = record_assay(
        actor="test",
        site=site,
        lot="L1",
        sampled_on=JAN_2025,
        components=_components("46.2", "0.5", "0.9"),
    )
    refusals = []
    for components in (_components("48.0", "0.1", "0.1"), _components("47", "2", "2", loi="50")):
        with pytest.raises(DomainError) as refusal:
            record_assay(
                actor="test", site=site, lot="L2", sampled_on=JAN_2025, components=components
            )
        refusals.append(refusal.value.code)
    with pytest.raises(DomainError) as duplicate:
        record_assay(
            actor="test",
            site=site,
            lot="L1",
            sampled_on=JAN_2025,
            components=_components("46.2", "0.5", "0.9"),
        )
    assert assay.grade.code == "LM-46"
    assert refusals == ["assay_impossible", "assay_impossible"]
    assert duplicate.value.code == "assay_duplicate"
    assert Assay.objects.count() == 1
