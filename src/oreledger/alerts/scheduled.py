"""The asynchronous and scheduled rules: set-based queries over indexed columns.

Each takes `now` and looks at a bounded recent window (or the month), so its cost does not
grow with the history; each occurrence has a key, so a re-run in the same period (or a
retried job) raises nothing twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import F, Sum, Window
from django.db.models.functions import Lead

from oreledger.alerts.choices import SubjectType
from oreledger.alerts.engine import Finding, effective_rules, register_record_rule, run_rule
from oreledger.alerts.gate_rules import (
    grade_ranks,
    latest_assay,
    mismatch_evidence,
    travel,
    travel_occurrence,
)
from oreledger.alerts.models import AlertEvent, ProductionDeclaration
from oreledger.alerts.scans import advance_scan, scan_window, ticket_refs
from oreledger.alerts.sync_rules import within
from oreledger.core.localtime import LOCAL, local_midnight
from oreledger.registry.models import Permit, PermitRequirement, Site, Station
from oreledger.weighing.models import StationState, Ticket, Waybill

SEQ_GAP_LOOK_BACK = datetime.timedelta(days=2)
TRAVEL_LOOK_BACK = datetime.timedelta(hours=6)


def _param(region: Any, code: str, name: str, cache: dict[Any, Any]) -> Any:
    rule = effective_rules(region, cache).get(code)
    return None if rule is None or not rule.enabled else rule.params.get(name)


def month_start(day: datetime.date) -> datetime.date:
    """The first day of the day's month."""
    return day.replace(day=1)


