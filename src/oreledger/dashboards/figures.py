"""The dashboard's figures, each a plain dict the page, the big screen and the API share.

Tonnage and trucks come from the daily rollups only; quota from the accounts' cached
balances; prices from trade's index; stations from their protocol state. No figure scans
the tickets (the live feed reads the newest few through the gross_at index).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oreledger.accounts.models import Region
from oreledger.core.formats import local_datetime
from oreledger.dashboards.scope import Scope
from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.queries import with_consumption
from oreledger.registry.models import Site
from oreledger.registry.procedures import procedures_summary
from oreledger.trade.queries import price_index
from oreledger.weighing.choices import TicketKind

SILENT_AFTER = datetime.timedelta(minutes=15)  # docs/reference/rules.md station_silent


def tonnes(kg: int | None) -> float:
    """Kilograms as tonnes with 2 decimals (screens show tonnes)."""
    return round((kg or 0) / 1000, 2)


def change_pct(now: float, before: float) -> float | None:
    """The change against last year, in percent (None when there was nothing last year)."""
    if not before:
        return None
    return round(100 * (now - before) / before, 1)


def year_ago(day: datetime.date) -> datetime.date:
    """The same calendar day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def periods(today: datetime.date) -> list[tuple[str, str, datetime.date, datetime.date]]:
    """(key, label, first, last) of today, this week (from Monday) and this month."""
    return [
        ("today", _("Today"), today, today),
        ("week", _("This week"), today - datetime.timedelta(days=today.weekday()), today),
        ("month", _("This month"), today.replace(day=1), today),
    ]


@dataclass
class Flow:
    """What the tonnage figures count, from rollup rows: the one definition of out and in.

    Out is the released mine exits and in the released plant-gate entries; a checkpoint
    passage is the same load seen again on the road and other movements are no ore trade,
    so neither counts as tonnage. Trips are the released mine exits (one per load that
    left); held counts every truck a barrier stopped, wherever it was weighed.
    """

    out_kg: int = 0
    in_kg: int = 0
    trips: int = 0
    held: int = 0
    drawn_kg: int = 0

    def add(self, row: dict[str, Any]) -> None:
        """Count one rollup row (or a sum of rows of one kind and decision)."""
        if not row["released"]:
            self.held += row["trucks"]
            return
        self.drawn_kg += row.get("drawn_kg") or 0
        if row["kind"] == TicketKind.EXIT:
            self.out_kg += row["net_kg"]
            self.trips += row["trucks"]
        elif row["kind"] == TicketKind.ENTRY:
            self.in_kg += row["net_kg"]

    def figures(self) -> dict[str, Any]:
        """Tonnes and counts as every surface shows them."""
        return {
            "out_t": tonnes(self.out_kg),
            "in_t": tonnes(self.in_kg),
            "trucks": self.trips,
            "held_trucks": self.held,
            "drawn_t": tonnes(self.drawn_kg),
        }


def flows(rows: Any, *by: str) -> dict[Any, Flow]:
    """Rollup rows summed by `by` (e.g. "day"), each group's `Flow` (one query)."""
    grouped: dict[Any, Flow] = defaultdict(Flow)
    for row in (
        rows.order_by()
        .values(*by, "kind", "released")
        .annotate(trucks=Sum("trucks"), net_kg=Sum("net_kg"), drawn_kg=Sum("drawn_kg"))
    ):
        grouped[row[by[0]] if len(by) == 1 else tuple(row[b] for b in by)].add(row)
    return grouped


def _period(days: dict[datetime.date, Flow], start: datetime.date, end: datetime.date) -> Flow:
    total = Flow()
    for day, flow in days.items():
        if start <= day <= end:
            for name in ("out_kg", "in_kg", "trips", "held", "drawn_kg"):
                setattr(total, name, getattr(total, name) + getattr(flow, name))
    return total


def tonnage(scope: Scope, today: datetime.date | None = None) -> dict[str, Any]:
    """Out and in tonnage, trips and held trucks per period, against last year's same period."""
    today = today or timezone.localdate()
    spans = periods(today)
    first = min(span[2] for span in spans)
    window = Q(day__gte=first, day__lte=today) | Q(
        day__gte=year_ago(first), day__lte=year_ago(today)
    )
    days = flows(scope.rollups().filter(window), "day")
    rows = []
    for key, label, start, end in spans:
        now = _period(days, start, end).figures()
        before = _period(days, year_ago(start), year_ago(end)).figures()
        rows.append(
            {
                "period": key,
                "label": label,
                "from": start.isoformat(),
                "to": end.isoformat(),
                **now,
                "last_year_out_t": before["out_t"],
                "last_year_in_t": before["in_t"],
                "last_year_trucks": before["trucks"],
                "out_change_pct": change_pct(now["out_t"], before["out_t"]),
                "in_change_pct": change_pct(now["in_t"], before["in_t"]),
            }
        )
    return {"today": today.isoformat(), "periods": rows}


