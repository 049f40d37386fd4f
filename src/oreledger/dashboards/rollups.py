"""Daily rollups, exact by construction: each dirty day is recomputed from the raw tickets.

A job every minute reads which local days received tickets (or had a correction decided)
since its watermark minus a safety margin — a ticket's transaction may commit a little after
its `received_at` — and replaces those days' rows in one transaction. Approved corrections
are applied the way weighing applies them: the latest approved correction's plate/waybill,
and the latest one with ledger effects decides the waybill and contract the ticket counts
against. Nothing here reads a cached figure; `check_days` proves the table equals the tickets.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from oreledger.accounts.models import Region
from oreledger.core.localtime import LOCAL, local_midnight
from oreledger.dashboards.models import DailyRollup, RollupWatermark
from oreledger.registry.models import Site, Station
from oreledger.trade.models import Contract
from oreledger.weighing.choices import CorrectionStatus
from oreledger.weighing.models import Ticket, TicketCorrection, Waybill

# Late-committing ticket transactions: a ticket stamped before the watermark but committed
# after the job read must still be seen by the next run.
SAFETY_MARGIN = datetime.timedelta(minutes=5)
WATERMARK = "tickets"
METRICS = ("trucks", "net_kg", "gross_kg", "tare_kg", "drawn_kg", "waybilled")
# (station_id, site_id, region_id, grade, ticket kind, released)
Key = tuple[int, int | None, int, str, str, bool]


@dataclass
class Cell:
    """The sums of one rollup key."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))

    def add(self, **amounts: int) -> None:
        """Add tickets' figures to the cell."""
        for name, amount in amounts.items():
            self.values[name] += int(amount or 0)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC-aware instants that start and end a local (Asia/Shanghai) day."""
    start = local_midnight(day)
    return start, start + datetime.timedelta(days=1)


def _approved() -> Any:
    return TicketCorrection.objects.filter(
        ticket_id=OuterRef("pk"), status=CorrectionStatus.APPROVED
    )


def compute_day(day: datetime.date) -> dict[Key, Cell]:
    """The rollup cells of one local day, straight from the tickets and corrections."""
    start, end = day_bounds(day)
    tickets = Ticket.objects.filter(gross_at__gte=start, gross_at__lt=end).order_by()
    cells: dict[Key, Cell] = defaultdict(Cell)
    plain = (
        tickets.filter(~Exists(_approved()))
        .values(
            "station_id",
            "site_id",
            "region_id",
            "declared_grade",
            "contract__grade__code",
            "kind",
            "release",
        )
        .annotate(
            trucks=Count("pk"),
            net=Sum("net_kg"),
            gross=Sum("gross_kg"),
            tare=Sum("tare_kg"),
            drawn=Sum("drawn_kg"),
            waybilled=Count("pk", filter=~Q(waybill_number="")),
        )
    )
    for row in plain:
        grade = row["contract__grade__code"] or row["declared_grade"] or ""
        key = (row["station_id"], row["site_id"], row["region_id"], grade)
        cells[(*key, row["kind"], row["release"])].add(
            trucks=row["trucks"],
            net_kg=row["net"],
            gross_kg=row["gross"],
            tare_kg=row["tare"],
            drawn_kg=row["drawn"],
            waybilled=row["waybilled"],
        )
    for ticket in tickets.filter(Exists(_approved())):
        effective = effective_values(ticket)
        grade = effective["grade"] or ticket.declared_grade or ""
        key = (ticket.station_id, ticket.site_id, ticket.region_id, grade)
        cells[(*key, ticket.kind, ticket.release)].add(
            trucks=1,
            net_kg=ticket.net_kg,
            gross_kg=ticket.gross_kg,
            tare_kg=ticket.tare_kg,
            drawn_kg=ticket.drawn_kg,
            waybilled=1 if effective["waybill_number"] else 0,
        )
    return dict(cells)


def effective_values(ticket: Ticket) -> dict[str, Any]:
    """Plate, waybill, contract and grade of a ticket after its approved corrections."""
    corrections = list(
        TicketCorrection.objects.filter(ticket=ticket, status=CorrectionStatus.APPROVED).order_by(
            "decided_at", "pk"
        )
    )
    plate, waybill_number = ticket.plate, ticket.waybill_number
    waybill_id, contract_id = ticket.waybill_id, ticket.contract_id
    for correction in corrections:
        plate = correction.plate or plate
        waybill_number = correction.waybill_number or waybill_number
        effects = correction.effects or {}
        if effects.get("to_waybill_id"):
            waybill_id = effects["to_waybill_id"]
            contract_id = effects.get("to_contract_id") or (
                Waybill.objects.filter(pk=waybill_id).values_list("contract_id", flat=True).first()
            )
    grade = ""
    if contract_id:
        grade = (
            Contract.objects.filter(pk=contract_id).values_list("grade__code", flat=True).first()
            or ""
        )
    return {
        "plate": plate,
        "waybill_number": waybill_number,
        "waybill_id": waybill_id,
        "contract_id": contract_id,
        "grade": grade,
    }


class _Places:
    """Region → county and site → enterprise, read once per run (a few thousand rows)."""

    def __init__(self) -> None:
        regions = {r.pk: r for r in Region.objects.only("pk", "path", "level", "parent_id")}
        self.county: dict[int, int] = {}
        self.path: dict[int, str] = {}
        for pk, region in regions.items():
            node: Region | None = region
            while node is not None and node.level != "county":
                node = regions.get(node.parent_id) if node.parent_id else None
            self.county[pk] = node.pk if node is not None else pk
            self.path[pk] = region.path
        self.enterprise = dict(Site.objects.values_list("pk", "enterprise_id"))


def rows_for(day: datetime.date, cells: dict[Key, Cell], places: _Places) -> list[DailyRollup]:
    """Unsaved rollup rows for one day's cells."""
    rows = []
    for (station_id, site_id, region_id, grade, kind, released), cell in cells.items():
        rows.append(
            DailyRollup(
                day=day,
                station_id=station_id,
                site_id=site_id,
                enterprise_id=places.enterprise.get(site_id) if site_id else None,
                county_id=places.county[region_id],
                region_path=places.path[region_id],
                grade=grade,
                kind=kind,
                released=released,
                **cell.values,
            )
        )
    return rows


