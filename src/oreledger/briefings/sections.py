"""The briefing's sections: a registry of functions, each returning its figures as a dict.

A section reads its figures through the function the dashboards and APIs use for the same
figure (dashboards' flows and quota, trade's price index, the alerts API's filters,
inspections' campaign dashboard, appeals' ledger), so a briefing never disagrees with them.
The worklist's and the assessment's sections (tasks, reporting timeliness, ranking) read
their apps' queries the same way.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region
from oreledger.alerts.api.filters import AlertApiFilter, CaseApiFilter
from oreledger.alerts.models import Alert, AlertEvent, Case
from oreledger.appeals.models import Appeal
from oreledger.appeals.queries import ledger_figures
from oreledger.assessment.models import Scheme
from oreledger.assessment.policies import may_rank
from oreledger.assessment.queries import Period, ranking
from oreledger.briefings.errors import BriefingError
from oreledger.core.localtime import local_midnight
from oreledger.core.permissions import VIEW
from oreledger.dashboards.figures import Flow, children, flows, quota, quota_of_places, tonnes
from oreledger.dashboards.scope import Scope
from oreledger.inspections.models import Campaign
from oreledger.inspections.queries import BY_TOWN, campaign_dashboard
from oreledger.quotas.models import QuotaAccount
from oreledger.trade.queries import price_index
from oreledger.worklist.choices import TaskStatus
from oreledger.worklist.queries import reporting_timeliness, task_progress_by_group


@dataclass(frozen=True)
class Week:
    """An ISO week (Monday to Sunday, Asia/Shanghai), cut at today while it runs."""

    key: str
    monday: datetime.date
    sunday: datetime.date
    # The last day counted: Sunday, or today for the current week so far.
    until: datetime.date

    @classmethod
    def parse(cls, key: str, today: datetime.date | None = None) -> Week:
        """The week "2026-W48"; refused when malformed or still to come."""
        today = today or timezone.localdate()
        try:
            year, number = key.strip().split("-W")
            monday = datetime.date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            raise BriefingError("week_invalid", field="week") from None
        if monday > today:
            raise BriefingError("week_ahead", field="week")
        sunday = monday + datetime.timedelta(days=6)
        return cls(f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}", monday, sunday,
                   min(sunday, today))  # fmt: skip

    @classmethod
    def of(cls, day: datetime.date) -> Week:
        """The week holding `day`."""
        year, number, _weekday = day.isocalendar()
        return cls.parse(f"{year}-W{number:02d}", today=max(day, timezone.localdate()))

    @property
    def complete(self) -> bool:
        """Whether the whole week has passed."""
        return self.until == self.sunday


# How a cell is written (core.numbers): tonnes, money, a count, a share, or text.
TONNES, MONEY, COUNT, PCT, TEXT = "t", "money", "count", "pct", "text"


@dataclass(frozen=True)
class Column:
    """A column of a section's table: its heading, the figure's path in a row, its kind."""

    label: Promise | str
    path: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """A table of a section: a title, columns, and where its rows are in the figures."""

    title: Promise | str
    rows: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Section:
    """One section of the briefing: its key (in the JSON), title, figures and tables."""

    key: str
    title: Promise | str
    figures: Callable[[Scope, Week], dict[str, Any]]
    order: int
    tables: tuple[Table, ...] = ()


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, title: Promise | str, order: int, tables: tuple[Table, ...] = ()
) -> Callable[..., Any]:
    """Add a section (a decorator on its figures function); a later key replaces an earlier."""

    def add(function: Callable[[Scope, Week], dict[str, Any]]) -> Callable[..., Any]:
        _SECTIONS[key] = Section(key, title, function, order, tables)
        return function

    return add


def pick(row: Any, path: str) -> Any:
    """The figure at a dotted path of a row ("week.out_t"); None when absent."""
    for part in path.split("."):
        if not isinstance(row, dict):
            return None
        row = row.get(part)
    return row


def sections() -> list[Section]:
    """The registered sections in the briefing's order."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def _in(scope: Scope, rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.filter(region__path__startswith=scope.region.path) if scope.region else rows


def _flow_row(flow: Flow) -> dict[str, Any]:
    figures = flow.figures()
    return {"out_t": figures["out_t"], "in_t": figures["in_t"], "trucks": figures["trucks"]}


_FLOW = (
    Column(_("Out this week (t)"), "week.out_t", TONNES),
    Column(_("In this week (t)"), "week.in_t", TONNES),
    Column(_("Trips this week"), "week.trucks", COUNT),
    Column(_("Out this year (t)"), "year.out_t", TONNES),
    Column(_("In this year (t)"), "year.in_t", TONNES),
)
_QUOTA = (
    Column(_("Quota (t)"), "allocated_t", TONNES),
    Column(_("Consumed (t)"), "consumed_t", TONNES),
    Column(_("Quota used (%)"), "used_pct", PCT),
)


