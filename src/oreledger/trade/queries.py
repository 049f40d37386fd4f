"""Read-side questions of trade: uncommitted quota of a mine, the weekly price index."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from oreledger.core.localtime import LOCAL, local_noon
from oreledger.trade.choices import OPEN_CONTRACT_STATUSES, ContractStatus, ListingStatus
from oreledger.trade.models import Contract, Delivery, Listing

MINERAL = "magnesite"


@dataclass(frozen=True)
class QuotaRoom:
    """How much a mine may still offer: remaining quota minus what is already promised."""

    has_account: bool
    remaining_kg: int
    contracted_kg: int
    listed_kg: int

    @property
    def committed_kg(self) -> int:
        """Tonnage still to deliver on open contracts plus tonnage on offer."""
        return self.contracted_kg + self.listed_kg

    @property
    def available_kg(self) -> int:
        """What a new listing may offer (never negative)."""
        return max(0, self.remaining_kg - self.committed_kg)


def quota_room(site: Any, year: int, *, excluding_listing: int | None = None) -> QuotaRoom:
    """The mine's quota left for `year` and what its open contracts and listings hold."""
    from oreledger.quotas.services import mine_account

    account = mine_account(site=site, at=local_noon(datetime.date(year, 6, 30)), mineral=MINERAL)
    remaining = account.remaining_kg if account is not None else 0
    contracted = (
        Contract.objects.filter(
            origin_site=site, status__in=OPEN_CONTRACT_STATUSES, valid_to__year__gte=year
        )
        .filter(delivered_kg__lt=F("quantity_kg"))
        .aggregate(kg=Sum(F("quantity_kg") - F("delivered_kg")))["kg"]
        or 0
    )
    listings = Listing.objects.filter(site=site, status=ListingStatus.OPEN)
    if excluding_listing is not None:
        listings = listings.exclude(pk=excluding_listing)
    listed = listings.aggregate(kg=Sum(F("quantity_kg") - F("accepted_kg")))["kg"] or 0
    return QuotaRoom(account is not None, remaining, int(contracted), int(listed))


def iso_week(day: datetime.date) -> str:
    """ "2025-W46" for a local calendar day."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week holding `day`."""
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class IndexCell:
    """One grade in one week: tonnes and tonnage-weighted average price."""

    kg: int = 0
    value: Decimal = Decimal(0)

    def add(self, kg: int, price: Decimal) -> None:
        """Count `kg` at `price` yuan/t."""
        self.kg += kg
        self.value += Decimal(kg) * price

    @property
    def average(self) -> Decimal | None:
        """The weighted average price in yuan/t (None without tonnage)."""
        if self.kg <= 0:
            return None
        return (self.value / Decimal(self.kg)).quantize(Decimal("0.01"))


def price_index(*, weeks: int = 12, until: datetime.date | None = None) -> dict[str, Any]:
    """Per ISO week (Asia/Shanghai) and grade: contracts approved and tonnage delivered.

    Grades are keyed by code so that successive grading standards line up.
    """
    until = until or timezone.localdate()
    first = week_start(until) - datetime.timedelta(weeks=weeks - 1)
    start = datetime.datetime.combine(first, datetime.time(0), tzinfo=LOCAL)
    end = datetime.datetime.combine(
        until + datetime.timedelta(days=1), datetime.time(0), tzinfo=LOCAL
    )
    week_keys = [iso_week(first + datetime.timedelta(weeks=n)) for n in range(weeks)]
    approved: dict[tuple[str, str], IndexCell] = defaultdict(IndexCell)
    delivered: dict[tuple[str, str], IndexCell] = defaultdict(IndexCell)
    grades: dict[str, tuple[int, str]] = {}
    rows = Contract.objects.filter(
        approved_at__gte=start,
        approved_at__lt=end,
        status__in=(ContractStatus.APPROVED, ContractStatus.COMPLETED),
    ).values_list(
        "approved_at", "grade__code", "grade__rank", "grade__name_zh", "quantity_kg", "unit_price"
    )
    for at, code, rank, name, kg, price in rows:
        approved[(iso_week(timezone.localtime(at, LOCAL).date()), code)].add(kg, price)
        grades.setdefault(code, (rank, name))
    moves = Delivery.objects.filter(at__gte=start, at__lt=end).values_list(
        "at",
        "contract__grade__code",
        "contract__grade__rank",
        "contract__grade__name_zh",
        "net_kg",
        "contract__unit_price",
    )
    for at, code, rank, name, kg, price in moves:
        delivered[(iso_week(timezone.localtime(at, LOCAL).date()), code)].add(kg, price)
        grades.setdefault(code, (rank, name))
    ordered = sorted(grades, key=lambda c: grades[c][0])
    series = []
    for code in ordered:
        series.append(
            {
                "grade": code,
                "name": grades[code][1],
                "weeks": [
                    {
                        "week": week,
                        "approved_kg": approved[(week, code)].kg,
                        "approved_avg": _text(approved[(week, code)].average),
                        "delivered_kg": delivered[(week, code)].kg,
                        "delivered_avg": _text(delivered[(week, code)].average),
                    }
                    for week in week_keys
                ],
            }
        )
    return {
        "weeks": week_keys,
        "from": first.isoformat(),
        "until": until.isoformat(),
        "grades": series,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