def replace_day(day: datetime.date, places: _Places | None = None) -> int:
    """Recompute one day and replace its rows in one transaction; returns the row count."""
    places = places or _Places()
    rows = rows_for(day, compute_day(day), places)
    with transaction.atomic():
        DailyRollup.objects.filter(day=day).delete()
        DailyRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def dirty_days(since: datetime.datetime | None) -> set[datetime.date]:
    """Local days with tickets received, or corrections decided, at or after `since`."""
    local_day = TruncDate("gross_at", tzinfo=LOCAL)
    if since is None:
        bounds = Ticket.objects.aggregate(first=Min("gross_at"), last=Max("gross_at"))
        if bounds["first"] is None:
            return set()
        first = timezone.localtime(bounds["first"], LOCAL).date()
        last = timezone.localtime(bounds["last"], LOCAL).date()
        return {first + datetime.timedelta(days=n) for n in range((last - first).days + 1)}
    # station = ANY(…) lets PostgreSQL use the (station, -received_at) index for the range.
    stations = list(Station.objects.values_list("pk", flat=True))
    days = set(
        Ticket.objects.filter(station_id__in=stations, received_at__gte=since)
        .order_by()
        .annotate(local_day=local_day)
        .values_list("local_day", flat=True)
        .distinct()
    )
    days |= set(
        TicketCorrection.objects.filter(status=CorrectionStatus.APPROVED, decided_at__gte=since)
        .order_by()
        .annotate(local_day=TruncDate("ticket__gross_at", tzinfo=LOCAL))
        .values_list("local_day", flat=True)
        .distinct()
    )
    return days


def refresh_rollups(now: datetime.datetime | None = None) -> list[datetime.date]:
    """The job: recompute every day touched since the watermark, then move the watermark."""
    now = now or timezone.now()
    RollupWatermark.objects.get_or_create(
        name=WATERMARK, defaults={"until": datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)}
    )
    with transaction.atomic():
        # The row lock makes concurrent runs take turns; the second finds little to do.
        mark = RollupWatermark.objects.select_for_update().get(name=WATERMARK)
        first_run = mark.until.year == 1970
        days = dirty_days(None if first_run else mark.until - SAFETY_MARGIN)
        places = _Places()
        for day in sorted(days):
            replace_day(day, places)
        mark.until = now
        mark.save(update_fields=["until"])
    return sorted(days)


def rebuild(days: int | None = None, *, today: datetime.date | None = None) -> list[datetime.date]:
    """Recompute the last `days` local days, or every day that has tickets."""
    started = timezone.now()
    chosen = _chosen_days(days, today)
    places = _Places()
    for day in chosen:
        replace_day(day, places)
    if days is None:
        # Everything is fresh up to the start of the rebuild; later arrivals are the job's.
        DailyRollup.objects.exclude(day__in=chosen).delete()
        RollupWatermark.objects.update_or_create(name=WATERMARK, defaults={"until": started})
    return chosen


def _chosen_days(days: int | None, today: datetime.date | None) -> list[datetime.date]:
    if days is None:
        return sorted(dirty_days(None))
    today = today or timezone.localdate()
    return [today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]


def stored_day(day: datetime.date) -> dict[tuple[Any, ...], dict[str, int]]:
    """The stored rows of one day, keyed like `rows_for` writes them."""
    stored = {}
    rows: Any = DailyRollup.objects.filter(day=day).values()
    for row in rows:
        key = tuple(
            row[k] for k in ("station_id", "site_id", "region_path", "grade", "kind", "released")
        )
        stored[key] = {m: row[m] for m in METRICS}
    return stored


def check_days(
    days: int | None = None, *, today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Every difference between the stored rollups and the raw tickets (empty when equal)."""
    chosen = set(_chosen_days(days, today))
    if days is None:
        chosen |= set(DailyRollup.objects.values_list("day", flat=True).distinct())
    places = _Places()
    differences = []
    for day in sorted(chosen):
        expected = {}
        for row in rows_for(day, compute_day(day), places):
            key = (
                row.station_id,
                row.site_id,
                row.region_path,
                row.grade,
                row.kind,
                row.released,
            )
            expected[key] = {m: getattr(row, m) for m in METRICS}
        stored = stored_day(day)
        for key in sorted(set(expected) | set(stored), key=str):
            if expected.get(key) != stored.get(key):
                differences.append(
                    {
                        "day": day.isoformat(),
                        "key": list(key),
                        "tickets": expected.get(key),
                        "rollup": stored.get(key),
                    }
                )
    return differences
