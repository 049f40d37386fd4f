"""The dashboard's figures, each a plain dict the page, the big screen and the API share.

Tonnage and trucks come from the daily rollups only; quota from the accounts' cached
balances; prices from trade's index; stations from their protocol state. No figure scans
the tickets (the live feed reads the newest few through the gross_at index).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oreledger.accounts.models import Region
from oreledger.core.formats import local_datetime
from oreledger.dashboards.scope import Scope
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.models import Site

SILENT_AFTER = datetime.timedelta(minutes=15)  # docs/reference/rules.md station_silent
SUMS = ("trucks", "net_kg", "drawn_kg")


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


def tonnage(scope: Scope, today: datetime.date | None = None) -> dict[str, Any]:
    """Out and in tonnage, trucks and held trucks per period, against last year's same period."""
    today = today or timezone.localdate()
    spans = periods(today)
    first = min(span[2] for span in spans)
    window = Q(day__gte=first, day__lte=today) | Q(
        day__gte=year_ago(first), day__lte=year_ago(today)
    )
    daily: dict[tuple[datetime.date, str, bool], dict[str, int]] = {}
    for row in (
        scope.rollups()
        .filter(window)
        .order_by()
        .values("day", "direction", "released")
        .annotate(trucks=Sum("trucks"), net_kg=Sum("net_kg"), drawn_kg=Sum("drawn_kg"))
    ):
        daily[(row["day"], row["direction"], row["released"])] = row
    rows = []
    for key, label, start, end in spans:
        now = _period_sums(daily, start, end)
        before = _period_sums(daily, year_ago(start), year_ago(end))
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


