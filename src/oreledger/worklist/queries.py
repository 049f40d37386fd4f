"""Read side of the worklist: task status, progress by group, reporting timeliness.

The functions other apps read (the weekly briefing, the county assessment) and their shapes:

- `task_status(task, today)` → `TaskStatus`: the one rule (`STATUS_RULE`, shown on the pages);
  `task_standing(task, today)` → `Standing`: the status and the clause that applies to the task.
- `task_progress_by_group(region, week, today=None)` → `list[GroupProgress]`, one per working
  group with tasks in `region`, in the group's order: `group`, `counts` ({status: n} for the
  four `TaskStatus` values), `total`, `milestones_due` / `milestones_met` (due in the week,
  met by their date), `reports` (progress reports for the week), `mean_percent` (mean latest
  percent, None without reports), `flagged` (list of `(task, status)` at risk or overdue).
  Statuses are as of the week's Sunday, or `today` if the week is still running.
- `reporting_timeliness(region, weeks, today=None)` → `TimelinessTable`: `rows` (one
  `CountyTimeliness` per county under `region`, by code: `region`, `cells` — one `WeekCell`
  (`week`, `status`, `confirmed_at`) per week — `expected`, `reported`, `on_time`,
  `reporting_rate`, `on_time_rate`), and the same five totals over all counties. DHIS2's
  definitions: a week is reported once confirmed; on time when confirmed by the end of its
  Sunday plus the province's grace days; a week not confirmed whose deadline has not passed
  is `pending` and not expected yet; rates are `reported ÷ expected` and `on_time ÷ expected`
  (None when nothing is expected).
- `deadlines_met(region, first, last)` → `DeadlineRecords`: tasks and milestones due in
  [first, last] under `region`, and which of them were done by their date (the assessment).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.choices import RegionLevel
from oreledger.accounts.models import Region
from oreledger.core.localtime import LOCAL, local_day, local_midnight
from oreledger.worklist.choices import TaskStatus, Timeliness
from oreledger.worklist.models import (
    Milestone,
    ProgressReport,
    ReportingRules,
    Task,
    WeeklyConfirmation,
    WorkingGroup,
)

# A report this many points behind the share of time elapsed puts a task at risk.
BEHIND_POINTS = 25

STATUS_RULE = _(
    "Done: a completion date is recorded. Overdue: not done and the due date has passed "
    "(a task due today is not overdue yet). At risk: not done, and either a milestone is past "
    "its date with no progress report since, or the latest report is more than 25 points "
    "behind the share of time elapsed. On track: everything else."
)


def today_local() -> datetime.date:
    """The province's calendar day now."""
    return local_day(timezone.now())


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week holding `day`."""
    return day - datetime.timedelta(days=day.weekday())


def weeks_in(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The Mondays of the weeks starting within [first, last]."""
    monday = week_of(first)
    if monday < first:
        monday += datetime.timedelta(days=7)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks


