"""Read-side queries of the quota ledger: burn rates, forecasts and burn-down series."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from oreledger.core.localtime import LOCAL
from oreledger.quotas.choices import CONSUMPTION_KINDS, AccountLevel
from oreledger.quotas.models import LedgerEntry, QuotaAccount

BURN_WINDOW_DAYS = 30


def with_figures(queryset: QuerySet[QuotaAccount], *, now: datetime.datetime | None = None) -> Any:
    """Annotate remaining_kg and recent_kg (net consumption over the burn window)."""
    since = (now or timezone.now()) - datetime.timedelta(days=BURN_WINDOW_DAYS)
    recent = (
        LedgerEntry.objects.filter(
            account=OuterRef("pk"), kind__in=CONSUMPTION_KINDS, at__gte=since
        )
        .order_by()
        .values("account")
        .annotate(total=Sum("amount_kg"))
        .values("total")
    )
    return queryset.annotate(
        remaining=ExpressionWrapper(
            F("allocated_kg") - F("consumed_kg"), output_field=BigIntegerField()
        ),
        recent_kg=Coalesce(Subquery(recent, output_field=BigIntegerField()), Value(0)),
    )


def burn_rate_t_per_day(account: Any) -> float:
    """Average net draw per day over the burn window, in tonnes."""
    return round(getattr(account, "recent_kg", 0) / BURN_WINDOW_DAYS / 1000, 2)


def forecast_exhaustion(account: Any, today: datetime.date | None = None) -> datetime.date | None:
    """The day the remaining quota runs out at the recent burn rate (None if it does not)."""
    today = today or timezone.localdate()
    remaining = account.allocated_kg - account.consumed_kg
    if remaining <= 0:
        return today
    per_day = getattr(account, "recent_kg", 0) / BURN_WINDOW_DAYS
    if per_day <= 0:
        return None
    days = remaining / per_day
    if days > 3660:
        return None
    return today + datetime.timedelta(days=int(days))


def mine_scope(account: QuotaAccount) -> Q:
    """The mine accounts at or below an account (for consumption sums)."""
    if account.level == AccountLevel.MINE:
        return Q(pk=account.pk)
    if account.level == AccountLevel.COUNTY:
        return Q(parent=account)
    return Q(parent__parent=account)


def burndown(account: QuotaAccount) -> dict[str, Any]:
    """Daily remaining quota of an account (consumption of the mines under it) for a chart."""
    mines = QuotaAccount.objects.filter(mine_scope(account)).values("pk")
    daily = (
        LedgerEntry.objects.filter(account__in=mines, kind__in=CONSUMPTION_KINDS)
        .annotate(day=TruncDate("at", tzinfo=LOCAL))
        .order_by("day")
        .values("day")
        .annotate(total=Sum("amount_kg"))
    )
    year = account.period.year if hasattr(account, "period") else timezone.localdate().year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    allocated = account.allocated_kg
    consumed, days, remaining = 0, [], []
    for row in daily:
        consumed += row["total"]
        days.append(row["day"].isoformat())
        remaining.append(round((allocated - consumed) / 1000, 2))
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "allocated_t": round(allocated / 1000, 2),
        "days": days,
        "remaining_t": remaining,
    }


def with_consumption(queryset: QuerySet[QuotaAccount]) -> Any:
    """Annotate `consumed_total_kg`: what the mines at or below each account consumed.

    The one figure of a level's consumption, for every page, API and export that shows it.
    Quota is drawn on mine accounts only (a county or the province draws nothing itself):
    a mine's is its own consumed_kg — which equals the sum of its ledger entries
    (`quotas.integrity`) — a county's the sum of its mines', the province's of all of them.
    """
    below = (
        QuotaAccount.objects.filter(level=AccountLevel.MINE)
        .filter(Q(parent=OuterRef("pk")) | Q(parent__parent=OuterRef("pk")))
        .order_by()
        .values("period")
        .annotate(total=Sum("consumed_kg"))
        .values("total")
    )
    return queryset.annotate(
        consumed_total_kg=Case(
            When(level=AccountLevel.MINE, then=F("consumed_kg")),
            default=Coalesce(Subquery(below, output_field=BigIntegerField()), Value(0)),
            output_field=BigIntegerField(),
        )
    )


def children_of(account: QuotaAccount) -> Any:
    """The direct children of an account with their figures, for drill-down."""
    children: Any = QuotaAccount.objects.filter(parent=account).select_related(
        "holder_region", "holder_site", "period"
    )
    return with_consumption(with_figures(children)).order_by("region__path", "holder_site__code")
