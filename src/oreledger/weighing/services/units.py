"""Where a ticket's reads and writes go: one protocol, a unit of work, and its two kinds.

`tickets._store` walks every ticket through the same steps, whatever the unit, and the
recording transaction ends with the last:
  look   — the station's head (lock 1), a resend, the truck, its waybill (lock 2);
  decide — the findings and which of them hold the truck (in `tickets`, no unit needed);
  draw   — a released exit draws the mine's quota (lock 3), then the contract (lock 4);
  keep   — the ticket chained after its station's head, its waybill and the head moved,
           the other apps' writers given the ticket;
  finish — what was kept is written, the other apps' writers last (their locks: lock 5),
           and the asynchronous rules of the kept tickets queued in the same transaction.

The two units of work, each complete on its own (no inheritance; what they share are the
typed records below and the module's functions):
- `OneTicket`: the ticket's own transaction; each lock and write is issued as it happens.
- `WholeBatch`: one or more stations' tickets in one transaction. Everything the batch may
  touch is locked up front in the fixed order (station heads → waybills by id → quota
  accounts → contracts by id) into its `Locked`; decisions are taken on those rows in
  memory, and `finish` stores the batch with a handful of statements. One commit per batch
  instead of one per ticket, and no row updated twice in a transaction.

What a round has read is its `Snapshot` (weighing.reference: the process's reference
values, shared between requests); what it has locked is its `Locked`.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection
from django.utils import timezone

from oreledger.core.localtime import local_year
from oreledger.core.prepared import any_of, columns, every_field, for_update, insert, load, run
from oreledger.core.prepared import update as update_rows
from oreledger.quotas.batch import QuotaDraws
from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.services import DrawResult, draw_quota, mine_account
from oreledger.registry.models import Site, Station, Vehicle
from oreledger.registry.queries import vehicles_of
from oreledger.trade.delivery import ContractDeliveries, deliver_on_contract
from oreledger.weighing.chain import ticket_hash
from oreledger.weighing.choices import TicketKind, WaybillStatus
from oreledger.weighing.jobs import enqueue_async_rules
from oreledger.weighing.models import StationState, Ticket, Waybill
from oreledger.weighing.protocol import TicketContent
from oreledger.weighing.reference import Snapshot
from oreledger.weighing.rules import (
    SIGHTING_LOOK_BACK,
    RuleContext,
    Sighting,
    Weighing,
    announce_written,
    last_weighing,
    sighting,
    stored_weighings,
    ticket_writers,
)

__all__ = [
    "ContractFull",
    "Kept",
    "Locked",
    "Look",
    "OneTicket",
    "Snapshot",
    "Unbatchable",
    "UnitOfWork",
    "WholeBatch",
]


class Unbatchable(Exception):
    """The batch cannot be decided in memory (a seq twice in it): record it ticket by ticket."""


class ContractFull(Exception):
    """The contract refused the delivery after the quota was drawn: redo, drawing nothing."""


@dataclass
class Locked:
    """What a round holds locked, in the fixed order, and decides on."""

    # Lock 1: the stations' heads, by station id.
    states: dict[int, StationState] = field(default_factory=dict)
    # Lock 2: the waybills its tickets may take (a batch's: in ascending id).
    waybills: list[Waybill] = field(default_factory=list)
    # Locks 3 and 4 of a batch: its mines' quota accounts and its contracts, held in memory
    # (a lone ticket takes them with a conditional UPDATE each instead).
    draws: QuotaDraws = field(default_factory=QuotaDraws)
    deliveries: ContractDeliveries = field(default_factory=ContractDeliveries)


@dataclass
class Look:
    """What the look step found for one ticket."""

    # Lock 1: the station's head.
    state: StationState
    # The ticket already stored under this seq (a resend: nothing more is looked at).
    stored: Ticket | None = None
    vehicle: Vehicle | None = None
    # Lock 2 for an exit or an arrival (a checkpoint's is only read).
    waybill: Waybill | None = None


@dataclass
class Kept:
    """A decided ticket, as the keep step hands it to the unit of work."""

    ctx: RuleContext
    ticket: Ticket
    state: StationState
    waybill: Waybill | None
    # The waybill's new status and what goes with it (empty: the waybill stays as it is).
    changes: dict[str, Any]


class UnitOfWork(Protocol):
    """Where one transaction's tickets read and write (`OneTicket`, `WholeBatch`)."""

    snapshot: Snapshot
    locked: Locked

    def look(self, station: Station, content: TicketContent, kind: str) -> Look:
        """The station's head (lock 1), a resend, the truck, its waybill (lock 2)."""

    def weighings(
        self, station_id: int, plate: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[Weighing]:
        """The station's weighings of a plate in [start, end] (for look-back rules)."""

    def draw_and_deliver(
        self, *, account: QuotaAccount, content: TicketContent, ref: str, contract_id: int
    ) -> DrawResult | None:
        """Locks 3 and 4: the quota draw, then the contract delivery (None: contract full)."""

    def keep(self, kept: Kept) -> None:
        """The decided ticket: chained, its waybill and its station's head moved."""

    def finish(self) -> None:
        """Write what was kept, the other apps' writers last; queue the asynchronous rules."""

    def last_weighing(
        self, plate: str, before: datetime.datetime, since: datetime.datetime
    ) -> Sighting | None:
        """The plate's latest weighing at any station in [since, before) (alerts' gate rules)."""


class OneTicket:
    """A ticket in its own transaction: locks and writes go to the database as they happen."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.locked = Locked()
        self._writers = ticket_writers(snapshot)
        self._kept: list[Ticket] = []

    def look(self, station: Station, content: TicketContent, kind: str) -> Look:
        """Lock 1 (the station's state row, created on its first ticket), then lock 2."""
        # SQLite has no row locks: its writers are serialised (BEGIN IMMEDIATE) instead.
        lock = _LOCK_STATE + for_update()
        rows = run(lock, (station.pk,)).rows
        if not rows:
            StationState.objects.get_or_create(station=station)
            rows = run(lock, (station.pk,)).rows
        # The head only: what a ticket reads and moves (the other columns load if read).
        state = StationState.from_db(connection.alias, _HEAD, rows[0])
        self.locked.states[station.pk] = state
        # Seqs above the highest stored cannot be duplicates: the common case costs no query.
        if content.seq <= state.last_seq:
            stored = Ticket.objects.filter(station=station, seq=content.seq).first()
            if stored is not None:
                return Look(state, stored)
        vehicles = self.snapshot.vehicles
        if content.plate not in vehicles:
            vehicles[content.plate] = Vehicle.objects.filter(plate=content.plate).first()
        site = station.site
        waybill = None
        if site is not None and kind in (TicketKind.EXIT, TicketKind.ENTRY):
            self.locked.waybills = _lock_waybill(site.pk, content, kind)
            waybill = pick_waybill(self.locked.waybills, site.pk, content, kind)
        elif kind == TicketKind.CHECKPOINT:
            waybill = passing_waybill(content)
        return Look(state, None, vehicles[content.plate], waybill)

    def weighings(
        self, station_id: int, plate: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[Weighing]:
        """The station's stored weighings of a plate in [start, end]."""
        return stored_weighings(station_id, plate, start, end)

    def last_weighing(
        self, plate: str, before: datetime.datetime, since: datetime.datetime
    ) -> Sighting | None:
        """The plate's latest weighing at any station in [since, before) (alerts' gate rules)."""
        return last_weighing(plate, before, since)

    def draw_and_deliver(
        self, *, account: QuotaAccount, content: TicketContent, ref: str, contract_id: int
    ) -> DrawResult | None:
        """Locks 3 and 4: the quota draw, then the contract delivery (None: contract full)."""
        drawn = draw_quota(account=account, amount_kg=content.net_kg, ref=ref, at=content.gross_at)
        if drawn.ok and not deliver_on_contract(contract_id=contract_id, net_kg=content.net_kg):
            # Undo the quota draw with the whole attempt; the retry records the hold alone.
            raise ContractFull
        return drawn

    def keep(self, kept: Kept) -> None:
        """Insert the ticket chained after its head; move its waybill and the head at once."""
        ticket, state, waybill = kept.ticket, kept.state, kept.waybill
        ticket.prev_hash = state.last_hash
        ticket.hash = state.last_hash = ticket_hash(ticket)
        insert([ticket])
        if waybill is not None and kept.changes:
            for name, value in kept.changes.items():
                setattr(waybill, name, value)
            waybill.version += 1
            waybill.updated_at = timezone.now()
            fields = _fields(Waybill, _WAYBILL_CHANGES)
            values = [f.get_db_prep_save(getattr(waybill, f.attname), connection) for f in fields]
            run(_ADVANCE_WAYBILL, (*values, waybill.pk))
        state.last_seq = max(state.last_seq, ticket.seq)
        state.chain_length += 1
        state.last_seen_at = ticket.received_at
        (seen,) = _fields(StationState, ("last_seen_at",))
        seen_at = seen.get_db_prep_save(state.last_seen_at, connection)
        run(
            _ADVANCE_STATE, (state.last_seq, state.chain_length, state.last_hash, seen_at, state.pk)
        )
        for writer in self._writers:
            writer.add(kept.ctx, ticket)
        self._kept.append(ticket)

    def finish(self) -> None:
        """The other apps' writers store the ticket's rows (its alerts: the last locks)."""
        for writer in self._writers:
            writer.write()
        announce_written(self._writers)
        enqueue_async_rules([str(ticket.pk) for ticket in self._kept])


class WholeBatch:
    """Batches of one or more stations in one transaction: locked up front, decided in memory.

    `parts` pairs each station (once) with its parsed tickets, in order. `finish` writes
    everything with a constant number of statements, whatever the number of tickets and
    stations.
    """

    def __init__(
        self, snapshot: Snapshot, parts: list[tuple[Station, list[TicketContent]]]
    ) -> None:
        self.snapshot = snapshot
        self._writers = ticket_writers(snapshot)
        contents = [c for _station, batch in parts for c in batch]
        self._plates = {c.plate for c in contents}
        self.locked = _lock_up_front(snapshot, parts, self._plates)
        self._seen = {pk: state.last_seq for pk, state in self.locked.states.items()}
        self._kept: list[Kept] = []
        self._by_seq: set[tuple[int, int]] = set()
        instants = [c.gross_at for c in contents] or [timezone.now()]
        self._earliest, self._latest = min(instants), max(instants)
        self._span = (self._earliest, self._latest)
        self._recent: dict[tuple[int, str], list[Weighing]] | None = None
        self._sightings: dict[str, list[Sighting]] | None = None

    def look(self, station: Station, content: TicketContent, kind: str) -> Look:
        """Among the rows locked and read for the batch (a seq twice in it is `Unbatchable`)."""
        state = self.locked.states[station.pk]
        if (station.pk, content.seq) in self._by_seq:
            raise Unbatchable
        if content.seq <= self._seen[station.pk]:
            stored = Ticket.objects.filter(station=station, seq=content.seq).first()
            if stored is not None:
                return Look(state, stored)
        site = station.site
        waybill = None
        if site is not None and kind in (TicketKind.EXIT, TicketKind.ENTRY):
            waybill = pick_waybill(self.locked.waybills, site.pk, content, kind)
        elif kind == TicketKind.CHECKPOINT:
            waybill = passing_waybill(content)
        return Look(state, None, self.snapshot.vehicles[content.plate], waybill)

    def weighings(
        self, station_id: int, plate: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[Weighing]:
        """Stored weighings (read once for the whole batch) and this batch's, in [start, end]."""
        if self._recent is None:
            # The first look-back sets the margin: every station and plate of the batch, every
            # instant of the batch, widened by it, in one query.
            reach = max(end - start, datetime.timedelta(0)) / 2
            self._span = (self._earliest - reach, self._latest + reach)
            self._recent = defaultdict(list)
            for row_station, row_plate, seq, net, at in _recent_weighings(
                sorted(self.locked.states), sorted(self._plates), *self._span
            ):
                self._recent[(row_station, row_plate)].append((seq, net, at))
        covered = self._span[0] <= start and end <= self._span[1]
        if covered and plate in self._plates and station_id in self.locked.states:
            stored = [w for w in self._recent[(station_id, plate)] if start <= w[2] <= end]
        else:
            stored = stored_weighings(station_id, plate, start, end)
        pending = [
            (t.seq, t.net_kg, t.gross_at)
            for t in (k.ticket for k in self._kept)
            if t.plate == plate and t.station_id == station_id and start <= t.gross_at <= end
        ]
        return stored + pending

    def last_weighing(
        self, plate: str, before: datetime.datetime, since: datetime.datetime
    ) -> Sighting | None:
        """The plate's latest weighing anywhere in [since, before): stored or this batch's.

        The stored ones of every plate of the batch are read once, from SIGHTING_LOOK_BACK
        before its earliest ticket; the batch's own tickets (another station of the round)
        count as soon as they are decided.
        """
        reach = self._earliest - SIGHTING_LOOK_BACK
        if plate not in self._plates or since < reach:
            found = last_weighing(plate, before, since)
            stored = [] if found is None else [found]
        else:
            if self._sightings is None:
                self._sightings = defaultdict(list)
                for ticket in _plates_weighed(sorted(self._plates), reach, self._latest):
                    self._sightings[ticket.plate].append(sighting(ticket))
            stored = [w for w in self._sightings[plate] if since <= w[2] < before]
        pending = [
            sighting(t)
            for t in (k.ticket for k in self._kept)
            if t.plate == plate and since <= t.gross_at < before
        ]
        return max(stored + pending, key=lambda w: (w[2], w[1]), default=None)

    def draw_and_deliver(
        self, *, account: QuotaAccount, content: TicketContent, ref: str, contract_id: int
    ) -> DrawResult | None:
        """Decided on the locked rows: quota first, then the contract, as `OneTicket` does."""
        draws, deliveries, net = self.locked.draws, self.locked.deliveries, content.net_kg
        if not draws.fits(account=account, amount_kg=net):
            return draws.draw(account=account, amount_kg=net, ref=ref, at=content.gross_at)
        if not deliveries.fits(contract_id=contract_id, net_kg=net):
            return None
        drawn = draws.draw(account=account, amount_kg=net, ref=ref, at=content.gross_at)
        deliveries.deliver(contract_id=contract_id, net_kg=net)
        return drawn

    def keep(self, kept: Kept) -> None:
        """Keep the ticket in memory (chained by `finish`, once its ledger entry has an id)."""
        ticket, state = kept.ticket, kept.state
        self._kept.append(kept)
        self._by_seq.add((ticket.station_id, ticket.seq))
        for name, value in kept.changes.items():
            setattr(kept.waybill, name, value)
        state.last_seq = max(state.last_seq, ticket.seq)
        state.chain_length += 1
        state.last_seen_at = ticket.received_at
        for writer in self._writers:
            writer.add(kept.ctx, ticket)

    def finish(self) -> None:
        """Store the batch: entries, balances, deliveries, tickets (chained), waybills, heads."""
        self.locked.draws.write()
        self.locked.deliveries.write()
        states = self.locked.states
        heads = {pk: state.last_hash for pk, state in states.items()}
        tickets = [k.ticket for k in self._kept]
        for ticket in tickets:
            ticket.quota_entry_id = ticket.quota_entry.pk if ticket.quota_entry else None
            ticket.prev_hash = heads[ticket.station_id]
            ticket.hash = heads[ticket.station_id] = ticket_hash(ticket)
        insert(tickets)
        now = timezone.now()
        changed = {k.waybill.pk: k.waybill for k in self._kept if k.waybill and k.changes}
        for waybill in changed.values():
            waybill.version += 1
            waybill.updated_at = now
        update_rows(list(changed.values()), [*_WAYBILL_CHANGES, "version"])
        advanced = [states[pk] for pk in sorted({k.state.pk for k in self._kept})]
        for state in advanced:
            state.last_hash = heads[state.pk]
        update_rows(advanced, ["last_seq", "chain_length", "last_hash", "last_seen_at"])
        # Last, as in a lone ticket's transaction: the other apps' rows (alerts) are the last
        # locks taken, after every lock of the fixed order.
        for writer in self._writers:
            writer.write()
        announce_written(self._writers)
        enqueue_async_rules([str(ticket.pk) for ticket in tickets])


# What both units share: the snapshot's quota accounts, the waybill a ticket takes, the SQL.


def mine_account_of(snapshot: Snapshot, site: Site, at: datetime.datetime) -> QuotaAccount | None:
    """The quota account a mine draws on in the year of `at` (kept in the snapshot)."""
    key = (site.pk, local_year(at))
    if key not in snapshot.accounts:
        snapshot.accounts[key] = mine_account(site=site, at=at)
    return snapshot.accounts[key]


def pick_waybill(
    candidates: list[Waybill], site_id: int, content: TicketContent, kind: str
) -> Waybill | None:
    """An exit's or an arrival's waybill among the locked candidates."""
    if kind == TicketKind.EXIT:
        return pick_exit_waybill(candidates, site_id, content)
    return pick_entry_waybill(candidates, site_id, content)


def passing_waybill(content: TicketContent) -> Waybill | None:
    """A checkpoint matches the plate's departed waybill (no lock: it changes nothing)."""
    waybills = Waybill.objects.filter(plate=content.plate, status=WaybillStatus.DEPARTED)
    if content.waybill:
        waybills = Waybill.objects.filter(number=content.waybill)
    return waybills.order_by("-departed_at", "-pk").first()


def _lock_waybill(site_id: int, content: TicketContent, kind: str) -> list[Waybill]:
    """Lock 2 for a lone exit or arrival: the waybill by number, else the plate's open one."""
    waybills = Waybill.objects.select_for_update(no_key=True)
    if kind == TicketKind.EXIT:
        locked = waybills.filter(origin_site_id=site_id)
        if content.waybill:
            return list(locked.filter(number=content.waybill)[:1])
        issued = locked.filter(plate=content.plate, status=WaybillStatus.ISSUED)
        return list(issued.order_by("pk")[:1])
    locked = waybills.filter(destination_site_id=site_id)
    if content.waybill:
        return list(locked.filter(number=content.waybill)[:1])
    departed = locked.filter(plate=content.plate, status=WaybillStatus.DEPARTED)
    return list(departed.order_by("-departed_at", "-pk")[:1])


def pick_exit_waybill(candidates: list[Waybill], site_id: int, content: TicketContent) -> Any:
    """The waybill by number, else the plate's issued waybill from this site (lowest id)."""
    if content.waybill:
        return next(
            (w for w in candidates if w.number == content.waybill and w.origin_site_id == site_id),
            None,
        )
    issued = [
        w
        for w in candidates
        if w.origin_site_id == site_id
        and w.plate == content.plate
        and w.status == WaybillStatus.ISSUED
    ]
    return min(issued, key=lambda w: w.pk, default=None)


def pick_entry_waybill(candidates: list[Waybill], site_id: int, content: TicketContent) -> Any:
    """The waybill by number, else the plate's departed waybill to this site (latest)."""
    if content.waybill:
        return next(
            (
                w
                for w in candidates
                if w.number == content.waybill and w.destination_site_id == site_id
            ),
            None,
        )
    departed = [
        w
        for w in candidates
        if w.destination_site_id == site_id
        and w.plate == content.plate
        and w.status == WaybillStatus.DEPARTED
    ]
    return max(departed, key=lambda w: (w.departed_at, w.pk), default=None)


def _lock_up_front(
    snapshot: Snapshot, parts: list[tuple[Station, list[TicketContent]]], plates: set[str]
) -> Locked:
    """Every lock of a batch, in the fixed order: heads, waybills, accounts, contracts.

    The batch's vehicles not yet in the snapshot are read after lock 1, in one statement.
    """
    locked = Locked(states=_lock_states({station.pk: station for station, _c in parts}))
    unknown = {plate for plate in plates if plate not in snapshot.vehicles}
    if unknown:
        found = vehicles_of(unknown)
        for plate in unknown:
            snapshot.vehicles[plate] = found.get(plate)
    # Which waybills a ticket may take: by number at its site, else an open one of its
    # plate there. Locked for all the parts at once: every number and plate of the
    # mines' tickets at any of the mines, and so for the receiving sites — a few more
    # rows than each ticket's own, in the same ascending id order (no deadlock).
    mines: list[tuple[Site, list[TicketContent]]] = []
    wanted: dict[str, tuple[set[int], set[str], set[str]]] = {
        "origin_site_id": (set(), set(), set()),
        "destination_site_id": (set(), set(), set()),
    }
    for station, contents in parts:
        site = station.site
        if site is None or not contents:
            continue
        if site.kind == "mine":
            mines.append((site, contents))
        side = "origin_site_id" if site.kind == "mine" else "destination_site_id"
        sites, numbers, plates = wanted[side]
        sites.add(site.pk)
        numbers.update(c.waybill for c in contents if c.waybill)
        plates.update(c.plate for c in contents if not c.waybill)
    locked.waybills = _lock_waybills(*wanted["origin_site_id"], *wanted["destination_site_id"])
    if mines:
        accounts = {mine_account_of(snapshot, site, c.gross_at) for site, cs in mines for c in cs}
        locked.draws.lock(a.pk for a in accounts if a is not None)
        shipping = {site.pk for site, _contents in mines}
        locked.deliveries.lock(
            {w.contract_id for w in locked.waybills if w.origin_site_id in shipping}
        )
    return locked


# The waybill columns a weighing changes, one row per statement: psycopg pipelines an
# executemany, where Django's bulk_update would build one CASE per column over the batch.
_WAYBILL_CHANGES = (
    "status",
    "exit_ticket",
    "departed_at",
    "exit_net_kg",
    "entry_ticket",
    "arrived_at",
    "entry_net_kg",
    "discrepancy_kg",
    "updated_at",
)
_ADVANCE_WAYBILL = (
    "UPDATE weighing_waybill SET status = %s, exit_ticket_id = %s, departed_at = %s,"
    " exit_net_kg = %s, entry_ticket_id = %s, arrived_at = %s, entry_net_kg = %s,"
    " discrepancy_kg = %s, version = version + 1, updated_at = %s WHERE id = %s"
)


# In the model's field order (from_db defers the columns not listed).
_HEAD = ["station_id", "last_seq", "chain_length", "last_hash"]
_LOCK_STATE = f"SELECT {', '.join(_HEAD)} FROM weighing_stationstate WHERE station_id = %s"  # noqa: S608
_ADVANCE_STATE = (
    "UPDATE weighing_stationstate SET last_seq = %s, chain_length = %s, last_hash = %s,"
    " last_seen_at = %s WHERE station_id = %s"
)


@functools.cache
def _fields(model: Any, names: tuple[str, ...]) -> list[Any]:
    return [model._meta.get_field(name) for name in names]


def _lock_states(stations: dict[int, Station]) -> dict[int, StationState]:
    """Lock 1 for every station of a batch, in ascending station id (no deadlock)."""

    def lock() -> dict[int, StationState]:
        where, params = any_of("station_id", sorted(stations))
        sql = f"SELECT {', '.join(_HEAD)} FROM weighing_stationstate WHERE {where}"  # noqa: S608
        rows = run(f"{sql} ORDER BY station_id{for_update()}", params).rows
        return {state.pk: state for state in load(StationState, _HEAD, rows)}

    states = lock()
    if len(states) < len(stations):
        for pk in set(stations) - set(states):
            StationState.objects.get_or_create(station=stations[pk])
        states = lock()
    return states


_WAYBILL_FIELDS = every_field(Waybill)


def _lock_waybills(
    origins: set[int],
    out_numbers: set[str],
    out_plates: set[str],
    destinations: set[int],
    in_numbers: set[str],
    in_plates: set[str],
) -> list[Waybill]:
    """Lock 2 for a batch: the waybills its exits and arrivals may take, in ascending id."""
    clauses, params = [], []
    # Each branch leads with the number or the plate (indexed, a few rows each), never with
    # the site alone: a mine's waybills of a whole year are not scanned to find sixteen.
    for site_column, sites, numbers, plates, status in (
        ("origin_site_id", origins, out_numbers, out_plates, WaybillStatus.ISSUED),
        ("destination_site_id", destinations, in_numbers, in_plates, WaybillStatus.DEPARTED),
    ):
        by_number, number_params = any_of("number", numbers)
        by_plate, plate_params = any_of("plate", plates)
        at, at_params = any_of(site_column, sites)
        clauses.append(f"({by_number} AND {at})")
        params += [*number_params, *at_params]
        clauses.append(f"({by_plate} AND status = %s AND {at})")
        params += [*plate_params, status.value, *at_params]
    sql = (
        f"SELECT {columns(Waybill, _WAYBILL_FIELDS)} FROM weighing_waybill"  # noqa: S608
        f" WHERE {' OR '.join(clauses)} ORDER BY id{for_update()}"
    )
    return load(Waybill, _WAYBILL_FIELDS, run(sql, params).rows)


def _recent_weighings(
    stations: list[int], plates: list[str], start: datetime.datetime, end: datetime.datetime
) -> list[tuple[Any, ...]]:
    """(station_id, plate, seq, net_kg, gross_at) of these stations' tickets of these plates."""
    by_station, station_params = any_of("station_id", stations)
    by_plate, plate_params = any_of("plate", plates)
    names = ["station", "plate", "seq", "net_kg", "gross_at"]
    sql = (
        f"SELECT {columns(Ticket, names)} FROM weighing_ticket"  # noqa: S608
        f" WHERE {by_station} AND {by_plate} AND gross_at >= %s AND gross_at <= %s"
    )
    (field,) = _fields(Ticket, ("gross_at",))
    bounds = [field.get_db_prep_value(t, connection) for t in (start, end)]
    rows = run(sql, [*station_params, *plate_params, *bounds]).rows
    return [(t.station_id, t.plate, t.seq, t.net_kg, t.gross_at) for t in load(Ticket, names, rows)]


def _plates_weighed(
    plates: list[str], start: datetime.datetime, end: datetime.datetime
) -> list[Ticket]:
    """(station, plate, seq, gross_at) of these plates' tickets at any station in [start, end]."""
    by_plate, plate_params = any_of("plate", plates)
    names = ["station", "plate", "seq", "gross_at"]
    sql = (
        f"SELECT {columns(Ticket, names)} FROM weighing_ticket"  # noqa: S608
        f" WHERE {by_plate} AND gross_at >= %s AND gross_at <= %s"
    )
    (field,) = _fields(Ticket, ("gross_at",))
    bounds = [field.get_db_prep_value(t, connection) for t in (start, end)]
    return load(Ticket, names, run(sql, [*plate_params, *bounds]).rows)
