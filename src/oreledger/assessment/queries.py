"""Read side of the assessment: each indicator's rate, a county's score, the ranking.

Functions other apps read (the weekly briefing) and their shapes:

- `Period.parse(kind, label)` / `Period.containing(kind, day)`: a period ("2026", "2026-Q1",
  "2026-03") with `first`, `last` and `label`.
- `county_score(scheme, county, period, today=None)` → `CountyScore`: `region`, `lines` (one
  `Line` per indicator: `indicator`, `measure` — `numerator`, `denominator`, `records` (the
  `Record`s behind the numbers: `label`, `url`, `counted`, `note`) — `rate` (Decimal 0…1,
  4 places), `points` (Decimal, 2 places), `formula` (the published text with the numbers)),
  `total` (Decimal, sum of points) and `rank` (None until ranked).
- `ranking(scheme, period, region=None, today=None)` → `list[CountyScore]`: every county
  under `region` (default: the province, all counties) by total descending, then code;
  `rank` 1, 2, … with ties sharing a rank.

Rates: numerator ÷ denominator; nothing due in the period counts as full marks (rate 1).
Points: weight × rate (proportional), or the whole weight when the rate reaches the target
(threshold). Everything is computed from the records when read: nothing is stored to drift.
`node_in_step` reads the hub's row of the county's node now, whatever the period: the hub
keeps no history of a node's backlog and lag.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from oreledger.accounts.models import Region
from oreledger.alerts.choices import EventKind
from oreledger.alerts.models import RULE_CHOICES, Alert, AlertEvent
from oreledger.appeals.queries import stages_due
from oreledger.assessment.choices import (
    EvidenceStatus,
    IndicatorKind,
    PeriodKind,
    ScoringRule,
)
from oreledger.assessment.errors import AssessmentError
from oreledger.assessment.models import Evidence, Indicator, Scheme
from oreledger.core.localtime import LOCAL, local_day, local_midnight
from oreledger.core.numbers import count
from oreledger.federation.queries import in_step
from oreledger.inspections.models import RectificationOrder
from oreledger.worklist.queries import counties_in, deadlines_met, reporting_timeliness, weeks_in

RATE = Decimal("0.0001")
POINTS = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """One assessment period: a month, a quarter or a year."""

    kind: str
    first: datetime.date
    last: datetime.date
    label: str

    @classmethod
    def parse(cls, kind: str, label: str) -> Period:
        """The period a label names ("2026", "2026-Q1", "2026-03"), of the scheme's kind."""
        patterns: dict[str, str] = {
            PeriodKind.YEAR: r"(\d{4})",
            PeriodKind.QUARTER: r"(\d{4})-Q([1-4])",
            PeriodKind.MONTH: r"(\d{4})-(0[1-9]|1[0-2])",
        }
        match = re.fullmatch(patterns.get(kind, "x^"), label or "")
        if match is None:
            raise AssessmentError("period_invalid", field="period")
        year = int(match.group(1))
        if kind == PeriodKind.YEAR:
            first, months = datetime.date(year, 1, 1), 12
        elif kind == PeriodKind.QUARTER:
            first, months = datetime.date(year, 3 * int(match.group(2)) - 2, 1), 3
        else:
            first, months = datetime.date(year, int(match.group(2)), 1), 1
        month = first.month - 1 + months
        after = datetime.date(first.year + month // 12, month % 12 + 1, 1)
        return cls(kind, first, after - datetime.timedelta(days=1), label)

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> Period:
        """The period of `kind` holding `day`."""
        labels: dict[str, str] = {
            PeriodKind.YEAR: f"{day.year}",
            PeriodKind.QUARTER: f"{day.year}-Q{(day.month - 1) // 3 + 1}",
            PeriodKind.MONTH: f"{day.year}-{day.month:02d}",
        }
        return cls.parse(kind, labels[kind])


@dataclass
class Record:
    """One record behind an indicator's numbers, and whether it counted in the numerator."""

    label: str
    url: str
    counted: bool
    note: str = ""


@dataclass
class Measure:
    """An indicator's numerator and denominator with the records behind them."""

    numerator: Decimal
    denominator: Decimal
    records: list[Record] = field(default_factory=list)

    @property
    def rate(self) -> Decimal:
        """numerator ÷ denominator, capped at 1; nothing due is full marks."""
        if not self.denominator:
            return Decimal(1)
        return min(Decimal(1), self.numerator / self.denominator).quantize(RATE, ROUND_HALF_UP)


def _url(obj: Any, detail: bool) -> str:
    """The record's page; skipped when only the numbers are wanted (the ranking)."""
    return obj.get_absolute_url() if detail and hasattr(obj, "get_absolute_url") else ""


def _entered(kind: str) -> Callable[[Region, Period, datetime.date, bool], Measure]:
    def measure(county: Region, period: Period, today: datetime.date, detail: bool) -> Measure:
        entry = Evidence.objects.filter(region=county, kind=kind, period_start=period.first).first()
        if entry is None:
            return Measure(Decimal(0), Decimal(1))
        approved = entry.status == EvidenceStatus.APPROVED
        record = Record(
            f"{entry.actual} / {entry.planned}", "", approved, entry.get_status_display()
        )
        if not approved:
            return Measure(Decimal(0), Decimal(1), [record])
        return Measure(entry.actual, entry.planned, [record])

    return measure


def _tasks(county: Region, period: Period, today: datetime.date, detail: bool) -> Measure:
    found = deadlines_met(county, period.first, min(period.last, today))
    met_tasks = {t.pk for t in found.tasks_met}
    met_milestones = {m.pk for m in found.milestones_met}
    records = [
        Record(str(t), _url(t, detail), t.pk in met_tasks, str(t.completed_on or ""))
        for t in found.tasks_due
    ] + [
        Record(
            f"{m.task.number} {m.title}", _url(m.task, detail), m.pk in met_milestones, str(m.due)
        )
        for m in found.milestones_due
    ]
    return Measure(Decimal(found.met), Decimal(found.due), records)


def _weekly(on_time: bool) -> Callable[[Region, Period, datetime.date, bool], Measure]:
    def measure(county: Region, period: Period, today: datetime.date, detail: bool) -> Measure:
        table = reporting_timeliness(county, weeks_in(period.first, period.last), today=today)
        records = [
            Record(
                f"{cell.week:%Y-%m-%d}",
                "",
                cell.status == "on_time" if on_time else cell.status in ("on_time", "late"),
                str(cell.status.label),
            )
            for row in table.rows
            for cell in row.cells
            if cell.status != "pending"
        ]
        numerator = table.on_time if on_time else table.reported
        return Measure(Decimal(numerator), Decimal(table.expected), records)

    return measure


def _span(period: Period, today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's instants, cut at the end of `today` (deadlines still to come are not due)."""
    last = min(period.last, today)
    return local_midnight(period.first), local_midnight(last + datetime.timedelta(days=1))


def _alerts(county: Region, period: Period, today: datetime.date, detail: bool) -> Measure:
    start, end = _span(period, today)
    handled = AlertEvent.objects.filter(
        alert=OuterRef("pk"),
        kind__in=(EventKind.RESOLVED, EventKind.ESCALATED),
        at__lte=OuterRef("deadline"),
    )
    alerts = (
        Alert.objects.filter(
            region__path__startswith=county.path,
            deadline__gte=start,
            deadline__lt=min(end, timezone.now()),
        )
        .annotate(in_time=Exists(handled))
        .order_by("deadline")
    )
    rules = {code: str(label) for code, label in RULE_CHOICES} if detail else {}
    records = [
        Record(
            f"{rules.get(a.rule, a.rule)} {a.subject_ref}",
            _url(a, detail),
            a.in_time,
            f"{a.deadline.astimezone(LOCAL):%Y-%m-%d %H:%M}",
        )
        for a in alerts
    ]
    return Measure(Decimal(sum(r.counted for r in records)), Decimal(len(records)), records)


def _orders(county: Region, period: Period, today: datetime.date, detail: bool) -> Measure:
    orders = RectificationOrder.objects.filter(
        region__path__startswith=county.path,
        deadline__range=(period.first, min(period.last, today - datetime.timedelta(days=1))),
    ).order_by("deadline", "number")
    records = []
    for order in orders:
        closed = order.closed_at is not None and local_day(order.closed_at) <= order.deadline
        records.append(Record(order.number, _url(order, detail), closed, str(order.deadline)))
    return Measure(Decimal(sum(r.counted for r in records)), Decimal(len(records)), records)


def _appeals(county: Region, period: Period, today: datetime.date, detail: bool) -> Measure:
    start, end = _span(period, today)
    records = [
        Record(
            f"{s.appeal.number} {s.get_stage_display()}",
            _url(s.appeal, detail),
            s.in_time,  # type: ignore[attr-defined]  # annotated by stages_due
            f"{s.due_at.astimezone(LOCAL):%Y-%m-%d %H:%M}",
        )
        for s in stages_due(region=county, since=start, until=end)
    ]
    return Measure(Decimal(sum(r.counted for r in records)), Decimal(len(records)), records)


def _node(county: Region, period: Period, today: datetime.date, detail: bool) -> Measure:
    """The county's node, backlog and lag each in step or not (federation.queries.in_step),
    read as the hub holds them now whatever the period; no node: nothing due (the county
    works on the hub itself)."""
    standing = in_step(county.code)
    if standing is None:
        return Measure(Decimal(0), Decimal(0))
    silent = "" if standing.heard else _("not heard from for over an hour")
    if standing.lag_seconds is None:
        lag = _("Lag: no change applied yet")
    else:
        lag = _("Lag: %(minutes)s minutes") % {"minutes": count(standing.lag_seconds // 60)}
    records = [
        Record(
            _("Backlog: %(changes)s changes waiting") % {"changes": count(standing.backlog)},
            "",
            standing.backlog_in_step,
            silent,
        ),
        Record(lag, "", standing.lag_in_step, silent),
    ]
    return Measure(Decimal(sum(r.counted for r in records)), Decimal(len(records)), records)


MEASURES: dict[str, Callable[[Region, Period, datetime.date, bool], Measure]] = {
    IndicatorKind.FUNDING: _entered(IndicatorKind.FUNDING),
    IndicatorKind.STAFFING: _entered(IndicatorKind.STAFFING),
    IndicatorKind.TASKS_ON_TIME: _tasks,
    IndicatorKind.REPORTING_RATE: _weekly(on_time=False),
    IndicatorKind.ON_TIME_RATE: _weekly(on_time=True),
    IndicatorKind.ALERTS_IN_TIME: _alerts,
    IndicatorKind.ORDERS_ON_TIME: _orders,
    IndicatorKind.APPEALS_IN_TIME: _appeals,
    IndicatorKind.NODE_IN_STEP: _node,
}


def measure(
    kind: str, county: Region, period: Period, today: datetime.date, detail: bool = True
) -> Measure:
    """An indicator's numerator, denominator and records (with their pages when `detail`)."""
    return MEASURES[kind](county, period, today, detail)


def points(indicator: Indicator, rate: Decimal) -> Decimal:
    """The points a rate earns under the indicator's rule."""
    if indicator.rule == ScoringRule.THRESHOLD:
        earned = indicator.weight if rate >= indicator.target else Decimal(0)
    else:
        earned = indicator.weight * rate
    return earned.quantize(POINTS, ROUND_HALF_UP)


def plain(number: Decimal) -> str:
    """A count or amount without trailing zeros and never in exponent form (200, not 2E+2)."""
    return f"{number.normalize():f}"


def formula(indicator: Indicator, m: Measure, earned: Decimal) -> str:
    """The published formula of one line, with its numbers."""
    values = {
        "num": plain(m.numerator),
        "den": plain(m.denominator),
        "rate": m.rate,
        "weight": indicator.weight,
        "target": indicator.target,
        "points": earned,
    }
    if not m.denominator:
        return _("nothing due: rate 1; %(weight)s × 1 = %(points)s") % values
    if indicator.rule == ScoringRule.THRESHOLD:
        return (
            _("%(num)s ÷ %(den)s = %(rate)s; %(weight)s if ≥ %(target)s, else 0 → %(points)s")
            % values
        )
    return _("%(num)s ÷ %(den)s = %(rate)s; %(weight)s × %(rate)s = %(points)s") % values


@dataclass
class Line:
    """One indicator's numbers, rate, points and formula for a county."""

    indicator: Indicator
    measure: Measure
    rate: Decimal
    points: Decimal
    formula: str


@dataclass
class CountyScore:
    """A county's score for one period, line by line."""

    region: Region
    lines: list[Line]
    total: Decimal
    rank: int | None = None


def county_score(
    scheme: Scheme,
    county: Region,
    period: Period,
    today: datetime.date | None = None,
    *,
    detail: bool = True,
    indicators: list[Indicator] | None = None,
) -> CountyScore:
    """A county's score line by line, each with its formula and records (see above)."""
    today = today or local_day(timezone.now())
    lines = []
    for indicator in scheme.indicators.all() if indicators is None else indicators:
        m = measure(indicator.kind, county, period, today, detail)
        earned = points(indicator, m.rate)
        lines.append(Line(indicator, m, m.rate, earned, formula(indicator, m, earned)))
    return CountyScore(county, lines, sum((line.points for line in lines), Decimal("0.00")))


def ranking(
    scheme: Scheme,
    period: Period,
    region: Region | None = None,
    today: datetime.date | None = None,
) -> list[CountyScore]:
    """Every county's score, best first, ties sharing a rank (see above)."""
    if region is None:
        region = Region.objects.get(parent__isnull=True, level="province")
    # The ranking shows numbers only: the records' labels and pages are left out.
    indicators = list(scheme.indicators.all())
    scores = [
        county_score(scheme, c, period, today, detail=False, indicators=indicators)
        for c in counties_in(region)
    ]
    scores.sort(key=lambda s: (-s.total, s.region.code))
    previous: Decimal | None = None
    for position, score in enumerate(scores, start=1):
        score.rank = scores[position - 2].rank if score.total == previous else position
        previous = score.total
    return scores
