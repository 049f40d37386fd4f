"""Where a ticket's reads and writes go: straight to the database, or into its batch.

`tickets._store` decides a ticket the same way under both units of work:
- `OneTicket`: the ticket's own transaction; each lock and write is issued as it happens.
- `WholeBatch`: a station's whole batch in one transaction. Everything the batch may touch is
  locked up front in the fixed order (station state → waybills by id → quota accounts →
  contracts by id), decisions are taken on the locked rows held in memory, and `write`
  stores the batch with a handful of statements, the other apps' writers (alerts) last.
  One commit per batch instead of one per ticket, and no row updated twice in a transaction.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from typing import Any

from django.db import connection
from django.utils import timezone

from oreledger.core.localtime import local_year
from oreledger.core.prepared import (
    any_of,
    columns,
    every_field,
    for_update,
    insert,
    load,
    run,
    update,
)
from oreledger.quotas.batch import QuotaDraws
from oreledger.quotas.services import DrawResult, draw_quota, mine_account
from oreledger.registry.models import Station, Vehicle
from oreledger.trade.delivery import ContractDeliveries, deliver_on_contract
from oreledger.weighing.chain import ticket_hash
from oreledger.weighing.choices import WaybillStatus
from oreledger.weighing.models import StationState, Ticket, Waybill
from oreledger.weighing.protocol import TicketContent
from oreledger.weighing.rules import (
    SIGHTING_LOOK_BACK,
    RuleContext,
    Sighting,
    Weighing,
    last_weighing,
    sighting,
    stored_weighings,
    ticket_writers,
)

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


def waybill_changes(waybill: Waybill, now: datetime.datetime) -> tuple[Any, ...]:
    """The parameters of `_ADVANCE_WAYBILL` for a waybill changed in memory (version + 1)."""
    waybill.version += 1
    waybill.updated_at = now
    fields = _fields(Waybill, _WAYBILL_CHANGES)
    values = [f.get_db_prep_save(getattr(waybill, f.attname), connection) for f in fields]
    return (*values, waybill.pk)


@functools.cache
def _fields(model: Any, names: tuple[str, ...]) -> list[Any]:
    return [model._meta.get_field(name) for name in names]


def _seen_at(state: StationState) -> Any:
    """The state's last_seen_at as the database takes it."""
    (field,) = _fields(StationState, ("last_seen_at",))
    return field.get_db_prep_save(state.last_seen_at, connection)


class Unbatchable(Exception):
    """The batch cannot be decided in memory (a seq twice in it): record it ticket by ticket."""


class ContractFull(Exception):
    """The contract refused the delivery after the quota was drawn: redo, drawing nothing."""


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


