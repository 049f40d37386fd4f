"""The synchronous rules of a weighing: the blocking checks, and a registry for more.

Blocking is decided by the region's blocking set (data: `BlockingSet`, defaults in the
protocol); a later app adds non-blocking rules (overload, tare_deviation, off_hours, …) with
`register_ticket_rule`. Every rule runs inside the ticket's transaction and returns findings
(`errors.finding`); every finding is stored on the ticket. What follows from a decided ticket
in another app (its alerts) is written by a `TicketWriter` (`register_ticket_writer`) in the
same transaction, once per ticket or once per batch.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection

from oreledger.core.prepared import columns, load, run
from oreledger.registry.choices import SHIPPING_STOPPED, OperatingStatus, ProcedureState
from oreledger.registry.models import Station, Vehicle
from oreledger.registry.procedures import lines_for
from oreledger.registry.queries import county_blacklisted_plates, federated
from oreledger.weighing.choices import DEFAULT_BLOCKING_CODES, TicketKind
from oreledger.weighing.errors import finding
from oreledger.weighing.models import BlockingSet, Ticket
from oreledger.weighing.protocol import TicketContent
from oreledger.weighing.reference import Snapshot

# (seq, net_kg, gross_at) of one weighing.
Weighing = tuple[int, int, datetime.datetime]
# (station_id, seq, gross_at) of a plate's weighing at any station of the province.
Sighting = tuple[int, int, datetime.datetime]
# How far back a rule may ask for a plate's last weighing anywhere (`last_weighing`): a
# batch reads that much before its earliest ticket once for all its plates.
SIGHTING_LOOK_BACK = datetime.timedelta(hours=6)
# The snapshot's key for the plates counties blacklisted (`_county_blacklisted`).
_COUNTY_BLACKLISTED = "weighing.county_blacklisted"
# Codes that guard the ledgers themselves: releasing a truck while they fire would let a
# tonne leave without a quota draw or a contract delivery (docs/ARCHITECTURE.md invariant 3), so no
# region's blocking set can drop them.
ALWAYS_BLOCKING = frozenset(
    {"no_waybill", "quota_exhausted", "contract_exceeded", "waybill_reused"}
)
# Operating statuses that stop a site from shipping: the registry's word
# (docs/reference/rules.md site_suspended).
STOPPED = SHIPPING_STOPPED


def stored_weighings(
    station_id: int, plate: str, start: datetime.datetime, end: datetime.datetime
) -> list[Weighing]:
    """(seq, net_kg, gross_at) of the station's stored tickets of a plate in [start, end]."""
    # The (plate, -gross_at) index answers this.
    rows = Ticket.objects.filter(
        plate=plate, station_id=station_id, gross_at__gte=start, gross_at__lte=end
    ).values_list("seq", "net_kg", "gross_at")
    return list(rows)


_SIGHTING = ["station", "seq", "gross_at"]
# The bounds as (plate, gross_at) row comparisons: only the (plate, -gross_at) index can take
# them, so the prepared statement's generic plan, fixed while the table was small or not yet
# analysed, cannot settle on the (-gross_at) index and filter every plate of six hours (the
# bench's lone tickets did so on PostgreSQL: ~150 rows read per lookup instead of one).
_LAST_WEIGHING = (
    f"SELECT {columns(Ticket, _SIGHTING)} FROM weighing_ticket"  # noqa: S608
    " WHERE plate = %(plate)s AND (plate, gross_at) >= (%(plate)s, %(since)s)"
    " AND (plate, gross_at) < (%(plate)s, %(before)s)"
    " ORDER BY gross_at DESC, seq DESC LIMIT 1"
)


def last_weighing(
    plate: str, before: datetime.datetime, since: datetime.datetime
) -> Sighting | None:
    """The plate's latest stored weighing at any station in [since, before), if any."""
    # One indexed read, prepared on PostgreSQL: (plate, -gross_at) answers it with its first row.
    field = Ticket._meta.get_field("gross_at")
    bounds = [field.get_db_prep_value(t, connection) for t in (since, before)]
    since_db, before_db = bounds
    params = {"plate": plate, "since": since_db, "before": before_db}
    rows = load(Ticket, _SIGHTING, run(_LAST_WEIGHING, params).rows)
    return sighting(rows[0]) if rows else None


def sighting(ticket: Any) -> Sighting:
    """(station_id, seq, gross_at) of a ticket."""
    return (int(ticket.station_id), int(ticket.seq), ticket.gross_at)


@dataclass
class RuleContext:
    """What a rule may look at: the station, the ticket's content, and what was matched."""

    station: Station
    content: TicketContent
    kind: str
    local_day: datetime.date
    vehicle: Vehicle | None
    waybill: Any = None
    blocking: frozenset[str] = frozenset()
    # What the round has read (weighing.reference): other apps keep their reference values
    # in it under their own keys (alerts' effective rules).
    cache: Snapshot = field(default_factory=Snapshot)
    # (station_id, plate, from, to) -> (seq, net_kg, gross_at) of the station's weighings of
    # the plate in that span, stored or decided earlier in the same batch (see units).
    weighings: Callable[[int, str, datetime.datetime, datetime.datetime], list[Weighing]] = (
        stored_weighings
    )
    # (plate, before, since) -> the plate's latest weighing at any station in [since, before),
    # stored or decided earlier in the same batch or round (see units).
    last_weighing: Callable[[str, datetime.datetime, datetime.datetime], Sighting | None] = (
        last_weighing
    )
    # What the decision found out on its way, for the ticket writers: "quota" (the draw's
    # DrawResult and account), and whatever a registered rule leaves for its own writer.
    notes: dict[str, Any] = field(default_factory=dict)