def daily_series(
    scope: Scope, days: int = 30, today: datetime.date | None = None
) -> dict[str, Any]:
    """Out and in tonnes and trips per day for the last `days` days (a chart)."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    by_day = flows(scope.rollups().filter(day__gte=first, day__lte=today), "day")
    rows = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        figures = by_day.get(day, Flow()).figures()
        rows.append(
            {
                "day": day.isoformat(),
                "out_t": figures["out_t"],
                "in_t": figures["in_t"],
                "trucks": figures["trucks"],
            }
        )
    return {"rows": rows}


def by_grade(scope: Scope, today: datetime.date | None = None) -> dict[str, Any]:
    """This month's released exit tonnage and trips by grade."""
    today = today or timezone.localdate()
    month = scope.rollups().filter(
        day__gte=today.replace(day=1), day__lte=today, kind=TicketKind.EXIT
    )
    grades = flows(month, "grade")
    rows = []
    for grade in sorted(grades):
        figures = grades[grade].figures()
        if figures["trucks"]:
            rows.append(
                {"grade": grade or "—", "out_t": figures["out_t"], "trucks": figures["trucks"]}
            )
    return {"rows": rows}


def _accounts(scope: Scope, year: int) -> Any:
    return QuotaAccount.objects.for_user(scope.user).filter(period__year=year)


def quota(
    scope: Scope, today: datetime.date | None = None, kids: list[Region | Site] | None = None
) -> dict[str, Any]:
    """This year's quota of the place in view, and of each place one level down (drill-down).

    A place's quota is the accounts it holds (the region's own account, a site's mine
    accounts, an enterprise's mines', a city's counties'); what they consumed is
    `quotas.queries.with_consumption`, the sum of the mines' ledgers below them.
    """
    year = (today or timezone.localdate()).year
    accounts = _accounts(scope, year)
    allocated = consumed = 0
    for account in with_consumption(_held(scope, accounts)):
        allocated += account.allocated_kg
        consumed += account.consumed_total_kg
    return {
        "year": year,
        **quota_figures(allocated, consumed),
        "children": _quota_rows(kids if kids is not None else children(scope), accounts),
    }


def _held(scope: Scope, accounts: Any) -> Any:
    """The accounts whose sum is the quota of the place in view."""
    mines = accounts.filter(level="mine")
    if scope.site is not None:
        return mines.filter(holder_site=scope.site)
    if scope.is_enterprise:
        return mines
    if scope.region is None:
        return accounts.filter(level="province")
    own = accounts.filter(holder_region=scope.region)
    if own.exists():
        return own
    return accounts.filter(level="county", region__path__startswith=scope.region.path)


def quota_figures(allocated: int, consumed: int) -> dict[str, Any]:
    """Allocated, consumed and remaining tonnes and the share used, as every surface shows."""
    return {
        "allocated_t": tonnes(allocated),
        "consumed_t": tonnes(consumed),
        "remaining_t": tonnes(allocated - consumed),
        "used_pct": round(100 * consumed / allocated, 1) if allocated else None,
    }


def children(scope: Scope) -> list[Region | Site]:
    """One level down: counties under a province or city, mines under a county."""
    if scope.site is not None:
        return []
    if scope.is_enterprise:
        return list(scope.sites().filter(kind="mine").order_by("code"))
    region = scope.region
    if region is None or region.level in ("province", "city"):
        regions = Region.objects.for_user(scope.user).filter(level="county")
        if region is not None:
            regions = regions.filter(path__startswith=region.path)
        return list(regions.order_by("code"))
    return list(scope.sites().filter(kind="mine").order_by("code"))


def quota_of_places(places: list[Region | Site], accounts: Any) -> dict[int, tuple[int, int]]:
    """(allocated kg, consumed kg) of each county or mine, by its id (one query)."""
    if not places:
        return {}
    if isinstance(places[0], Site):
        held, holder = accounts.filter(level="mine", holder_site__in=places), "holder_site_id"
    else:
        held, holder = accounts.filter(holder_region__in=places), "holder_region_id"
    sums: dict[int, tuple[int, int]] = {}
    for account in with_consumption(held.order_by()):
        given, used = sums.get(getattr(account, holder), (0, 0))
        sums[getattr(account, holder)] = (
            given + account.allocated_kg,
            used + account.consumed_total_kg,
        )
    return sums