@register_section(
    "production",
    _("Production and sales against quota"),
    order=10,
    tables=(
        Table(_("Total"), "total", (*_FLOW, *_QUOTA)),
        Table(_("By place"), "places", (Column(_("Place"), "name"), *_FLOW, *_QUOTA)),
        Table(_("By grade"), "grades", (Column(_("Grade"), "grade"), *_FLOW)),
    ),
)
def production(scope: Scope, week: Week) -> dict[str, Any]:
    """Out and in tonnes and trips of the week and the year to date, by place and by grade.

    Tonnage is the dashboards' `flows` of the daily rollups; quota the dashboards' `quota`
    (the accounts' cached balances, as of the briefing's making).
    """
    first = week.until.replace(month=1, day=1)
    rows = scope.rollups()
    in_week = rows.filter(day__gte=week.monday, day__lte=week.until)
    in_year = rows.filter(day__gte=first, day__lte=week.until)
    kids = children(scope)
    by_site = bool(kids) and not isinstance(kids[0], Region)
    key = "site_id" if by_site else "county_id"
    week_by, year_by = flows(in_week, key), flows(in_year, key)
    accounts = QuotaAccount.objects.for_user(scope.user).filter(period__year=week.until.year)
    held = quota_of_places(kids, accounts)
    places = []
    for kid in kids:
        allocated, consumed = held.get(kid.pk, (0, 0))
        places.append(
            {
                "code": kid.code,
                "name": kid.name,
                "week": _flow_row(week_by.get(kid.pk, Flow())),
                "year": _flow_row(year_by.get(kid.pk, Flow())),
                "allocated_t": tonnes(allocated),
                "consumed_t": tonnes(consumed),
                "used_pct": round(100 * consumed / allocated, 1) if allocated else None,
            }
        )
    week_grades, year_grades = flows(in_week, "grade"), flows(in_year, "grade")
    grades = [
        {
            "grade": grade or "—",
            "week": _flow_row(week_grades.get(grade, Flow())),
            "year": _flow_row(year_grades.get(grade, Flow())),
        }
        for grade in sorted(set(week_grades) | set(year_grades), key=lambda g: g or "")
    ]
    whole = quota(scope, week.until, kids)
    return {
        "level": "site" if by_site else "county",
        "year_from": first.isoformat(),
        "total": {
            "week": _flow_row(_sum(flows(in_week, "kind"))),
            "year": _flow_row(_sum(flows(in_year, "kind"))),
            "allocated_t": whole["allocated_t"],
            "consumed_t": whole["consumed_t"],
            "remaining_t": whole["remaining_t"],
            "used_pct": whole["used_pct"],
        },
        "places": places,
        "grades": grades,
    }


def _add(total: Flow, flow: Flow) -> None:
    for name in ("out_kg", "in_kg", "trips", "held", "drawn_kg"):
        setattr(total, name, getattr(total, name) + getattr(flow, name))


def _sum(groups: dict[Any, Flow]) -> Flow:
    total = Flow()
    for flow in groups.values():
        _add(total, flow)
    return total


@register_section(
    "prices",
    _("Price index"),
    order=20,
    tables=(
        Table(
            _("Prices of the week by grade"),
            "rows",
            (
                Column(_("Grade"), "grade"),
                Column(_("Name"), "name"),
                Column(_("Delivered (t)"), "delivered_t", TONNES),
                Column(_("Delivered average (yuan/t)"), "delivered_avg", MONEY),
                Column(_("Approved (t)"), "approved_t", TONNES),
                Column(_("Approved average (yuan/t)"), "approved_avg", MONEY),
            ),
        ),
    ),
)
def prices(scope: Scope, week: Week) -> dict[str, Any]:
    """Trade's price index for the week by grade (province-wide: one market), with 4 weeks."""
    index = price_index(weeks=4, until=week.until)
    rows = []
    for grade in index["grades"]:
        this = next(w for w in grade["weeks"] if w["week"] == week.key)
        rows.append(
            {
                "grade": grade["grade"],
                "name": grade["name"],
                "delivered_t": tonnes(this["delivered_kg"]),
                "delivered_avg": this["delivered_avg"],
                "approved_t": tonnes(this["approved_kg"]),
                "approved_avg": this["approved_avg"],
                "series": [w["delivered_avg"] for w in grade["weeks"]],
            }
        )
    return {"weeks": index["weeks"], "rows": rows}


