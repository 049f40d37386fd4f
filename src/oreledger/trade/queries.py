"""Read-side questions of trade: uncommitted quota of a mine, the weekly price index."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from oreledger.core.localtime import LOCAL, local_noon
from oreledger.grading.models import Grade
from oreledger.quotas.services import mine_account
from oreledger.trade.choices import OPEN_CONTRACT_STATUSES, ContractStatus, ListingStatus
from oreledger.trade.models import Contract, Delivery, FloorPrice, Listing

MINERAL = "magnesite"
# What the public may see: an aggregate of fewer enterprises could tell one of them (a cell
# of two sellers lets either seller work out the other's contract price).
PUBLIC_MIN_SELLERS = 3


def too_few_to_publish(enterprises: int) -> bool:
    """Whether an aggregate over this many enterprises is withheld from the public (1 or 2).

    The one suppression rule of everything the public reads: the portal's pages, its
    downloads and its API, and an enterprise's view of the market. Zero is not suppressed:
    an empty cell tells nothing about anyone.
    """
    return 0 < enterprises < PUBLIC_MIN_SELLERS


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


def floor_for(grade: Grade, day: datetime.date) -> FloorPrice | None:
    """The floor in force for the grade's code on `day`, if the province set one."""
    return (
        FloorPrice.objects.filter(grade__code=grade.code, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


def quota_room(site: Any, year: int, *, excluding_listing: int | None = None) -> QuotaRoom:
    """The mine's quota left for `year` and what its open contracts and listings hold."""
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
    """One grade in one week: tonnes, their value, and how many sellers they came from."""

    kg: int = 0
    value: Decimal = Decimal(0)
    sellers: int = 0

    def average(self) -> Decimal | None:
        """The weighted average price in yuan/t (None without tonnage)."""
        if self.kg <= 0:
            return None
        return (self.value / Decimal(self.kg)).quantize(Decimal("0.01"))


def _weekly_cells(
    rows: Any, at: str, grade: str, kg: str, price: str, seller: str
) -> dict[tuple[str, str], IndexCell]:
    """Sum tonnes and value per local ISO week and grade in SQL, counting distinct sellers."""
    value = ExpressionWrapper(
        F(kg) * F(price), output_field=DecimalField(max_digits=30, decimal_places=2)
    )
    cells: dict[tuple[str, str], IndexCell] = defaultdict(IndexCell)
    grouped = (
        rows.annotate(week=TruncWeek(at, tzinfo=LOCAL))
        .values("week", grade)
        .annotate(kg=Sum(kg), value=Sum(value), sellers=Count(seller, distinct=True))
        .order_by()
    )
    for row in grouped:
        week = row["week"]
        day = week.date() if isinstance(week, datetime.datetime) else week
        cells[(iso_week(day), row[grade])] = IndexCell(
            int(row["kg"] or 0), Decimal(row["value"] or 0), row["sellers"]
        )
    return cells


def price_index(
    *, weeks: int = 12, until: datetime.date | None = None, public: bool = False
) -> dict[str, Any]:
    """Per ISO week (Asia/Shanghai) and grade: contracts approved and tonnage delivered.

    Grades are keyed by code so that successive grading standards line up. Sums are made in
    SQL per local week. `public`: a cell `too_few_to_publish` (one or two sellers) shows
    neither tonnes nor price, only its seller count (a single contract's price is not public).
    """
    until = until or timezone.localdate()
    first = week_start(until) - datetime.timedelta(weeks=weeks - 1)
    start = datetime.datetime.combine(first, datetime.time(0), tzinfo=LOCAL)
    end = datetime.datetime.combine(
        until + datetime.timedelta(days=1), datetime.time(0), tzinfo=LOCAL
    )
    week_keys = [iso_week(first + datetime.timedelta(weeks=n)) for n in range(weeks)]
    approved = _weekly_cells(
        Contract.objects.filter(
            approved_at__gte=start,
            approved_at__lt=end,
            status__in=(ContractStatus.APPROVED, ContractStatus.COMPLETED),
        ),
        "approved_at",
        "grade__code",
        "quantity_kg",
        "unit_price",
        "seller_id",
    )
    delivered = _weekly_cells(
        Delivery.objects.filter(at__gte=start, at__lt=end),
        "at",
        "contract__grade__code",
        "net_kg",
        "contract__unit_price",
        "contract__seller_id",
    )
    codes = {code for _week, code in (*approved, *delivered)}
    grades: dict[str, tuple[int, str]] = {}
    for code, rank, name in (
        Grade.objects.filter(code__in=codes)
        .order_by("-standard__effective_from")
        .values_list("code", "rank", "name_zh")
    ):
        grades.setdefault(code, (rank, name))
    ordered = sorted(codes, key=lambda c: (grades.get(c, (0, ""))[0], c))
    empty = IndexCell()

    def shown(cell: IndexCell) -> tuple[int | None, str | None, int]:
        if public and too_few_to_publish(cell.sellers):
            return None, None, cell.sellers
        return cell.kg, _text(cell.average()), cell.sellers

    series = []
    for code in ordered:
        rows = []
        for week in week_keys:
            a_kg, a_avg, a_n = shown(approved.get((week, code), empty))
            d_kg, d_avg, d_n = shown(delivered.get((week, code), empty))
            rows.append(
                {
                    "week": week,
                    "approved_kg": a_kg,
                    "approved_avg": a_avg,
                    "approved_sellers": a_n,
                    "delivered_kg": d_kg,
                    "delivered_avg": d_avg,
                    "delivered_sellers": d_n,
                }
            )
        series.append({"grade": code, "name": grades.get(code, (0, ""))[1], "weeks": rows})
    return {
        "weeks": week_keys,
        "from": first.isoformat(),
        "until": until.isoformat(),
        "grades": series,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
