"""Use cases of grading: publish a standard version, classify and record assays."""

from __future__ import annotations

import bisect
import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from oreledger.core.audit import record_change
from oreledger.core.models import ObjectChange
from oreledger.grading import errors
from oreledger.grading.errors import GradingError
from oreledger.grading.models import (
    COMPONENTS,
    LIMITED_COMPONENTS,
    Assay,
    Grade,
    GradingStandard,
    impossibility,
)


@dataclass(frozen=True)
class GradeSpec:
    """One row of a grade table as entered (percentages as Decimal, None = no limit)."""

    code: str
    name_zh: str
    rank: int
    mgo_min: Decimal | None = None
    cao_max: Decimal | None = None
    sio2_max: Decimal | None = None
    fe2o3_max: Decimal | None = None
    al2o3_max: Decimal | None = None
    name_en: str = ""


def _looser(better: Decimal | None, worse: Decimal | None, *, floor: bool) -> bool:
    if floor:  # a floor: None means 0, higher is stricter
        return (better or Decimal(0)) < (worse or Decimal(0))
    if better is None:
        return worse is not None
    return worse is not None and better > worse


def check_grade_table(grades: Sequence[GradeSpec]) -> None:
    """Refuse a table with no grades, shared ranks or codes, or a better grade looser."""
    if not grades:
        raise GradingError("grade_table_empty", errors.GRADE_TABLE_EMPTY)
    seen_ranks: set[int] = set()
    seen_codes: set[str] = set()
    for grade in grades:
        if grade.rank in seen_ranks:
            raise errors.ranks_overlap(grade.rank)
        if grade.code in seen_codes:
            raise errors.code_duplicate(grade.code)
        seen_ranks.add(grade.rank)
        seen_codes.add(grade.code)
    ordered = sorted(grades, key=lambda g: g.rank)
    for better, worse in itertools.pairwise(ordered):
        if _looser(better.mgo_min, worse.mgo_min, floor=True):
            raise errors.limits_inverted(better.code, worse.code, "MgO")
        for component in LIMITED_COMPONENTS:
            field = f"{component}_max"
            if _looser(getattr(better, field), getattr(worse, field), floor=False):
                raise errors.limits_inverted(better.code, worse.code, component_label(component))


def component_label(component: str) -> str:
    """The chemical formula of a component key ("sio2" → "SiO2")."""
    return {"mgo": "MgO", "cao": "CaO", "sio2": "SiO2", "fe2o3": "Fe2O3", "al2o3": "Al2O3"}.get(
        component, component.upper()
    )


def _same_table(standard: GradingStandard, grades: Sequence[GradeSpec]) -> bool:
    stored = {
        g.code: GradeSpec(
            g.code,
            g.name_zh,
            g.rank,
            g.mgo_min,
            g.cao_max,
            g.sio2_max,
            g.fe2o3_max,
            g.al2o3_max,
            g.name_en,
        )
        for g in standard.grades.all()
    }
    return stored == {g.code: g for g in grades}