def _api_count(filterset: Any, rows: QuerySet[Any], week: Week, scope: Scope) -> int:
    """Rows counted by the API list's own filters (since, until, region) for the week."""
    params = {
        "since": local_midnight(week.monday).isoformat(),
        "until": local_midnight(week.until + datetime.timedelta(days=1)).isoformat(),
    }
    if scope.region is not None:
        params["region"] = scope.region.code
    return int(filterset(params, queryset=rows).qs.count())


@register_section(
    "alerts",
    _("Alerts and cases"),
    order=30,
    tables=(
        Table(
            _("Opened and closed this week"),
            "",
            (
                Column(_("Alerts raised"), "alerts_raised", COUNT),
                Column(_("Alerts closed"), "alerts_closed", COUNT),
                Column(_("Cases opened"), "cases_opened", COUNT),
                Column(_("Cases closed"), "cases_closed", COUNT),
            ),
        ),
    ),
)
def alerts(scope: Scope, week: Week) -> dict[str, Any]:
    """Alerts raised and closed, cases opened and closed in the week, and still active."""
    start = local_midnight(week.monday)
    end = local_midnight(week.until + datetime.timedelta(days=1))
    visible = Alert.objects.for_user(scope.user, VIEW)
    cases = Case.objects.for_user(scope.user, VIEW)
    closed_alerts = (
        AlertEvent.objects.filter(
            alert__in=_in(scope, visible), kind__in=("resolved", "escalated"), at__gte=start,
            at__lt=end,
        ).values("alert_id").distinct().count()
    )  # fmt: skip
    return {
        "alerts_raised": _api_count(AlertApiFilter, visible, week, scope),
        "alerts_closed": closed_alerts,
        "cases_opened": _api_count(CaseApiFilter, cases, week, scope),
        "cases_closed": _in(scope, cases).filter(closed_at__gte=start, closed_at__lt=end).count(),
    }


@register_section(
    "inspections",
    _("Inspections and rectification"),
    order=40,
    tables=(
        Table(
            _("Campaigns running this week"),
            "campaigns",
            (
                Column(_("Campaign"), "name"),
                Column(_("Enterprises in scope"), "in_scope", COUNT),
                Column(_("Inspected"), "inspected", COUNT),
                Column(_("Inspected (%)"), "inspected_pct", PCT),
                Column(_("Problems found"), "findings", COUNT),
                Column(_("Problems closed"), "findings_closed", COUNT),
                Column(_("Orders open"), "open_orders", COUNT),
                Column(_("Orders overdue"), "overdue_orders", COUNT),
                Column(_("Orders closed"), "closed_orders", COUNT),
            ),
        ),
    ),
)
def inspections(scope: Scope, week: Week) -> dict[str, Any]:
    """Each campaign running in the week: inspected, findings, orders open, overdue, closed."""
    campaigns = _in(scope, Campaign.objects.for_user(scope.user, VIEW)).filter(
        starts_on__lte=week.until, ends_on__gte=week.monday
    )
    rows = []
    for campaign in campaigns.order_by("starts_on", "pk"):
        total = campaign_dashboard(campaign, BY_TOWN).total
        rows.append(
            {
                "id": campaign.pk,
                "name": campaign.name,
                "in_scope": total.in_scope,
                "inspected": total.inspected,
                "inspected_pct": round(total.inspected_pct, 1),
                "findings": total.findings,
                "findings_closed": total.findings_closed,
                "open_orders": total.open_orders,
                "overdue_orders": total.overdue_orders,
                "closed_orders": total.closed_orders,
            }
        )
    return {"campaigns": rows}


@register_section(
    "appeals",
    _("Enterprise appeals"),
    order=50,
    tables=(
        Table(
            _("Appeals by county"),
            "rows",
            (
                Column(_("County"), "name"),
                Column(_("New this week"), "raised", COUNT),
                Column(_("Open"), "open", COUNT),
                Column(_("Overdue"), "overdue", COUNT),
                Column(_("Solved"), "solved", COUNT),
                Column(_("Solved within limit"), "solved_within_limit", COUNT),
            ),
        ),
    ),
)
def appeals(scope: Scope, week: Week) -> dict[str, Any]:
    """The appeals ledger of the week by county: raised, open, overdue, solved in limit."""
    rows = ledger_figures(
        since=week.monday,
        until=week.until,
        region=scope.region,
        appeals=Appeal.objects.for_user(scope.user, VIEW),
    )
    return {
        "rows": [
            {
                "code": row.key,
                "name": row.name,
                "raised": row.raised,
                "open": row.open,
                "overdue": row.overdue,
                "solved": row.solved,
                "solved_within_limit": row.solved_within_limit,
            }
            for row in rows
        ]
    }


def _region(scope: Scope) -> Region:
    return scope.region or Region.objects.get(parent__isnull=True)


