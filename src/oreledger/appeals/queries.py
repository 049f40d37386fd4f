"""Read side of the appeals desk: countdowns and the ledger's figures (open, overdue, solved…).

`ledger_figures` is the one function the ledger pages, their exports and the weekly briefing
read; `stages_due` the county assessment's appeals indicator: the same definitions everywhere.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oreledger.accounts.models import Department, Region
from oreledger.appeals.choices import OPEN_STATUSES, Closure, Stage
from oreledger.appeals.models import Appeal, Routing, StageRecord
from oreledger.core.localtime import local_midnight

COUNTY = "county"
DEPARTMENT = "department"


def _span(seconds: int) -> tuple[int, int, int]:
    days, rest = divmod(seconds, 86400)
    return days, rest // 3600, (rest % 3600) // 60


def countdown(due_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """The time left ("剩余 2 天 3 小时") or past the limit ("已超期 1 小时").

    A stage due exactly now is not late yet.
    """
    now = now or timezone.now()
    seconds = int((due_at - now).total_seconds())
    late = seconds < 0
    days, hours, minutes = _span(abs(seconds))
    values = {"days": days, "hours": hours, "minutes": minutes}
    if days:
        text = _("%(days)d d %(hours)d h overdue") if late else _("%(days)d d %(hours)d h left")
    elif hours:
        text = _("%(hours)d h overdue") if late else _("%(hours)d h left")
    else:
        text = _("%(minutes)d min overdue") if late else _("%(minutes)d min left")
    return text % values


def overdue_now(now: datetime.datetime | None = None) -> Q:
    """Open appeals with a running stage past its limit (a filter on Appeal)."""
    now = now or timezone.now()
    late = StageRecord.objects.filter(appeal=OuterRef("pk"), done_at__isnull=True, due_at__lt=now)
    return Q(Exists(late), status__in=OPEN_STATUSES)


def running_stage(appeal: Appeal) -> StageRecord | None:
    """The stage the appeal is in now (None once solved or closed)."""
    if appeal.status not in OPEN_STATUSES:
        return None
    return appeal.stages.filter(done_at__isnull=True).order_by("-started_at").first()


@dataclass
class Figures:
    """An office's or a department's appeals in a period (as of its end)."""

    # The region's code, or the department's id: what the list's drill-down filters by.
    key: str
    name: str
    raised: int = 0
    open: int = 0
    overdue: int = 0
    solved: int = 0
    solved_within_limit: int = 0
    ratings: list[int] = field(default_factory=list)

    @property
    def satisfaction(self) -> float | None:
        """The average rating of the appeals the enterprise closed in the period (1–5)."""
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def within_limit_share(self) -> float | None:
        """Solved within the limit, as a share of solved (percent)."""
        return 100 * self.solved_within_limit / self.solved if self.solved else None


def appeal_figures(
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    by: str = COUNTY,
    appeals: QuerySet[Appeal] | None = None,
) -> list[Figures]:
    """Per county (the appeal's region) or per responsible department, for [since, until).

    raised: appeals raised in the period; open: raised before `until` and not closed by then;
    overdue: of those, with a stage past its limit at `until`; solved and solved within limit:
    solution stages finished in the period; satisfaction: ratings of appeals the enterprise
    closed in the period. `appeals` is the reader's scope (`Appeal.objects.for_user(user)`);
    all appeals when None (a system report).

    A period that has not ended yet is counted as of now: tonight's limits are not overdue
    this morning, and nothing can have happened after now.
    """
    until = min(until, timezone.now())
    scope = (appeals if appeals is not None else Appeal.objects.all()).filter(created_at__lt=until)
    rows = list(
        scope.values("pk", "region_id", "created_at", "closed_at", "closure", "satisfaction")
    )
    ids = [row["pk"] for row in rows]
    stages: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for stage in StageRecord.objects.filter(appeal_id__in=ids, started_at__lt=until).values(
        "appeal_id", "stage", "due_at", "done_at"
    ):
        stages[stage["appeal_id"]].append(dict(stage))
    if by == DEPARTMENT:
        keys: dict[int, list[int]] = defaultdict(list)
        for appeal_id, department_id in Routing.objects.filter(
            appeal_id__in=ids, routed_at__lt=until
        ).values_list("appeal_id", "department_id"):
            keys[appeal_id].append(department_id)
        wanted = {k for v in keys.values() for k in v}
        departments = Department.objects.filter(pk__in=wanted).select_related("kind", "region")
        labels = {d.pk: (str(d.pk), str(d)) for d in departments}
    else:
        keys = {row["pk"]: [row["region_id"]] for row in rows}
        regions = Region.objects.filter(pk__in={row["region_id"] for row in rows})
        labels = {r.pk: (r.code, str(r.name)) for r in regions}
    table: dict[int, Figures] = {}
    for row in rows:
        for key in keys.get(row["pk"], []):
            code, name = labels.get(key, (str(key), ""))
            figures = table.setdefault(key, Figures(key=code, name=name))
            _count(figures, dict(row), stages[row["pk"]], since, until)
    return sorted(table.values(), key=lambda f: f.name)


def ledger_figures(
    *,
    since: datetime.date,
    until: datetime.date,
    by: str = COUNTY,
    region: Region | None = None,
    appeals: QuerySet[Appeal] | None = None,
) -> list[Figures]:
    """The appeals ledger for the local days `since` to `until` (both included), as of its end.

    The ledger pages and their exports call this; so will the weekly briefing and the county
    assessment (issue 19): `ledger_figures(region=county, since=monday, until=sunday)`.
    `region` keeps the appeals of that region and the counties below it; `appeals` is the
    reader's scope (all appeals when None).
    """
    scope = appeals if appeals is not None else Appeal.objects.all()
    if region is not None:
        scope = scope.filter(region__path__startswith=region.path)
    return appeal_figures(
        since=local_midnight(since),
        until=local_midnight(until + datetime.timedelta(days=1)),
        by=by,
        appeals=scope,
    )


def stages_due(
    *, region: Region, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[StageRecord]:
    """The stages of a region's appeals whose limit fell in [since, until), each marked in_time.

    A stage counts as done in time when it was finished at or before its limit; limits still
    to come (after now) are not due yet. The county assessment's appeals indicator reads this.
    """
    done_in_time = Q(done_at__isnull=False, done_at__lte=F("due_at"))
    return (
        StageRecord.objects.filter(
            appeal__region__path__startswith=region.path,
            due_at__gte=since,
            due_at__lt=min(until, timezone.now()),
        )
        .annotate(in_time=ExpressionWrapper(done_in_time, output_field=BooleanField()))
        .select_related("appeal")
        .order_by("due_at", "pk")
    )


def _count(
    figures: Figures,
    row: dict[str, Any],
    stages: list[dict[str, Any]],
    since: datetime.datetime,
    until: datetime.datetime,
) -> None:
    if row["created_at"] >= since:
        figures.raised += 1
    closed = row["closed_at"] is not None and row["closed_at"] < until
    if not closed:
        figures.open += 1
        if any(
            s["due_at"] < until and (s["done_at"] is None or s["done_at"] >= until) for s in stages
        ):
            figures.overdue += 1
    for s in stages:
        done = s["done_at"]
        if s["stage"] == Stage.SOLVE and done is not None and since <= done < until:
            figures.solved += 1
            if done <= s["due_at"]:
                figures.solved_within_limit += 1
    if (
        closed
        and row["closure"] == Closure.CONFIRMED
        and row["closed_at"] >= since
        and row["satisfaction"] is not None
    ):
        figures.ratings.append(row["satisfaction"])