def _period_sums(
    daily: dict[Any, dict[str, int]], start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    out = inbound = trucks = held = drawn = 0
    for (day, direction, released), row in daily.items():
        if not start <= day <= end:
            continue
        trucks += row["trucks"]
        if not released:
            held += row["trucks"]
            continue
        drawn += row["drawn_kg"]
        if direction == "out":
            out += row["net_kg"]
        else:
            inbound += row["net_kg"]
    return {
        "out_t": tonnes(out),
        "in_t": tonnes(inbound),
        "trucks": trucks,
        "held_trucks": held,
        "drawn_t": tonnes(drawn),
    }


def daily_series(
    scope: Scope, days: int = 30, today: datetime.date | None = None
) -> dict[str, Any]:
    """Released out/in tonnes and trucks per day for the last `days` days (a chart)."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    sums: dict[datetime.date, dict[str, int]] = defaultdict(
        lambda: {"out": 0, "in": 0, "trucks": 0}
    )
    for row in (
        scope.rollups()
        .filter(day__gte=first, day__lte=today, released=True)
        .order_by()
        .values("day", "direction")
        .annotate(net_kg=Sum("net_kg"), trucks=Sum("trucks"))
    ):
        cell = sums[row["day"]]
        cell["out" if row["direction"] == "out" else "in"] += row["net_kg"]
        cell["trucks"] += row["trucks"]
    rows = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        cell = sums[day]
        rows.append(
            {
                "day": day.isoformat(),
                "out_t": tonnes(cell["out"]),
                "in_t": tonnes(cell["in"]),
                "trucks": cell["trucks"],
            }
        )
    return {"rows": rows}


def by_grade(scope: Scope, today: datetime.date | None = None) -> dict[str, Any]:
    """This month's released exit tonnage and trucks by grade."""
    today = today or timezone.localdate()
    rows = (
        scope.rollups()
        .filter(day__gte=today.replace(day=1), day__lte=today, released=True, direction="out")
        .order_by()
        .values("grade")
        .annotate(net_kg=Sum("net_kg"), trucks=Sum("trucks"))
        .order_by("grade")
    )
    return {
        "rows": [
            {"grade": r["grade"] or "—", "out_t": tonnes(r["net_kg"]), "trucks": r["trucks"]}
            for r in rows
        ]
    }


def _accounts(scope: Scope, year: int) -> Any:
    return QuotaAccount.objects.for_user(scope.user).filter(period__year=year)


def quota(
    scope: Scope, today: datetime.date | None = None, kids: list[Region | Site] | None = None
) -> dict[str, Any]:
    """This year's quota of the place in view, and of each place one level down (drill-down).

    Consumption lives on mine accounts (counties' is the sum of their mines'); allocation
    is the holder's own account, or the sum of the counties' for a city.
    """
    year = (today or timezone.localdate()).year
    accounts = _accounts(scope, year)
    mines = accounts.filter(level="mine").select_related("holder_site")
    if scope.site is not None:
        mines = mines.filter(holder_site=scope.site)
    elif scope.region is not None:
        mines = mines.filter(region__path__startswith=scope.region.path)
    allocated, consumed = _allocation(scope, accounts, mines), _sum(mines, "consumed_kg")
    return {
        "year": year,
        **_quota_figures(allocated, consumed),
        "children": _quota_rows(kids if kids is not None else children(scope), accounts),
    }


def _sum(rows: Any, name: str) -> int:
    return int(rows.aggregate(total=Sum(name))["total"] or 0)


def _allocation(scope: Scope, accounts: Any, mines: Any) -> int:
    if scope.site is not None or scope.is_enterprise or scope.region is None:
        if scope.region is None and not scope.is_enterprise and scope.site is None:
            return _sum(accounts.filter(level="province"), "allocated_kg")
        return _sum(mines, "allocated_kg")
    own = accounts.filter(holder_region=scope.region)
    if own.exists():
        return _sum(own, "allocated_kg")
    return _sum(
        accounts.filter(level="county", region__path__startswith=scope.region.path),
        "allocated_kg",
    )


def _quota_figures(allocated: int, consumed: int) -> dict[str, Any]:
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


def _quota_rows(kids: list[Region | Site], accounts: Any) -> list[dict[str, Any]]:
    """Quota of each child in two grouped queries (not two per child)."""
    if not kids:
        return []
    if isinstance(kids[0], Site):
        sums = {
            row["holder_site_id"]: (row["a"] or 0, row["c"] or 0)
            for row in accounts.filter(level="mine", holder_site__in=kids)
            .order_by()
            .values("holder_site_id")
            .annotate(a=Sum("allocated_kg"), c=Sum("consumed_kg"))
        }
        key = "site"
    else:
        given = dict(
            accounts.filter(holder_region__in=kids).values_list("holder_region_id", "allocated_kg")
        )
        used = dict(
            accounts.filter(level="mine", parent__holder_region__in=kids)
            .order_by()
            .values_list("parent__holder_region_id")
            .annotate(c=Sum("consumed_kg"))
        )
        sums = {pk: (given.get(pk, 0), used.get(pk, 0) or 0) for pk in {k.pk for k in kids}}
        key = "region"
    return [
        {
            "code": child.code,
            "name": child.name,
            "query": {key: child.code},
            **_quota_figures(*sums.get(child.pk, (0, 0))),
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
    field = "site_id" if by_site else "county_id"
    sums: dict[int, dict[str, int]] = defaultdict(lambda: {"out": 0, "in": 0, "trucks": 0})
    for row in (
        month.order_by()
        .values(field, "direction", "released")
        .annotate(net_kg=Sum("net_kg"), trucks=Sum("trucks"))
    ):
        cell = sums[row[field]]
        cell["trucks"] += row["trucks"]
        if row["released"]:
            cell["out" if row["direction"] == "out" else "in"] += row["net_kg"]
    quota_of = quota_of or quota(scope, today, kids)
    quota_rows = {r["code"]: r for r in quota_of["children"]}
    rows = []
    for child in kids:
        cell = sums[child.pk]
        figures = quota_rows.get(child.code, {})
        rows.append(
            {
                "code": child.code,
                "name": child.name,
                "query": {"site": child.code} if by_site else {"region": child.code},
                "out_t": tonnes(cell["out"]),
                "in_t": tonnes(cell["in"]),
                "trucks": cell["trucks"],
                "allocated_t": figures.get("allocated_t"),
                "consumed_t": figures.get("consumed_t"),
                "used_pct": figures.get("used_pct"),
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
    from oreledger.trade.queries import price_index

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
    from oreledger.registry.procedures import procedures_summary

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
