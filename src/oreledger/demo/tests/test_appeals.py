"""The demo's appeals: every stage in every county, and the ledger agrees with the raw rows.

A tiny demo province through the real importer, then the demo's appeals through the appeals
services; the ledger's figures (open, overdue, solved within limit, satisfaction per county
and per department) are counted again here straight from the rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from oreledger.alerts.models import Alert
from oreledger.appeals.choices import OPEN_STATUSES, AppealClass, AppealStatus, Closure, Stage
from oreledger.appeals.models import Appeal, Notice, Routing, StageRecord
from oreledger.appeals.queries import COUNTY, DEPARTMENT, ledger_figures
from oreledger.core.localtime import local_midnight
from oreledger.demo.appeals import PER_COUNTY, SCENARIOS, create_demo_appeals
from oreledger.simulator.tests.test_simulator import _load_tiny_province

pytestmark = pytest.mark.django_db


def test_every_step_of_a_scenario_has_happened_at_whatever_hour_the_demo_loads() -> None:
    # an appeal is raised at least four fifths of its scenario's age ago
    for name, days_ago, steps in SCENARIOS:
        assert all(step.hours < days_ago * 0.8 * 24 for step in steps), name


@pytest.fixture
def demo(tmp_path: Any) -> dict[str, int]:
    _load_tiny_province(tmp_path)
    return create_demo_appeals(seed=5, now=timezone.now())


def test_every_county_has_a_dozen_appeals_in_every_stage(demo: dict[str, int]) -> None:
    assert demo["counties"] >= 1 and demo["appeals"] == PER_COUNTY * demo["counties"]
    for region_id in Appeal.objects.values_list("region_id", flat=True).distinct():
        appeals = Appeal.objects.filter(region_id=region_id)
        assert appeals.count() == PER_COUNTY
        statuses = set(appeals.values_list("status", flat=True))
        assert statuses == set(AppealStatus.values)
        assert appeals.filter(appeal_class=AppealClass.COMPLEX).exists()
        assert appeals.filter(reclass_requested_at__isnull=False).exists()
        assert set(appeals.exclude(closure="").values_list("closure", flat=True)) == set(
            Closure.values
        )
        assert appeals.filter(return_visit_at__isnull=False).exists()
        assert appeals.filter(satisfaction__isnull=False).exists()
    # and the histories are in the past, in order, with the overdue ones told
    now = timezone.now()
    assert not StageRecord.objects.filter(started_at__gt=now).exists()
    assert not StageRecord.objects.filter(done_at__lt=F("started_at")).exists()
    assert Notice.objects.exists()
    assert Alert.objects.filter(rule="appeal_overdue").exists()


def _raw(since: datetime.datetime, until: datetime.datetime, by: str) -> dict[str, tuple]:
    """The ledger's figures counted straight from the rows, keyed by the row's name."""
    appeals = {
        a.pk: a for a in Appeal.objects.filter(created_at__lt=until).select_related("region")
    }
    keys: dict[int, list[str]] = defaultdict(list)
    if by == DEPARTMENT:
        for routing in Routing.objects.filter(appeal_id__in=appeals).select_related(
            "department__kind", "department__region"
        ):
            keys[routing.appeal_id].append(str(routing.department))
    else:
        for appeal in appeals.values():
            keys[appeal.pk].append(str(appeal.region.name))
    table: dict[str, list[Any]] = defaultdict(lambda: [0, 0, 0, 0, []])
    for pk, appeal in appeals.items():
        stages = list(StageRecord.objects.filter(appeal_id=pk))
        for key in keys[pk]:
            row = table[key]
            is_open = appeal.status in OPEN_STATUSES
            row[0] += is_open
            row[1] += is_open and any(s.done_at is None and s.due_at < until for s in stages)
            solve = [s for s in stages if s.stage == Stage.SOLVE and s.done_at is not None]
            row[2] += sum(1 for s in solve if s.done_at >= since)
            row[3] += sum(1 for s in solve if s.done_at >= since and s.done_at <= s.due_at)
            if appeal.closure == Closure.CONFIRMED and appeal.closed_at >= since:
                row[4].append(appeal.satisfaction)
    return {
        key: (o, late, solved, within, round(sum(r) / len(r), 4) if r else None)
        for key, (o, late, solved, within, r) in table.items()
    }


@pytest.mark.parametrize("by", [COUNTY, DEPARTMENT])
def test_the_ledger_agrees_with_the_raw_rows(demo: dict[str, int], by: str) -> None:
    # given the demo's appeals, and the ledger of the last sixty days to today
    today = timezone.localdate()
    since = today - datetime.timedelta(days=60)
    figures = ledger_figures(since=since, until=today, by=by)
    # then each row's figures are the counts of the raw rows
    raw = _raw(local_midnight(since), timezone.now(), by)
    shown = {
        f.name: (
            f.open,
            f.overdue,
            f.solved,
            f.solved_within_limit,
            round(f.satisfaction, 4) if f.satisfaction is not None else None,
        )
        for f in figures
    }
    assert shown == raw
    # and the demo shows something in each column
    assert sum(f.overdue for f in figures) > 0
    assert 0 < sum(f.solved_within_limit for f in figures) < sum(f.solved for f in figures)