def recent_weeks(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of the last `count` weeks, this week last."""
    this_week = week_of(today or today_local())
    return [this_week - datetime.timedelta(days=7 * n) for n in range(count - 1, -1, -1)]


def _elapsed_percent(task: Task, today: datetime.date) -> float:
    span = (task.due - task.start).days
    if span <= 0:
        return 100.0
    return max(0.0, min(100.0, 100.0 * (today - task.start).days / span))


@dataclass(frozen=True)
class Standing:
    """A task's status and the clause of `STATUS_RULE` that put it there, for this task."""

    status: TaskStatus
    reason: str


def task_standing(
    task: Task,
    today: datetime.date | None = None,
    *,
    milestones: Iterable[Milestone] | None = None,
    reports: Iterable[ProgressReport] | None = None,
) -> Standing:
    """Where a task stands on `today` and why (the one rule, `STATUS_RULE`)."""
    today = today or today_local()
    if task.completed_on is not None and task.completed_on <= today:
        return Standing(
            TaskStatus.DONE,
            _("Done: completed on %(day)s.") % {"day": task.completed_on.isoformat()},
        )
    if today > task.due:
        return Standing(
            TaskStatus.OVERDUE,
            _("Overdue: not done and due on %(day)s.") % {"day": task.due.isoformat()},
        )
    milestones = list(task.milestones.all() if milestones is None else milestones)
    reports = [
        r for r in (task.reports.all() if reports is None else reports) if r.reported_on <= today
    ]
    for milestone in milestones:
        missed = milestone.due < today and (milestone.done_on is None or milestone.done_on > today)
        if missed and not any(r.reported_on > milestone.due for r in reports):
            return Standing(
                TaskStatus.AT_RISK,
                _(
                    "At risk: the milestone “%(title)s” was due on %(day)s and no progress "
                    "report has come since."
                )
                % {"title": milestone.title, "day": milestone.due.isoformat()},
            )
    elapsed = round(_elapsed_percent(task, today))
    if reports:
        latest = max(reports, key=lambda r: (r.week, r.reported_on, r.pk or 0))
        if latest.percent + BEHIND_POINTS < _elapsed_percent(task, today):
            return Standing(
                TaskStatus.AT_RISK,
                _(
                    "At risk: the latest report says %(percent)s%% done while %(elapsed)s%% of "
                    "the time has passed (more than %(points)s points behind)."
                )
                % {"percent": latest.percent, "elapsed": elapsed, "points": BEHIND_POINTS},
            )
        return Standing(
            TaskStatus.ON_TRACK,
            _(
                "On track: the latest report says %(percent)s%% done with %(elapsed)s%% of the "
                "time passed, and no milestone is missed."
            )
            % {"percent": latest.percent, "elapsed": elapsed},
        )
    return Standing(
        TaskStatus.ON_TRACK,
        str(_("On track: not yet due, no milestone missed, no report behind time.")),
    )


def task_status(
    task: Task,
    today: datetime.date | None = None,
    *,
    milestones: Iterable[Milestone] | None = None,
    reports: Iterable[ProgressReport] | None = None,
) -> TaskStatus:
    """Where a task stands on `today` (the one rule, `STATUS_RULE`)."""
    return task_standing(task, today, milestones=milestones, reports=reports).status


def with_progress(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with their milestones and reports (in the models' order) fetched alongside."""
    return tasks.prefetch_related("milestones", "reports")


def statuses(tasks: Iterable[Task], today: datetime.date | None = None) -> dict[int, TaskStatus]:
    """Each task's status (prefetch with `with_progress` first)."""
    today = today or today_local()
    return {
        t.pk: task_status(t, today, milestones=t.milestones.all(), reports=t.reports.all())
        for t in tasks
    }


def tasks_in(region: Region) -> QuerySet[Task]:
    """The tasks whose responsible unit is in `region` or below."""
    return Task.objects.filter(region__path__startswith=region.path)


@dataclass
class GroupProgress:
    """A working group's tasks in a region, as of one week."""

    group: WorkingGroup
    counts: dict[str, int]
    total: int = 0
    milestones_due: int = 0
    milestones_met: int = 0
    reports: int = 0
    mean_percent: float | None = None
    flagged: list[tuple[Task, TaskStatus]] = field(default_factory=list)


def task_progress_by_group(
    region: Region, week: datetime.date, today: datetime.date | None = None
) -> list[GroupProgress]:
    """Each working group's task statuses, milestones and reports for one week (see above)."""
    today = today or today_local()
    sunday = week + datetime.timedelta(days=6)
    as_of = min(today, sunday)
    tasks = list(with_progress(tasks_in(region).select_related("group")).order_by("number"))
    by_group: dict[int, GroupProgress] = {}
    percents: dict[int, list[int]] = {}
    for task in tasks:
        progress = by_group.setdefault(
            task.group_id, GroupProgress(task.group, {s.value: 0 for s in TaskStatus})
        )
        milestones = list(task.milestones.all())
        reports = list(task.reports.all())
        status = task_status(task, as_of, milestones=milestones, reports=reports)
        progress.counts[status.value] += 1
        progress.total += 1
        if status in (TaskStatus.AT_RISK, TaskStatus.OVERDUE):
            progress.flagged.append((task, status))
        for m in milestones:
            if week <= m.due <= sunday:
                progress.milestones_due += 1
                progress.milestones_met += m.done_on is not None and m.done_on <= m.due
        progress.reports += sum(1 for r in reports if r.week == week)
        known = [r for r in reports if r.week <= week]
        if known:
            percents.setdefault(task.group_id, []).append(known[0].percent)
    for group_id, values in percents.items():
        by_group[group_id].mean_percent = round(sum(values) / len(values), 1)
    return sorted(by_group.values(), key=lambda p: (p.group.ordering, p.group.pk))


@dataclass
class WeekCell:
    """One county's confirmation state for one week."""

    week: datetime.date
    status: Timeliness
    confirmed_at: datetime.datetime | None = None
    confirmation: WeeklyConfirmation | None = None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class CountyTimeliness:
    """A county's weeks: expected, reported and on time."""

    region: Region
    cells: list[WeekCell]
    expected: int = 0
    reported: int = 0
    on_time: int = 0

    @property
    def reporting_rate(self) -> float | None:
        """Confirmed weeks ÷ expected weeks."""
        return _rate(self.reported, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        """Weeks confirmed on time ÷ expected weeks."""
        return _rate(self.on_time, self.expected)


@dataclass
class TimelinessTable:
    """Every county's weeks and the totals over all of them."""

    weeks: list[datetime.date]
    grace_days: int
    rows: list[CountyTimeliness]
    expected: int = 0
    reported: int = 0
    on_time: int = 0

    @property
    def reporting_rate(self) -> float | None:
        """Confirmed weeks ÷ expected weeks, all counties."""
        return _rate(self.reported, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        """Weeks confirmed on time ÷ expected weeks, all counties."""
        return _rate(self.on_time, self.expected)


def counties_in(region: Region) -> QuerySet[Region]:
    """The counties at or under `region`, by code."""
    return Region.objects.filter(path__startswith=region.path, level=RegionLevel.COUNTY).order_by(
        "code"
    )


def week_state(
    week: datetime.date,
    confirmation: WeeklyConfirmation | None,
    rules: ReportingRules,
    today: datetime.date,
) -> Timeliness:
    """On time, late, missing or pending (the DHIS2 definitions above)."""
    deadline = rules.deadline(week)
    if confirmation is not None:
        local_date = confirmation.confirmed_at.astimezone(LOCAL).date()
        return Timeliness.ON_TIME if local_date <= deadline else Timeliness.LATE
    return Timeliness.MISSING if today > deadline else Timeliness.PENDING


def reporting_timeliness(
    region: Region, weeks: Sequence[datetime.date], today: datetime.date | None = None
) -> TimelinessTable:
    """Each county's weekly confirmations over `weeks` (Mondays), with DHIS2's rates."""
    today = today or today_local()
    rules = ReportingRules.current()
    weeks = sorted(set(weeks))
    counties = list(counties_in(region))
    found = {
        (c.region_id, c.week): c
        for c in WeeklyConfirmation.objects.filter(
            region__in=counties, week__in=weeks
        ).select_related("confirmed_by")
    }
    table = TimelinessTable(weeks=list(weeks), grace_days=rules.grace_days, rows=[])
    for county in counties:
        row = CountyTimeliness(region=county, cells=[])
        for week in weeks:
            confirmation = found.get((county.pk, week))
            state = week_state(week, confirmation, rules, today)
            row.cells.append(
                WeekCell(
                    week,
                    state,
                    confirmation.confirmed_at if confirmation else None,
                    confirmation,
                )
            )
            if state != Timeliness.PENDING:
                row.expected += 1
            row.reported += state in (Timeliness.ON_TIME, Timeliness.LATE)
            row.on_time += state == Timeliness.ON_TIME
        table.rows.append(row)
        table.expected += row.expected
        table.reported += row.reported
        table.on_time += row.on_time
    return table


@dataclass
class DeadlineRecords:
    """Tasks and milestones due in a period, and those done by their date."""

    tasks_due: list[Task]
    tasks_met: list[Task]
    milestones_due: list[Milestone]
    milestones_met: list[Milestone]

    @property
    def due(self) -> int:
        """Tasks plus milestones due."""
        return len(self.tasks_due) + len(self.milestones_due)

    @property
    def met(self) -> int:
        """Tasks plus milestones done by their date."""
        return len(self.tasks_met) + len(self.milestones_met)


def deadlines_met(region: Region, first: datetime.date, last: datetime.date) -> DeadlineRecords:
    """Tasks and milestones due in [first, last] under `region` and which were met in time."""
    tasks = list(tasks_in(region).filter(due__range=(first, last)).order_by("due", "number"))
    milestones = list(
        Milestone.objects.filter(
            task__region__path__startswith=region.path, due__range=(first, last)
        )
        .select_related("task")
        .order_by("due", "pk")
    )
    return DeadlineRecords(
        tasks_due=tasks,
        tasks_met=[t for t in tasks if t.completed_on is not None and t.completed_on <= t.due],
        milestones_due=milestones,
        milestones_met=[m for m in milestones if m.done_on is not None and m.done_on <= m.due],
    )


def confirmation_deadline(week: datetime.date) -> datetime.datetime:
    """The instant a week's confirmation stops counting as on time."""
    rules = ReportingRules.current()
    return local_midnight(rules.deadline(week) + datetime.timedelta(days=1))