def _quota_rows(kids: list[Region | Site], accounts: Any) -> list[dict[str, Any]]:
    """Quota of each child."""
    sums = quota_of_places(kids, accounts)
    key = "site" if kids and isinstance(kids[0], Site) else "region"
    return [
        {
            "code": child.code,
            "name": child.name,
            "query": {key: child.code},
            **quota_figures(*sums.get(child.pk, (0, 0))),
        }
        for child in kids
    ]


def breakdown(
    scope: Scope, today: datetime.date | None = None, quota_of: dict[str, Any] | None = None
) -> dict[str, Any]:
    """This month's tonnage and quota use of each place one level down, to drill into."""
    today = today or timezone.localdate()
    kids = children(scope)
    month = scope.rollups().filter(day__gte=today.replace(day=1), day__lte=today)
    by_site = isinstance(kids[0], Site) if kids else False
    sums = flows(month, "site_id" if by_site else "county_id")
    quota_of = quota_of or quota(scope, today, kids)
    quota_rows = {r["code"]: r for r in quota_of["children"]}
    rows = []
    for child in kids:
        figures = sums.get(child.pk, Flow()).figures()
        quota_row = quota_rows.get(child.code, {})
        rows.append(
            {
                "code": child.code,
                "name": child.name,
                "query": {"site": child.code} if by_site else {"region": child.code},
                "out_t": figures["out_t"],
                "in_t": figures["in_t"],
                "trucks": figures["trucks"],
                "allocated_t": quota_row.get("allocated_t"),
                "consumed_t": quota_row.get("consumed_t"),
                "used_pct": quota_row.get("used_pct"),
            }
        )
    return {"level": "site" if by_site else "county", "rows": rows}


def stations(scope: Scope, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Stations online (heartbeat within 15 min), silent, and never heard from."""
    now = now or timezone.now()
    cutoff = now - SILENT_AFTER
    heard = dict(scope.station_states().values_list("station_id", "last_heartbeat_at"))
    rows = []
    counts = {"online": 0, "silent": 0, "never": 0}
    for station in scope.stations().select_related("site").order_by("code"):
        beat = heard.get(station.pk)
        status = "never" if beat is None else ("online" if beat >= cutoff else "silent")
        counts[status] += 1
        rows.append(
            {
                "code": station.code,
                "name": station.name,
                "status": status,
                # ISO with the +08:00 offset for the API, and as people read it for pages.
                "last_heartbeat_at": timezone.localtime(beat).isoformat() if beat else None,
                "last_heard": local_datetime(beat),
                "url": reverse("registry:station_detail", args=[station.code]),
            }
        )
    return {**counts, "total": len(rows), "rows": rows}


def prices(weeks: int = 12) -> dict[str, Any]:
    """Trade's price index by grade (province-wide: one market), with the latest week's."""
    index = price_index(weeks=weeks)
    rows = []
    for grade in index["grades"]:
        latest = next((w for w in reversed(grade["weeks"]) if w["delivered_avg"]), None)
        approved = next((w for w in reversed(grade["weeks"]) if w["approved_avg"]), None)
        rows.append(
            {
                "grade": grade["grade"],
                "name": grade["name"],
                "delivered_avg": latest["delivered_avg"] if latest else None,
                "approved_avg": approved["approved_avg"] if approved else None,
                "series": [w["delivered_avg"] for w in grade["weeks"]],
            }
        )
    return {"weeks": index["weeks"], "rows": rows}


def procedures(scope: Scope, today: datetime.date | None = None) -> dict[str, Any]:
    """The procedures check by department: required permits valid, as a share."""
    today = today or timezone.localdate()
    summary = procedures_summary(None, today, scope.enterprises())
    rows = []
    for row in sorted(summary.rows, key=lambda r: (r.kind.ordering, r.kind.code)):
        valid = row.total - row.problems
        rows.append(
            {
                "department": row.kind.code,
                "name": str(row.kind),
                "required": row.total,
                "valid": valid,
                "problems": row.problems,
                "complete_pct": round(100 * valid / row.total, 1) if row.total else None,
            }
        )
    return {"enterprises": summary.enterprises, "rows": rows}