@register_section(
    "tasks",
    _("Task progress by working group"),
    order=60,
    tables=(
        Table(
            _("Working groups"),
            "groups",
            (
                Column(_("Working group"), "name"),
                Column(_("Tasks"), "total", COUNT),
                Column(_("On track"), "on_track", COUNT),
                Column(_("At risk"), "at_risk", COUNT),
                Column(_("Overdue tasks"), "overdue", COUNT),
                Column(_("Done"), "done", COUNT),
                Column(_("Milestones due"), "milestones_due", COUNT),
                Column(_("Milestones met"), "milestones_met", COUNT),
                Column(_("Progress reports"), "reports", COUNT),
                Column(_("Mean progress (%)"), "mean_percent", PCT),
            ),
        ),
        Table(
            _("At risk and overdue tasks"),
            "flagged",
            (
                Column(_("Number"), "number"),
                Column(_("Task"), "title"),
                Column(_("Working group"), "group"),
                Column(_("Due"), "due"),
                Column(_("Status"), "status_label"),
            ),
        ),
    ),
)
def tasks(scope: Scope, week: Week) -> dict[str, Any]:
    """The worklist's `task_progress_by_group` for the week, and its flagged tasks."""
    groups, flagged = [], []
    for progress in task_progress_by_group(_region(scope), week.monday, today=week.until):
        groups.append(
            {
                "name": progress.group.name,
                "total": progress.total,
                **{status: progress.counts.get(status, 0) for status in TaskStatus.values},
                "milestones_due": progress.milestones_due,
                "milestones_met": progress.milestones_met,
                "reports": progress.reports,
                "mean_percent": progress.mean_percent,
            }
        )
        for task, status in progress.flagged:
            flagged.append(
                {
                    "number": task.number,
                    "title": task.title,
                    "group": progress.group.name,
                    "due": task.due.isoformat(),
                    "status": str(status.value),
                    "status_label": str(status.label),
                }
            )
    return {"groups": groups, "flagged": flagged}


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


@register_section(
    "timeliness",
    _("Data reporting timeliness"),
    order=70,
    tables=(
        Table(
            _("Weekly data confirmation by county"),
            "rows",
            (
                Column(_("County"), "name"),
                Column(_("Confirmation"), "state_label"),
                Column(_("Expected"), "expected", COUNT),
                Column(_("Reported"), "reported", COUNT),
                Column(_("On time"), "on_time", COUNT),
            ),
        ),
        Table(
            _("Reporting rates"),
            "total",
            (
                Column(_("Reporting rate (%)"), "reporting_pct", PCT),
                Column(_("On-time rate (%)"), "on_time_pct", PCT),
            ),
        ),
    ),
)
def timeliness(scope: Scope, week: Week) -> dict[str, Any]:
    """The worklist's `reporting_timeliness` of the week's confirmations (DHIS2's rates)."""
    table = reporting_timeliness(_region(scope), [week.monday], today=timezone.localdate())
    rows = []
    for row in table.rows:
        cell = row.cells[0]
        rows.append(
            {
                "code": row.region.code,
                "name": row.region.name,
                "state": str(cell.status.value),
                "state_label": str(cell.status.label),
                "expected": row.expected,
                "reported": row.reported,
                "on_time": row.on_time,
            }
        )
    total = {
        "expected": table.expected,
        "reported": table.reported,
        "on_time": table.on_time,
        "reporting_pct": _pct(table.reporting_rate),
        "on_time_pct": _pct(table.on_time_rate),
    }
    return {"grace_days": table.grace_days, "rows": rows, "total": total}


@register_section(
    "ranking",
    _("County assessment ranking"),
    order=80,
    tables=(
        Table(
            _("Ranking"),
            "rows",
            (
                Column(_("Scheme"), "scheme"),
                Column(_("Assessment period"), "period"),
                Column(_("Place in ranking"), "rank", COUNT),
                Column(_("County"), "name"),
                Column(_("Score"), "total", MONEY),
            ),
        ),
    ),
)
def assessment_ranking(scope: Scope, week: Week) -> dict[str, Any]:
    """The assessment's `ranking` of each active scheme for the period holding the week.

    Only the province sees every county side by side (`assessment.policies.may_rank`): a
    county's briefing holds its own score, anyone else's none.
    """
    region = _region(scope)
    if region.level != "county" and not may_rank(scope.user):
        return {"shown": False, "rows": []}
    rows = []
    for scheme in Scheme.objects.for_user(scope.user, VIEW).filter(active=True).order_by("code"):
        period = Period.containing(scheme.period, week.until)
        for score in ranking(scheme, period, region=region, today=week.until):
            rows.append(
                {
                    "scheme": scheme.name,
                    "period": period.label,
                    "rank": score.rank,
                    "code": score.region.code,
                    "name": score.region.name,
                    "total": str(score.total),
                }
            )
    return {"shown": True, "rows": rows}