@register_record_rule("waybill_unclosed")
def _waybill_unclosed(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Departed waybills with no arrival after the threshold (status is indexed)."""
    rows = Waybill.objects.filter(status="departed").select_related(
        "region", "contract", "origin_site__enterprise", "exit_ticket__station"
    )
    waybill: Any

    for waybill in rows:
        hours = _param(waybill.region, "waybill_unclosed", "hours", cache)
        if hours is None or waybill.departed_at > now - datetime.timedelta(hours=float(hours)):
            continue
        exit_ticket = waybill.exit_ticket
        refs = {
            "waybill": waybill.number,
            "contract": waybill.contract.number,
            "plate": waybill.plate,
            "site": waybill.origin_site.code,
            "enterprise": waybill.origin_site.enterprise.uscc,
            "station": exit_ticket.station.code if exit_ticket else None,
            "seq": exit_ticket.seq if exit_ticket else None,
        }
        evidence = {
            "departed_at": waybill.departed_at.isoformat(),
            "exit_net_kg": waybill.exit_net_kg,
            "hours_open": round((now - waybill.departed_at).total_seconds() / 3600, 1),
            "threshold_h": hours,
        }
        yield Finding(
            region=waybill.region,
            subject_type=SubjectType.WAYBILL,
            subject_ref=waybill.number,
            at=now,
            refs=refs,
            evidence=evidence,
            occurrence=f"waybill_unclosed|{waybill.number}",
            enterprise_id=waybill.seller_id,
            site_id=waybill.origin_site_id,
            lat=waybill.origin_site.lat,
            lon=waybill.origin_site.lon,
        )


def waybill_unclosed(*, now: datetime.datetime | None = None) -> int:
    """waybill_unclosed: the registered rule run once (`engine.run_rule`)."""
    return run_rule(_waybill_unclosed, now=now)


@register_record_rule("station_seq_gap")
def _station_seq_gap(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Missing seqs whose successor arrived longer ago than the grace period."""
    window: dict[str, Any] = {"partition_by": [F("station_id")], "order_by": F("seq").asc()}
    gaps = (
        Ticket.objects.filter(gross_at__gte=now - SEQ_GAP_LOOK_BACK)
        .annotate(nxt=Window(Lead("seq"), **window), nxt_at=Window(Lead("received_at"), **window))
        .filter(nxt__gt=F("seq") + 1)
        .values_list("station_id", "seq", "nxt", "nxt_at")
    )
    stations: dict[int, Any] = {}
    for station_id, seq, nxt, nxt_at in gaps:
        if station_id not in stations:
            stations[station_id] = Station.objects.select_related("region", "site").get(
                pk=station_id
            )
        station = stations[station_id]
        grace = _param(station.region, "station_seq_gap", "grace_min", cache)
        if grace is None or nxt_at > now - datetime.timedelta(minutes=float(grace)):
            continue
        missing = f"{seq + 1}-{nxt - 1}" if nxt - 1 > seq + 1 else str(seq + 1)
        yield Finding(
            region=station.region,
            subject_type=SubjectType.STATION,
            subject_ref=station.code,
            at=nxt_at,
            refs={
                "station": station.code,
                "seq": seq + 1,
                "site": station.site.code if station.site else None,
            },
            evidence={
                "missing": missing,
                "last_before": seq,
                "first_after": nxt,
                "first_after_received_at": nxt_at.isoformat(),
                "threshold_min": grace,
            },
            occurrence=f"station_seq_gap|{station.code}|{missing}",
            site_id=station.site_id,
            lat=station.lat,
            lon=station.lon,
        )


def station_seq_gap(*, now: datetime.datetime | None = None) -> int:
    """station_seq_gap: the registered rule run once (`engine.run_rule`)."""
    return run_rule(_station_seq_gap, now=now)


@register_record_rule("station_silent")
def _station_silent(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Stations that sent no heartbeat for the threshold during their operating hours."""
    local = now.astimezone(LOCAL)
    minute = local.hour * 60 + local.minute
    states = StationState.objects.filter(
        last_heartbeat_at__isnull=False, station__disabled_at__isnull=True
    ).select_related("station__region", "station__site")
    state: Any

    for state in states:
        station = state.station
        limit = _param(station.region, "station_silent", "minutes", cache)
        if limit is None or state.last_heartbeat_at > now - datetime.timedelta(
            minutes=float(limit)
        ):
            continue
        site = station.site
        if site is not None and not within(minute, site.hours_from, site.hours_to):
            continue  # closed hours: silence is expected
        yield Finding(
            region=station.region,
            subject_type=SubjectType.STATION,
            subject_ref=station.code,
            at=now,
            refs={"station": station.code, "site": site.code if site else None},
            evidence={
                "last_heartbeat_at": state.last_heartbeat_at.isoformat(),
                "silent_min": round((now - state.last_heartbeat_at).total_seconds() / 60),
                "threshold_min": limit,
            },
            occurrence=f"station_silent|{station.code}|{state.last_heartbeat_at.isoformat()}",
            site_id=station.site_id,
            lat=station.lat,
            lon=station.lon,
            enterprise_id=site.enterprise_id if site else None,
        )


def station_silent(*, now: datetime.datetime | None = None) -> int:
    """station_silent: the registered rule run once (`engine.run_rule`)."""
    return run_rule(_station_silent, now=now)


@register_record_rule("plant_intake_over_capacity")
def _plant_intake_over_capacity(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Plants whose received ore this month exceeds the share of capacity / 12."""
    first = month_start(now.astimezone(LOCAL).date())
    received = (
        # Received: plant-gate entries let in (a held truck stays outside the barrier).
        Ticket.objects.filter(
            gross_at__gte=local_midnight(first), gross_at__lt=now, kind="entry", release=True
        )
        .values("site_id")
        .annotate(kg=Sum("net_kg"))
    )
    totals = {row["site_id"]: row["kg"] for row in received if row["site_id"]}
    sites = Site.objects.filter(pk__in=totals, capacity_t__isnull=False).select_related(
        "region", "enterprise"
    )
    site: Any

    for site in sites:
        pct = _param(site.region, "plant_intake_over_capacity", "pct", cache)
        monthly = site.capacity_t * 1000 / 12
        if pct is None or totals[site.pk] <= monthly * float(pct) / 100:
            continue
        month = f"{first:%Y-%m}"
        yield Finding(
            region=site.region,
            subject_type=SubjectType.SITE,
            subject_ref=site.code,
            at=now,
            refs={"site": site.code, "enterprise": site.enterprise.uscc},
            evidence={
                "month": month,
                "received_kg": totals[site.pk],
                "monthly_capacity_kg": round(monthly),
                "threshold_pct": pct,
            },
            occurrence=f"plant_intake_over_capacity|{site.code}|{month}",
            enterprise_id=site.enterprise_id,
            site_id=site.pk,
            lat=site.lat,
            lon=site.lon,
        )


def plant_intake_over_capacity(*, now: datetime.datetime | None = None) -> int:
    """plant_intake_over_capacity: the registered rule run once (`engine.run_rule`)."""
    return run_rule(_plant_intake_over_capacity, now=now)


@register_record_rule("permit_expiring")
def _permit_expiring(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Valid required permits that end within the threshold's days."""
    today = now.astimezone(LOCAL).date()
    required = PermitRequirement.objects.values("permit_type_id")
    permits = Permit.objects.filter(
        status="valid",
        valid_to__gte=today,
        valid_to__lte=today + datetime.timedelta(days=366),
        type_id__in=required,
    ).select_related("region", "holder", "site", "type")
    permit: Any

    for permit in permits:
        days = _param(permit.region, "permit_expiring", "days", cache)
        left = (permit.valid_to - today).days
        if days is None or left > float(days):
            continue
        yield Finding(
            region=permit.region,
            subject_type=SubjectType.PERMIT,
            subject_ref=permit.number,
            at=now,
            refs={
                "permit": permit.number,
                "enterprise": permit.holder.uscc,
                "site": permit.site.code if permit.site else None,
            },
            evidence={
                "permit_type": permit.type.code,
                "valid_to": permit.valid_to.isoformat(),
                "days_left": left,
                "threshold_days": days,
            },
            occurrence=f"permit_expiring|{permit.number}|{permit.valid_to}",
            enterprise_id=permit.holder_id,
            site_id=permit.site_id,
        )


def permit_expiring(*, now: datetime.datetime | None = None) -> int:
    """permit_expiring: the registered rule run once (`engine.run_rule`)."""
    return run_rule(_permit_expiring, now=now)


@register_record_rule("mass_balance_gap")
def _mass_balance_gap(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Mines whose weighed exits last month differ from their declared production."""
    this_month = month_start(now.astimezone(LOCAL).date())
    last_month = month_start(this_month - datetime.timedelta(days=1))
    declared = ProductionDeclaration.objects.filter(month=last_month).select_related(
        "site__region", "site__enterprise"
    )
    if not declared:
        return
    weighed = dict(
        Ticket.objects.filter(
            gross_at__gte=local_midnight(last_month),
            gross_at__lt=local_midnight(this_month),
            kind="exit",
            release=True,
            site_id__in=[d.site_id for d in declared],
        )
        .values("site_id")
        .annotate(kg=Sum("drawn_kg"))
        .values_list("site_id", "kg")
    )
    declaration: Any

    for declaration in declared:
        site = declaration.site
        pct = _param(site.region, "mass_balance_gap", "pct", cache)
        exits = weighed.get(site.pk) or 0
        gap = exits - declaration.declared_kg
        base = max(declaration.declared_kg, 1)
        if pct is None or abs(gap) * 100 / base <= float(pct):
            continue
        month = f"{last_month:%Y-%m}"
        yield Finding(
            region=site.region,
            subject_type=SubjectType.SITE,
            subject_ref=site.code,
            at=now,
            refs={"site": site.code, "enterprise": site.enterprise.uscc},
            evidence={
                "month": month,
                "weighed_exit_kg": exits,
                "declared_kg": declaration.declared_kg,
                "gap_kg": gap,
                "gap_pct": round(gap * 100 / base, 2),
                "threshold_pct": pct,
            },
            occurrence=f"mass_balance_gap|{site.code}|{month}",
            enterprise_id=site.enterprise_id,
            site_id=site.pk,
            lat=site.lat,
            lon=site.lon,
        )


def mass_balance_gap(*, now: datetime.datetime | None = None) -> int:
    """mass_balance_gap: the registered rule run once (`engine.run_rule`)."""
    return run_rule(_mass_balance_gap, now=now)


def _counted(keys: list[str]) -> set[str]:
    """The occurrence keys among these already counted on an alert (one read)."""
    rows = AlertEvent.objects.filter(occurrence_key__in=keys).values_list(
        "occurrence_key", flat=True
    )
    return {str(key) for key in rows}


def _received(name: str, now: datetime.datetime) -> tuple[Any, Any]:
    """The tickets received since the backstop's saved position (received_at is indexed)."""
    since, cursor = scan_window(name, now)
    return Ticket.objects.filter(received_at__gte=since, received_at__lte=now), cursor


@register_record_rule("grade_mismatch")
def _grade_mismatch_for(
    now: datetime.datetime, cache: dict[Any, Any], *, tickets: Any = None
) -> Iterator[Finding]:
    """The backstop of the gate's grade_mismatch: exits declaring more than the assay supports.

    By default the tickets received since its saved position (an offline station's resends
    included); or the tickets given. An occurrence the gate already raised is skipped.
    """
    cursor = None
    if tickets is None:
        tickets, cursor = _received("grade_mismatch", now)
    rows = list(
        tickets.filter(kind="exit")
        .exclude(declared_grade="")
        .select_related("station", "site__enterprise", "region", "waybill", "contract")
    )
    found = []
    ticket: Any
    for ticket in rows:
        declared = grade_ranks(cache).get(ticket.declared_grade)
        day = ticket.gross_at.astimezone(LOCAL).date()
        assay = latest_assay(ticket.site_id, day, cache) if ticket.site_id else None
        if declared is None or assay is None:
            continue
        steps = _param(ticket.region, "grade_mismatch", "steps", cache)
        evidence = mismatch_evidence(ticket.declared_grade, declared, assay, steps)
        if evidence is None:
            continue
        ref = f"{ticket.station.code}#{ticket.seq}"
        found.append(
            Finding(
                region=ticket.region,
                subject_type=SubjectType.TICKET,
                subject_ref=ref,
                at=ticket.gross_at,
                refs=ticket_refs(ticket),
                evidence=evidence,
                occurrence=f"grade_mismatch|{ref}",
                enterprise_id=ticket.site.enterprise_id,
                site_id=ticket.site_id,
                lat=ticket.station.lat,
                lon=ticket.station.lon,
            )
        )
    counted = _counted([str(f.occurrence) for f in found])
    yield from (f for f in found if f.occurrence not in counted)
    if cursor is not None:
        advance_scan(cursor, now)


def grade_mismatch_for(tickets: Any) -> int:
    """grade_mismatch for these tickets: the registered rule run once (`engine.run_rule`)."""
    return run_rule(_grade_mismatch_for, tickets=tickets)


def grade_mismatch(*, now: datetime.datetime | None = None) -> int:
    """The backstop scan of grade_mismatch over the tickets received since it last read."""
    return run_rule(_grade_mismatch_for, now=now)


@register_record_rule("impossible_travel")
def _impossible_travel(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """The backstop of the gate's impossible_travel, for tickets that arrived out of order.

    Reads the tickets received since its saved position; for their plates, every weighing
    from TRAVEL_LOOK_BACK before the earliest of them to as long after the latest, in time
    order; each consecutive pair at two places too far apart for the time between, with one
    of the two newly received, is a finding (keyed by the pair, as the gate keys it). An
    offline station resending yesterday's tickets is paired with what was weighed around them.
    """
    received, cursor = _received("impossible_travel", now)
    new = list(received.values_list("plate", "gross_at", "station_id", "seq"))
    if new:
        fresh = {(station_id, seq) for _plate, _at, station_id, seq in new}
        instants = [at for _plate, at, _station, _seq in new]
        weighings = (
            Ticket.objects.filter(
                plate__in={plate for plate, _at, _station, _seq in new},
                gross_at__gte=min(instants) - TRAVEL_LOOK_BACK,
                gross_at__lte=max(instants) + TRAVEL_LOOK_BACK,
            )
            .order_by("plate", "gross_at", "seq")
            .values_list("plate", "station_id", "seq", "gross_at")
        )
        stations = {s.pk: s for s in Station.objects.select_related("region")}
        found: list[Finding] = []
        before: tuple[str, int, int, datetime.datetime] | None = None
        for plate, sid, seq, at in weighings:
            previous, before = before, (plate, sid, seq, at)
            if previous is None or previous[0] != plate or previous[1] == sid:
                continue
            if (sid, seq) not in fresh and (previous[1], previous[2]) not in fresh:
                continue
            here, there = stations[sid], stations[previous[1]]
            kmh = _param(here.region, "impossible_travel", "kmh", cache)
            evidence = travel(there, previous[2], previous[3], here, seq, at, kmh)
            if evidence is None:
                continue
            found.append(
                Finding(
                    region=here.region,
                    subject_type=SubjectType.VEHICLE,
                    subject_ref=plate,
                    at=at,
                    refs={"plate": plate, "station": here.code, "seq": seq},
                    evidence=evidence,
                    occurrence=travel_occurrence(there.code, previous[2], here.code, seq),
                    site_id=here.site_id,
                    lat=here.lat,
                    lon=here.lon,
                )
            )
        counted = _counted([str(f.occurrence) for f in found])
        yield from (f for f in found if f.occurrence not in counted)
    advance_scan(cursor, now)


def impossible_travel(*, now: datetime.datetime | None = None) -> int:
    """The backstop scan of impossible_travel (`engine.run_rule`)."""
    return run_rule(_impossible_travel, now=now)


SCHEDULED_RULES = {
    "waybill_unclosed": waybill_unclosed,
    "station_seq_gap": station_seq_gap,
    "station_silent": station_silent,
    "plant_intake_over_capacity": plant_intake_over_capacity,
    "permit_expiring": permit_expiring,
    "mass_balance_gap": mass_balance_gap,
    "grade_mismatch": grade_mismatch,
    "impossible_travel": impossible_travel,
}
