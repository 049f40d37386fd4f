"""Alerts from what other apps recorded: ticket findings, conflicts, heartbeats, contracts.

Stations resend differing tickets and report their clocks; neither calls back, so these scans
read new rows by an indexed timestamp, re-reading a safety margin behind the cursor; occurrence
keys make a re-read count nothing. A contract approved under the floor is raised in the approval's
transaction (`contract_below_floor`, trade's hook). A ticket's findings are raised in its own
transaction; their scan is only a backstop.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oreledger.alerts.choices import SubjectType
from oreledger.alerts.engine import effective_rules, raise_alert, raised_elsewhere
from oreledger.alerts.findings import SUBJECTS, finding_occurrences
from oreledger.alerts.models import AlertEvent, ScanCursor
from oreledger.quotas.services import mine_account
from oreledger.registry.models import Station
from oreledger.weighing.models import StationState, Ticket, TicketConflict

# A transaction that began before the cursor may commit after it: re-read this far back.
MARGIN = datetime.timedelta(minutes=5)
FIRST_LOOK_BACK = datetime.timedelta(days=2)


def scan_window(name: str, now: datetime.datetime) -> tuple[datetime.datetime, ScanCursor]:
    """Where a scan reads from (its saved position, less the margin), and its cursor."""
    cursor, _created = ScanCursor.objects.get_or_create(
        name=name, defaults={"position": now - FIRST_LOOK_BACK}
    )
    return cursor.position - MARGIN, cursor


def advance_scan(cursor: ScanCursor, now: datetime.datetime) -> None:
    """Save how far the scan has read."""
    ScanCursor.objects.filter(pk=cursor.pk).update(position=now)


def ticket_refs(ticket: Any) -> dict[str, Any]:
    """The references of a stored ticket."""
    refs: dict[str, Any] = {
        "station": ticket.station.code,
        "seq": ticket.seq,
        "plate": ticket.plate,
        "waybill": ticket.waybill.number if ticket.waybill_id else ticket.waybill_number,
        "contract": ticket.contract.number if ticket.contract_id else None,
    }
    if ticket.site_id:
        refs["site"] = ticket.site.code
        refs["enterprise"] = ticket.site.enterprise.uscc
    return refs


def _quota_evidence(ticket: Any, cache: dict[Any, Any]) -> dict[str, Any]:
    key = ("alerts.account", ticket.site_id, ticket.gross_at.year)
    if key not in cache:
        cache[key] = mine_account(site=ticket.site, at=ticket.gross_at)
    account = cache[key]
    if account is None:
        return {}
    return {
        "allocated_kg": account.allocated_kg,
        "consumed_kg": account.consumed_kg,
        "tolerance_kg": account.tolerance_kg,
    }


def scan_ticket_findings(*, now: datetime.datetime | None = None) -> int:
    """The backstop: alerts for stored findings whose alert the ticket's transaction lacks.

    Tickets raise their findings' alerts as they are stored (`sync_rules.TicketAlerts`);
    this catches tickets stored otherwise (before an upgrade, or with the rules switched
    off for a measurement). It skips every occurrence already counted, so it never raises
    a finding twice; with nothing missing it costs two reads a minute.
    """
    now = now or timezone.now()
    since, cursor = scan_window("ticket_findings", now)
    raised = 0
    cache: dict[Any, Any] = {}
    # On the hub, a county node's stations are the node's to scan (their alerts arrive
    # federated, without the occurrence keys this scan would find them by).
    station_ids = [
        s.pk
        for s in Station.objects.select_related("region")
        if not raised_elsewhere(s.region, cache)
    ]
    # (station, -received_at) is indexed; reasons are read only for the window's tickets.
    rows = (
        Ticket.objects.filter(station_id__in=station_ids, received_at__gte=since)
        .exclude(release=True, reasons=[])
        .values_list("pk", "reasons")
    )
    wanted = [pk for pk, reasons in rows if any(r.get("code") in SUBJECTS for r in reasons)]
    tickets = list(
        Ticket.objects.filter(pk__in=wanted).select_related(
            "station__region", "station__site", "site__enterprise", "waybill", "contract", "region"
        )
    )
    ticket: Any
    found = []
    for ticket in tickets:
        contract = None
        if ticket.contract_id:
            c = ticket.contract
            contract = {
                "quantity_kg": c.quantity_kg,
                "delivered_kg": c.delivered_kg,
                "ceiling_kg": c.max_delivery_kg,
            }
        quota = _quota_evidence(ticket, cache) if ticket.site_id else None
        found += finding_occurrences(
            ticket, ticket.station, ticket_refs(ticket), quota=quota, contract=contract
        )
    counted = set(
        AlertEvent.objects.filter(occurrence_key__in=[o.occurrence for o in found]).values_list(
            "occurrence_key", flat=True
        )
    )
    for item in found:
        if item.occurrence in counted:
            continue
        alert = raise_alert(
            rule=item.rule,
            region=item.region,
            subject_type=item.subject_type,
            subject_ref=item.subject_ref,
            at=item.at,
            refs=item.refs,
            evidence=item.evidence,
            occurrence=item.occurrence,
            cache=cache,
            enterprise_id=item.enterprise_id,
            site_id=item.site_id,
            lat=item.lat,
            lon=item.lon,
            dedupe_extra=item.dedupe_extra,
        )
        raised += alert is not None
    advance_scan(cursor, now)
    return raised


def scan_conflicts(*, now: datetime.datetime | None = None) -> int:
    """ticket_conflict for each differing resend the weighing app recorded."""
    now = now or timezone.now()
    since, cursor = scan_window("ticket_conflicts", now)
    raised = 0
    cache: dict[Any, Any] = {}
    conflicts = TicketConflict.objects.filter(received_at__gte=since).select_related(
        "ticket__station",
        "ticket__site__enterprise",
        "ticket__waybill",
        "ticket__contract",
        "ticket__region",
    )
    conflict: Any

    for conflict in conflicts:
        ticket = conflict.ticket
        if raised_elsewhere(ticket.region, cache):
            continue
        differs = sorted(
            k
            for k in set(conflict.stored) | set(conflict.resent)
            if conflict.stored.get(k) != conflict.resent.get(k)
        )
        evidence = {
            "fields": differs,
            "stored": {k: conflict.stored.get(k) for k in differs},
            "resent": {k: conflict.resent.get(k) for k in differs},
        }
        alert = raise_alert(
            rule="ticket_conflict",
            region=ticket.region,
            subject_type=SubjectType.TICKET,
            subject_ref=f"{ticket.station.code}#{ticket.seq}",
            at=conflict.received_at,
            refs=ticket_refs(ticket),
            evidence=evidence,
            occurrence=f"ticket_conflict|{conflict.pk}",
            cache=cache,
            enterprise_id=ticket.site.enterprise_id if ticket.site_id else None,
            site_id=ticket.site_id,
            lat=ticket.station.lat,
            lon=ticket.station.lon,
        )
        raised += alert is not None
    advance_scan(cursor, now)
    return raised


def scan_clock_drift(*, now: datetime.datetime | None = None) -> int:
    """station_clock_drift from the latest heartbeat of each station."""
    now = now or timezone.now()
    since, cursor = scan_window("heartbeats", now)
    raised = 0
    cache: dict[Any, Any] = {}
    states = StationState.objects.filter(
        last_heartbeat_at__gte=since, drift_seconds__isnull=False
    ).select_related("station__region", "station__site")
    state: Any

    for state in states:
        station = state.station
        if raised_elsewhere(station.region, cache):
            continue
        rule = effective_rules(station.region, cache).get("station_clock_drift")
        if rule is None or abs(state.drift_seconds) <= float(rule.params["seconds"]):
            continue
        site = station.site
        alert = raise_alert(
            rule="station_clock_drift",
            region=station.region,
            subject_type=SubjectType.STATION,
            subject_ref=station.code,
            at=state.last_heartbeat_at,
            refs={"station": station.code, "site": site.code if site else None},
            evidence={
                "drift_s": state.drift_seconds,
                "threshold_s": rule.params["seconds"],
                "device_time": state.device_time.isoformat() if state.device_time else None,
            },
            occurrence=f"station_clock_drift|{station.code}|{state.last_heartbeat_at.isoformat()}",
            cache=cache,
            site_id=station.site_id,
            lat=station.lat,
            lon=station.lon,
            enterprise_id=site.enterprise_id if site else None,
        )
        raised += alert is not None
    advance_scan(cursor, now)
    return raised


def contract_below_floor(*, contract: Any, floor_yuan: Decimal, actor: Any, reason: str) -> None:
    """price_below_floor, raised in the approval's transaction (trade's hook, see apps.py)."""
    site = contract.origin_site
    raise_alert(
        rule="price_below_floor",
        region=contract.region,
        subject_type=SubjectType.CONTRACT,
        subject_ref=contract.number,
        at=contract.approved_at,
        refs={"contract": contract.number, "site": site.code, "enterprise": contract.seller.uscc},
        evidence={
            "unit_price_yuan": f"{contract.unit_price:.2f}",
            "floor_yuan": f"{floor_yuan:.2f}",
            "grade": contract.grade.code,
            "override_reason": contract.override_reason,
        },
        occurrence=f"price_below_floor|{contract.number}|v{contract.version}",
        enterprise_id=contract.seller_id,
        site_id=contract.origin_site_id,
        lat=site.lat,
        lon=site.lon,
    )