class OneTicket:
    """A ticket in its own transaction: locks and writes go to the database as they happen."""

    def __init__(self, cache: dict[Any, Any]) -> None:
        self.cache = cache
        self._held: StationState | None = None
        self._writers = ticket_writers(cache)

    def state(self, station: Station) -> StationState:
        """Lock 1: the station's state row (created on the station's first ticket)."""
        # SQLite has no row locks: its writers are serialised (BEGIN IMMEDIATE) instead.
        lock = _LOCK_STATE + for_update()
        rows = run(lock, (station.pk,)).rows
        if not rows:
            StationState.objects.get_or_create(station=station)
            rows = run(lock, (station.pk,)).rows
        # The head only: what a ticket reads and moves (the other columns load if read).
        state = StationState.from_db(connection.alias, _HEAD, rows[0])
        self._held = state
        return state

    @property
    def last_seq(self) -> int | None:
        """The station's last_seq once the ticket is stored (None if the state was not read)."""
        return None if self._held is None else int(self._held.last_seq)

    def stored(self, station: Station, seq: int) -> Ticket | None:
        """The ticket already stored under this seq."""
        return Ticket.objects.filter(station=station, seq=seq).first()

    def vehicle(self, plate: str) -> Vehicle | None:
        """The registered vehicle of a plate (cached for the request)."""
        key = ("vehicle", plate)
        if key not in self.cache:
            self.cache[key] = Vehicle.objects.filter(plate=plate).first()
        found: Vehicle | None = self.cache[key]
        return found

    def weighings(
        self, station_id: int, plate: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[Weighing]:
        """The station's weighings of a plate in [start, end] (for look-back rules)."""
        return stored_weighings(station_id, plate, start, end)

    def last_weighing(
        self, plate: str, before: datetime.datetime, since: datetime.datetime
    ) -> Sighting | None:
        """The plate's latest weighing at any station in [since, before) (alerts' gate rules)."""
        return last_weighing(plate, before, since)

    def exit_waybill(self, site_id: int, content: TicketContent) -> Any:
        """Lock 2 for an exit."""
        locked = Waybill.objects.select_for_update(no_key=True).filter(origin_site_id=site_id)
        if content.waybill:
            rows = locked.filter(number=content.waybill)
        else:
            rows = locked.filter(plate=content.plate, status=WaybillStatus.ISSUED).order_by("pk")
        return pick_exit_waybill(list(rows[:1]), site_id, content)

    def entry_waybill(self, site_id: int, content: TicketContent) -> Any:
        """Lock 2 for an arrival."""
        locked = Waybill.objects.select_for_update(no_key=True).filter(destination_site_id=site_id)
        if content.waybill:
            rows = locked.filter(number=content.waybill)
        else:
            rows = locked.filter(plate=content.plate, status=WaybillStatus.DEPARTED).order_by(
                "-departed_at", "-pk"
            )
        return pick_entry_waybill(list(rows[:1]), site_id, content)

    def account(self, site: Any, at: datetime.datetime) -> Any:
        """The mine's quota account for the year of `at` (cached for the request)."""
        key = ("account", site.pk, local_year(at))
        if key not in self.cache:
            self.cache[key] = mine_account(site=site, at=at)
        return self.cache[key]

    def draw_and_deliver(
        self, *, account: Any, content: TicketContent, ref: str, contract_id: int
    ) -> DrawResult | None:
        """Locks 3 and 4: the quota draw, then the contract delivery (None: contract full)."""
        drawn = draw_quota(account=account, amount_kg=content.net_kg, ref=ref, at=content.gross_at)
        if drawn.ok and not deliver_on_contract(contract_id=contract_id, net_kg=content.net_kg):
            # Undo the quota draw with the whole attempt; the retry records the hold alone.
            raise ContractFull
        return drawn

    def save(self, ticket: Ticket, state: StationState) -> None:
        """Chain the ticket after the station's head and insert it."""
        ticket.prev_hash = state.last_hash
        ticket.hash = ticket_hash(ticket)
        insert([ticket])
        state.last_hash = ticket.hash

    def advance_waybill(self, waybill: Waybill, changes: dict[str, Any]) -> None:
        """Write the waybill's new status."""
        for name, value in changes.items():
            setattr(waybill, name, value)
        run(_ADVANCE_WAYBILL, waybill_changes(waybill, timezone.now()))

    def decided(self, ctx: RuleContext, ticket: Ticket) -> None:
        """The other apps' writers take the stored ticket (its alerts: the last locks)."""
        for writer in self._writers:
            writer.add(ctx, ticket)
            writer.write()

    def advance_state(self, state: StationState, seq: int, now: datetime.datetime) -> None:
        """The station's head moves past the stored ticket (its row is locked: lock 1)."""
        state.last_seq = max(state.last_seq, seq)
        state.chain_length += 1
        state.last_seen_at = now
        values = (state.last_seq, state.chain_length, state.last_hash, _seen_at(state), state.pk)
        run(_ADVANCE_STATE, values)


class WholeBatch(OneTicket):
    """Batches of one or more stations in one transaction: locked up front, decided in memory.

    `parts` pairs each station (once) with its parsed tickets, in order. Everything
    is written by `write` with a constant number of statements, whatever the number of
    tickets and stations.
    """

    def __init__(
        self, cache: dict[Any, Any], parts: list[tuple[Station, list[TicketContent]]]
    ) -> None:
        super().__init__(cache)
        stations = {station.pk: station for station, _contents in parts}
        self._states = self._lock_states(stations)
        self._seen = {pk: state.last_seq for pk, state in self._states.items()}
        self._advanced: set[int] = set()
        self._tickets: list[Ticket] = []
        self._by_seq: dict[tuple[int, int], Ticket] = {}
        self._waybills: list[Waybill] = []
        self._changed: dict[int, Waybill] = {}
        self._draws = QuotaDraws()
        self._deliveries = ContractDeliveries()
        contents = [c for _station, batch in parts for c in batch]
        self._plates = {c.plate for c in contents}
        instants = [c.gross_at for c in contents] or [timezone.now()]
        self._earliest, self._latest = min(instants), max(instants)
        self._recent: dict[tuple[int, str], list[Weighing]] | None = None
        self._sightings: dict[str, list[Sighting]] | None = None
        self._span = (self._earliest, self._latest)
        unknown = {p for p in self._plates if ("vehicle", p) not in self.cache}
        if unknown:
            vehicles = {v.plate: v for v in _vehicles(unknown)}
            for plate in unknown:
                self.cache[("vehicle", plate)] = vehicles.get(plate)
        self._lock_up_front(parts)

    @staticmethod
    def _lock_states(stations: dict[int, Station]) -> dict[int, StationState]:
        """Lock 1 for every station of the batch, in ascending station id (no deadlock)."""

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

    def _lock_up_front(self, parts: list[tuple[Station, list[TicketContent]]]) -> None:
        # Which waybills a ticket may take: by number at its site, else an open one of its
        # plate there. Locked for all the parts at once: every number and plate of the
        # mines' tickets at any of the mines, and so for the receiving sites — a few more
        # rows than each ticket's own, in the same ascending id order (no deadlock).
        mines: list[tuple[Any, list[TicketContent]]] = []
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
        self._waybills = _lock_waybills(*wanted["origin_site_id"], *wanted["destination_site_id"])
        if not mines:
            return
        accounts = {self.account(site, c.gross_at) for site, contents in mines for c in contents}
        self._draws.lock(a.pk for a in accounts if a is not None)
        shipping = {site.pk for site, _contents in mines}
        self._deliveries.lock(
            {w.contract_id for w in self._waybills if w.origin_site_id in shipping}
        )

    def state(self, station: Station) -> StationState:
        """The station's state, locked once for the batch."""
        return self._states[station.pk]

    def head_seq(self, station: Station) -> int:
        """The highest seq held for the station once the batch is written."""
        return int(self._states[station.pk].last_seq)

    def stored(self, station: Station, seq: int) -> Ticket | None:
        """A ticket stored before the batch (a seq twice in the batch is `Unbatchable`)."""
        if (station.pk, seq) in self._by_seq:
            raise Unbatchable
        return super().stored(station, seq) if seq <= self._seen[station.pk] else None

    def exit_waybill(self, site_id: int, content: TicketContent) -> Any:
        """Among the waybills locked for the batch."""
        return pick_exit_waybill(self._waybills, site_id, content)

    def entry_waybill(self, site_id: int, content: TicketContent) -> Any:
        """Among the waybills locked for the batch."""
        return pick_entry_waybill(self._waybills, site_id, content)

    def draw_and_deliver(
        self, *, account: Any, content: TicketContent, ref: str, contract_id: int
    ) -> DrawResult | None:
        """Decided on the locked rows: quota first, then the contract, as `OneTicket` does."""
        net = content.net_kg
        if not self._draws.fits(account=account, amount_kg=net):
            return self._draws.draw(account=account, amount_kg=net, ref=ref, at=content.gross_at)
        if not self._deliveries.fits(contract_id=contract_id, net_kg=net):
            return None
        drawn = self._draws.draw(account=account, amount_kg=net, ref=ref, at=content.gross_at)
        self._deliveries.deliver(contract_id=contract_id, net_kg=net)
        return drawn

    def save(self, ticket: Ticket, state: StationState) -> None:
        """Keep the ticket for `write` (chained there, once its ledger entry has an id)."""
        self._tickets.append(ticket)
        self._by_seq[(ticket.station_id, ticket.seq)] = ticket

    def advance_waybill(self, waybill: Waybill, changes: dict[str, Any]) -> None:
        """Change the locked waybill in memory; `write` stores it."""
        for name, value in changes.items():
            setattr(waybill, name, value)
        self._changed[waybill.pk] = waybill

    def decided(self, ctx: RuleContext, ticket: Ticket) -> None:
        """The writers keep the ticket; `write` has them store the batch's at once."""
        for writer in self._writers:
            writer.add(ctx, ticket)

    def advance_state(self, state: StationState, seq: int, now: datetime.datetime) -> None:
        """The head moves in memory; `write` stores it."""
        state.last_seq = max(state.last_seq, seq)
        state.chain_length += 1
        state.last_seen_at = now
        self._advanced.add(state.pk)

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
                sorted(self._states), sorted(self._plates), *self._span
            ):
                self._recent[(row_station, row_plate)].append((seq, net, at))
        covered = self._span[0] <= start and end <= self._span[1]
        if covered and plate in self._plates and station_id in self._states:
            stored = [w for w in self._recent[(station_id, plate)] if start <= w[2] <= end]
        else:
            stored = stored_weighings(station_id, plate, start, end)
        pending = [
            (t.seq, t.net_kg, t.gross_at)
            for t in self._tickets
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
            sighting(t) for t in self._tickets if t.plate == plate and since <= t.gross_at < before
        ]
        return max(stored + pending, key=lambda w: (w[2], w[1]), default=None)

    def _write_waybills(self) -> None:
        now = timezone.now()
        for waybill in self._changed.values():
            waybill.version += 1
            waybill.updated_at = now
        update(list(self._changed.values()), [*_WAYBILL_CHANGES, "version"])

    def write(self) -> None:
        """Store the batch: entries, balances, deliveries, tickets (chained), waybills, heads."""
        self._draws.write()
        self._deliveries.write()
        heads = {pk: state.last_hash for pk, state in self._states.items()}
        for ticket in self._tickets:
            ticket.quota_entry_id = ticket.quota_entry.pk if ticket.quota_entry else None
            ticket.prev_hash = heads[ticket.station_id]
            ticket.hash = heads[ticket.station_id] = ticket_hash(ticket)
        insert(self._tickets)
        self._write_waybills()
        advanced = [self._states[pk] for pk in sorted(self._advanced)]
        for state in advanced:
            state.last_hash = heads[state.pk]
        update(advanced, ["last_seq", "chain_length", "last_hash", "last_seen_at"])
        # Last, as in a lone ticket's transaction: the other apps' rows (alerts) are the last
        # locks taken, after every lock of the fixed order.
        for writer in self._writers:
            writer.write()


def _vehicles(plates: set[str]) -> list[Vehicle]:
    """The registered vehicles of these plates."""
    names = every_field(Vehicle)
    where, params = any_of("plate", sorted(plates))
    sql = f"SELECT {columns(Vehicle, names)} FROM {Vehicle._meta.db_table} WHERE {where}"  # noqa: S608
    return load(Vehicle, names, run(sql, params).rows)


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