def publish_standard(
    *,
    actor: Any,
    code: str,
    effective_from: datetime.date,
    grades: Sequence[GradeSpec],
    name: str = "",
    notes: str = "",
    today: datetime.date | None = None,
) -> tuple[GradingStandard, bool]:
    """Publish a new version of the grading table; returns (standard, created).

    Versions are never rewritten: republishing an existing code with the same table
    changes nothing, with a different table is refused; a new version takes effect after
    every earlier one and after today, so no assay already recorded is regraded.
    """
    check_grade_table(grades)
    today = today or timezone.localdate()
    with transaction.atomic():
        existing = GradingStandard.objects.filter(code=code).first()
        if existing is not None:
            if existing.effective_from == effective_from and _same_table(existing, grades):
                return existing, False
            raise GradingError("standard_exists", errors.STANDARD_EXISTS, params={"code": code})
        latest = GradingStandard.objects.order_by("-effective_from").first()
        if latest is not None:
            if effective_from <= latest.effective_from:
                raise GradingError(
                    "standard_not_later",
                    errors.STANDARD_NOT_LATER,
                    params={"date": latest.effective_from.isoformat()},
                )
            if effective_from <= today:
                raise GradingError(
                    "standard_not_future",
                    errors.STANDARD_NOT_FUTURE,
                    params={"today": today.isoformat()},
                )
        publisher = actor if getattr(actor, "is_authenticated", False) else None
        standard = GradingStandard.objects.create(
            code=code,
            name=name,
            effective_from=effective_from,
            notes=notes,
            published_by=publisher,
        )
        Grade.objects.bulk_create(
            Grade(standard=standard, **spec.__dict__) for spec in sorted(grades, key=_rank)
        )
        record_change(actor=actor, obj=standard, action=ObjectChange.Action.CREATE)
    return standard, True


def _rank(spec: GradeSpec) -> int:
    return spec.rank


class GradeTable:
    """Every standard with its grades, for classifying many assays with two queries."""

    def __init__(self, standards: Iterable[GradingStandard]) -> None:
        self.standards = sorted(standards, key=lambda s: s.effective_from)
        self._dates = [s.effective_from for s in self.standards]

    @classmethod
    def load(cls) -> GradeTable:
        """All standards and grades from the database."""
        return cls(GradingStandard.objects.prefetch_related("grades"))

    def standard_on(self, day: datetime.date) -> GradingStandard | None:
        """The version in force on `day` (the latest effective on or before it)."""
        index = bisect.bisect_right(self._dates, day)
        return self.standards[index - 1] if index else None

    def classify(self, components: dict[str, Decimal | None], day: datetime.date) -> Grade | None:
        """The best-ranked grade of the standard in force whose limits all hold."""
        standard = self.standard_on(day)
        if standard is None:
            return None
        for grade in sorted(standard.grades.all(), key=lambda g: g.rank):
            if grade.admits(components):
                return grade
        return None


def standard_in_force(day: datetime.date) -> GradingStandard | None:
    """The grading standard in force on `day`, or None before the first."""
    return (
        GradingStandard.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    )


def classify(*, components: dict[str, Decimal | None], on: datetime.date) -> Grade | None:
    """The grade an assay with these components earns on `on`."""
    standard = standard_in_force(on)
    if standard is None:
        return None
    return GradeTable([standard]).classify(components, on)


def check_assay(
    *, components: dict[str, Decimal | None], sampled_on: datetime.date, today: datetime.date
) -> None:
    """Refuse an impossible composition or a sample from the future."""
    reason = impossibility(components)
    if reason:
        raise GradingError("assay_impossible", errors.ASSAY_IMPOSSIBLE, params={"reason": reason})
    if sampled_on > today:
        raise GradingError(
            "assay_in_future", errors.ASSAY_IN_FUTURE, params={"date": sampled_on.isoformat()}
        )


def record_assay(
    *,
    actor: Any,
    site: Any,
    lot: str,
    sampled_on: datetime.date,
    components: dict[str, Decimal | None],
    lab: str = "",
) -> Assay:
    """Record a laboratory assay of a lot and grade it under the standard then in force."""
    values = {name: components.get(name) for name in COMPONENTS}
    check_assay(components=values, sampled_on=sampled_on, today=timezone.localdate())
    grade = classify(components=values, on=sampled_on)
    try:
        with transaction.atomic():
            assay = Assay.objects.create(
                site=site, lot=lot, sampled_on=sampled_on, lab=lab, grade=grade, **values
            )
            record_change(actor=actor, obj=assay, action=ObjectChange.Action.CREATE)
    except IntegrityError:
        raise GradingError(
            "assay_duplicate", errors.ASSAY_DUPLICATE, params={"lot": lot}, status=409
        ) from None
    return assay