TicketRule = Callable[[RuleContext], Iterable[dict[str, Any]]]


class TicketWriter(Protocol):
    """What another app writes for each stored ticket, in the ticket's transaction.

    `add` is called once a ticket's decision is final (its findings, release and waybill
    set); `write` stores what was added, with a constant number of statements, before the
    transaction commits: once per lone ticket, once per batch or round. A writer may also
    have `announce()`, called after every writer's `write` (`announce_written`).
    """

    def add(self, ctx: RuleContext, ticket: Any) -> None:
        """Take one decided ticket."""

    def write(self) -> None:
        """Store what the tickets added (their transaction is still open)."""


_RULES: list[TicketRule] = []
_WRITERS: list[Callable[[Snapshot], TicketWriter]] = []


def register_ticket_writer(factory: Callable[[Snapshot], TicketWriter]) -> None:
    """Add a writer (from an app's AppConfig.ready); `factory(snapshot)` makes one per unit."""
    if factory not in _WRITERS:
        _WRITERS.append(factory)


def ticket_writers(snapshot: Snapshot) -> list[TicketWriter]:
    """One of each registered writer, for a unit of work."""
    return [factory(snapshot) for factory in _WRITERS]


def announce_written(writers: list[TicketWriter]) -> None:
    """Once every writer wrote, those that have an `announce()` hand what they wrote to the
    change listeners (alerts: the outbox numbers them after the tickets they refer to)."""
    for writer in writers:
        announce = getattr(writer, "announce", None)
        if announce is not None:
            announce()


def register_ticket_rule(rule: TicketRule) -> None:
    """Add a synchronous rule (from an app's AppConfig.ready); it runs for every ticket."""
    if rule not in _RULES:
        _RULES.append(rule)


def extra_rules() -> list[TicketRule]:
    """The rules other apps registered, in registration order."""
    return list(_RULES)


def blocking_codes(region: Any, snapshot: Snapshot) -> frozenset[str]:
    """The blocking set of the nearest region (the station's, or an ancestor) that has one."""
    if region.pk not in snapshot.blocking:
        codes = [code for code in region.path.strip("/").split("/") if code]
        sets = {
            s.region.code: s
            for s in BlockingSet.objects.filter(region__code__in=codes).select_related("region")
        }
        chosen = next((sets[c].codes for c in reversed(codes) if c in sets), None)
        base = DEFAULT_BLOCKING_CODES if chosen is None else chosen
        snapshot.blocking[region.pk] = frozenset(base) | ALWAYS_BLOCKING
    return snapshot.blocking[region.pk]


def vehicle_findings(ctx: RuleContext) -> list[dict[str, Any]]:
    """vehicle_blacklisted for a blacklisted plate: its vehicle's status, or a county's
    blacklisting in force (made on any county node, even of a truck not registered here)."""
    if (ctx.vehicle is not None and ctx.vehicle.status == "blacklisted") or (
        ctx.content.plate in _county_blacklisted(ctx.cache)
    ):
        return [finding("vehicle_blacklisted", plate=ctx.content.plate)]
    return []


def standing_findings(ctx: RuleContext) -> list[dict[str, Any]]:
    """site_suspended and permit_invalid for the station's site and its enterprise."""
    site = ctx.station.site
    if site is None or ctx.kind != TicketKind.EXIT:
        return []
    enterprise = site.enterprise
    found = []
    status = site.status if site.status in STOPPED else enterprise.status
    if status in STOPPED:
        # A shut-down (关停取缔) is final: no region's blocking set lets its trucks out.
        shut = status == OperatingStatus.SHUT_DOWN
        found.append(finding("site_suspended", blocking=shut, status=OperatingStatus(status).label))
    problems = ctx.cache.permit_problems
    key = (site.pk, ctx.local_day)
    if key not in problems:
        problems[key] = _gate_permit_problems(site, ctx.local_day)
    found.extend(finding("permit_invalid", permit=name) for name in problems[key])
    return found


def _gate_permit_problems(site: Any, day: datetime.date) -> list[str]:
    """Names of the gate-checked permits the site or its enterprise lacks on `day`."""
    bad = (ProcedureState.MISSING, ProcedureState.EXPIRED, ProcedureState.SUSPENDED_REVOKED)
    problems = []
    for line in lines_for([site.enterprise], day).get(site.enterprise_id, []):
        if not line.permit_type.required_at_gate or line.state not in bad:
            continue
        if line.site is not None and line.site.pk != site.pk:
            continue
        problems.append(f"{line.permit_type.name_zh} ({line.permit_type.code})")
    return problems


def run_extra_rules(ctx: RuleContext) -> list[dict[str, Any]]:
    """The findings of every registered rule (a rule's failure is a bug, not a finding)."""
    found: list[dict[str, Any]] = []
    for rule in _RULES:
        found.extend(rule(ctx))
    return found


def mark_blocking(findings: list[dict[str, Any]], blocking: frozenset[str]) -> None:
    """Flag each finding whose code is in the blocking set (a rule may block on its own)."""
    for item in findings:
        item["blocking"] = item["blocking"] or item["code"] in blocking


def _county_blacklisted(cache: Snapshot) -> frozenset[str]:
    """The plates counties blacklisted, read once per snapshot (registry_vehicleblacklisting
    is reference data, weighing 0007); none on a standalone platform."""
    if not federated():
        return frozenset()
    plates: frozenset[str] | None = cache.get(_COUNTY_BLACKLISTED)
    if plates is None:
        plates = cache[_COUNTY_BLACKLISTED] = county_blacklisted_plates()
    return plates
