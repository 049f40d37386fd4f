"""The station simulator: drives realistic weighbridge traffic over the station protocol.

`Simulator` walks planned trips in time order: it asks the platform for each trip's
waybill (POST /api/v1/waybills, as the contract's county operator), has the mine-exit,
checkpoint and plant-gate stations weigh the truck, and lets every `StationClient` send
its outbox in signed batches. History mode replays past days as fast as the server takes
them; live mode keeps a trickle going, heartbeats, and can pull stations' cables to show
offline buffering. See `client` (protocol), `traffic` (the model), `world` (reading the
registry) and `anomalies` (injected misbehaviour).
"""

from __future__ import annotations

import datetime
import hashlib
import heapq
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oreledger.core.errors import DomainError
from oreledger.demo.names import person_name
from oreledger.simulator.client import (
    SHANGHAI,
    Outcome,
    StationClient,
    Transport,
    TransportError,
    Unplugged,
    encode_json,
    local_iso,
)
from oreledger.simulator.traffic import CARGO, TrafficModel, Trip, Weighing, stable_seed
from oreledger.weighing.services.waybills import issue_waybill

WAYBILLS_PATH = "/api/v1/waybills"
HEARTBEAT_EVERY = 60.0
FLUSH_EVERY = 1.0
HISTORY_BATCH = 100
# Live trips are planned this long before their mine exit: the truck's loading (up to 50
# minutes) and the waybill's lead (up to 10) lie before it.
PLAN_AHEAD = datetime.timedelta(minutes=65)


@dataclass
class Stats:
    """Counts for the progress line."""

    # By where the truck was weighed: "exit" (mine), "checkpoint" (road), "gate" (plant).
    sent: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    confirmed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    waybills: int = 0
    waybills_refused: Counter[str] = field(default_factory=Counter)
    trips: int = 0
    accepted_seqs: set[tuple[str, int]] = field(default_factory=set)

    def line(self, buffered: int, offline: int) -> str:
        """One progress line, English then Chinese."""
        sent, acc = sum(self.sent.values()), sum(self.accepted.values())
        held, rej = sum(self.held.values()), sum(self.rejected.values())

        def by_place(counter: Counter[str]) -> str:
            return (
                f"exit {counter['exit']} / checkpoint {counter['checkpoint']}"
                f" / gate {counter['gate']}"
            )

        acc_zh = (
            f"出矿 {self.accepted['exit']} 检查站 {self.accepted['checkpoint']}"
            f" 入厂 {self.accepted['gate']}"
        )
        return (
            f"trips {self.trips} · waybills {self.waybills}"
            f" (refused {sum(self.waybills_refused.values())})"
            f" · tickets sent {sent} ({by_place(self.sent)})"
            f" · accepted {acc} ({by_place(self.accepted)}) · held {held} · rejected {rej}"
            f" · buffered {buffered} · offline stations {offline}"
            f" | 车次 {self.trips} 运单 {self.waybills}"
            f"（未开出 {sum(self.waybills_refused.values())}） 磅单 已发送 {sent}"
            f" 已接收 {acc}（{acc_zh}） 扣车 {held} 拒收 {rej} 缓存 {buffered} 离线站 {offline}"
        )


class WaybillIssuer:
    """POST /api/v1/waybills with the county operator's token (tokens live in memory only)."""

    def __init__(self, transport: Transport, tokens: dict[str, str]) -> None:
        self.transport = transport
        self.tokens = tokens  # contract number → token key

    def issue(self, trip: Trip) -> tuple[str | None, str]:
        """(waybill number, "") or (None, error code); the platform stamps it now."""
        body = encode_json(
            {"contract": trip.contract.number, "plate": trip.plate,
             "planned_net_kg": trip.planned_net_kg, "valid_hours": 24}
        )  # fmt: skip
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Token {self.tokens[trip.contract.number]}",
        }
        try:
            status, raw = self.transport.request("POST", WAYBILLS_PATH, body, headers)
        except TransportError:
            return None, "network"
        try:
            answer = _json(raw)
        except ValueError:
            answer = None
        if status == 201 and isinstance(answer, dict) and answer.get("number"):
            return str(answer["number"]), ""
        error = answer.get("error") if isinstance(answer, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        return None, str(code or f"http_{status}")


class PastWaybills:
    """Waybills of the simulated past, issued in-process at the time the dispatcher issued them.

    The API stamps a waybill with the time of the request; history replayed now must carry
    the moment of the trip (before the truck was weighed at the mine), so the history's
    waybills go through the same service with that moment. The simulator runs beside the
    platform's database (it reads the registry and the stations' secrets from it).
    """

    def __init__(self, issuers: dict[str, Any]) -> None:
        self.issuers = issuers  # contract number → the county operator who issues

    def issue(self, trip: Trip, at: datetime.datetime) -> tuple[str | None, str]:
        """(waybill number, "") or (None, error code), issued at `at`."""
        try:
            waybill = issue_waybill(
                actor=self.issuers[trip.contract.number],
                contract=trip.contract.number,
                plate=trip.plate,
                planned_net_kg=trip.planned_net_kg,
                valid_hours=24,
                now=at,
            )
        except DomainError as refusal:
            return None, refusal.code
        return waybill.number, ""


def _json(raw: bytes) -> Any:
    return json.loads(raw) if raw else None


# A queued event's index: the trip's waybill, issued before its first weighing.
ISSUE = -1
# A waybill due longer ago than this is issued at its time in-process, not "now" by the API.
LATE = datetime.timedelta(seconds=30)


@dataclass(order=True)
class _Event:
    """The waybill (index ISSUE) or one weighing due at `at` (ties broken by planning order)."""

    at: datetime.datetime
    order: int
    trip: Trip = field(compare=False)
    index: int = field(compare=False)


class Simulator:
    """Plans trips, issues waybills, weighs trucks at stations and keeps the outboxes moving."""

    def __init__(
        self,
        *,
        model: TrafficModel,
        clients: dict[str, StationClient],
        issuer: WaybillIssuer,
        past: PastWaybills | None = None,
        out: Callable[[str], None] = print,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        seed: int = 1,
    ) -> None:
        self.model = model
        self.clients = clients
        self.issuer = issuer
        # Without it (a platform without its database at hand) every waybill is issued now.
        self.past = past
        self.out = out
        self.clock = clock
        self.sleep = sleep
        self.seed = seed
        self.stats = Stats()
        self.stopping = False
        self._queue: list[_Event] = []
        self._order = itertools.count()
        self._last_ticket: dict[str, tuple[str, int]] = {}  # plate → its last (station, seq)
        self._operators = random.Random(stable_seed(seed, "operators"))
        for client in clients.values():
            client.on_outcome = self._on_outcome
        # Mines first, checkpoints next, plants last: an exit reaches the platform before
        # the entry that closes its waybill.
        rank = {"mine": 0, None: 1, "plant": 2}
        sites = model.world.sites
        self._flush_order = sorted(
            clients,
            key=lambda code: (rank.get(_kind(model, sites, code), 1), code),
        )
        places = {"mine": "exit", None: "checkpoint"}
        self._place = {code: places.get(_kind(model, sites, code), "gate") for code in clients}

    # --- outcomes and progress ----------------------------------------------------------

    def _on_outcome(self, client: StationClient, outcome: Outcome) -> None:
        direction = self._place.get(client.code, "gate")
        if outcome.status in ("accepted", "duplicate", "confirmed"):
            self.stats.accepted[direction] += 1
            self.stats.accepted_seqs.add((client.code, outcome.ticket["seq"]))
            self.stats.duplicates += outcome.status == "duplicate"
            self.stats.confirmed += outcome.status == "confirmed"
            if not outcome.release:
                self.stats.held[direction] += 1
        else:
            self.stats.rejected[direction] += 1
        for reason in outcome.reasons:
            self.stats.reasons[str(reason.get("code"))] += 1

    def buffered(self) -> int:
        """Tickets waiting in outboxes."""
        return sum(len(c.outbox) for c in self.clients.values())

    def offline(self) -> int:
        """Stations whose last exchange failed."""
        return sum(1 for c in self.clients.values() if not c.online)

    def progress(self) -> None:
        """Print the progress line."""
        self.out(self.stats.line(self.buffered(), self.offline()))

    # --- the core: one weighing at a time -----------------------------------------------

    def schedule(self, trips: list[Trip]) -> None:
        """Queue each trip's waybill, and every weighing at the time its ticket is complete."""
        for trip in trips:
            if trip.issue_waybill:
                heapq.heappush(self._queue, _Event(trip.issues_at, next(self._order), trip, ISSUE))
            for index, weighing in enumerate(trip.weighings):
                heapq.heappush(
                    self._queue, _Event(weighing.done_at, next(self._order), trip, index)
                )

    def _dispatch(self, event: _Event) -> None:
        trip = event.trip
        if event.index == ISSUE:
            self._issue(trip, event.at)
            return
        if event.index == 0:
            if not trip.issue_waybill and self._still_buffered(trip.plate):
                self.flush_all(force=True)  # close the truck's last trip before the next
            if not trip.cancelled:
                self.stats.trips += 1
        if trip.cancelled:
            return
        weighing = trip.weighings[event.index]
        client = self.clients.get(weighing.station)
        if client is None:
            return
        ticket = client.enqueue(self._ticket(trip, weighing, client.code))
        self.stats.sent[self._place[client.code]] += 1
        self._last_ticket[trip.plate] = (client.code, ticket["seq"])

    def _issue(self, trip: Trip, at: datetime.datetime) -> None:
        """The dispatcher issues the trip's waybill (the truck's last trip closed first)."""
        if self._still_buffered(trip.plate):
            self.flush_all(force=True)
        if self.past is not None and at < _utc(self.clock()) - LATE:
            number, error = self.past.issue(trip, at)
        else:
            number, error = self.issuer.issue(trip)
        if number is None:
            self.stats.waybills_refused[error] += 1
            trip.cancelled = True
            return
        trip.waybill = number
        self.stats.waybills += 1

    def _still_buffered(self, plate: str) -> bool:
        last = self._last_ticket.get(plate)
        if last is None:
            return False
        outbox = self.clients[last[0]].outbox
        return bool(outbox) and outbox[0]["seq"] <= last[1]

    def _ticket(self, trip: Trip, weighing: Weighing, station: str) -> dict[str, Any]:
        operators = self.model.world.operators.get(station) or [_operator(self._operators)]
        photo = hashlib.sha256(f"{station}/{trip.plate}/{weighing.gross_at}".encode()).hexdigest()
        return {
            "ticket_no": None,
            "plate": trip.plate,
            "direction": weighing.direction,
            "waybill": trip.waybill,
            "cargo": CARGO,
            "declared_grade": trip.contract.grade,
            "gross_kg": weighing.gross_kg,
            "tare_kg": weighing.tare_kg,
            "net_kg": weighing.net_kg,
            "gross_at": local_iso(weighing.gross_at),
            "tare_at": local_iso(weighing.tare_at),
            "operator": operators[weighing.gross_at.hour % len(operators)],
            "photos": [{"kind": "plate", "sha256": photo}],
        }

    def flush_all(self, *, force: bool = False) -> None:
        """Every station sends its outbox, mines first."""
        for code in self._flush_order:
            client = self.clients[code]
            if client.outbox and (force or client.due()):
                client.flush(force=force)

    # --- modes --------------------------------------------------------------------------

    def sync(self) -> int:
        """Heartbeat every station to learn its last seq; returns how many tickets it holds."""
        held = 0
        for client in self.clients.values():
            last_seq = client.heartbeat(status="starting")
            held += last_seq or 0
        return held

    def run_history(
        self, *, days: int, now: datetime.datetime, keep_open: bool, volume: float = 1.0
    ) -> None:
        """Replay `days` past days and today until `now`, as fast as the server answers.

        With `keep_open`, weighings still ahead of `now` stay queued for live mode;
        otherwise trips that would not be finished by now are not started.
        """
        today = now.astimezone(SHANGHAI).date()
        for offset in range(days, -1, -1):
            day = today - datetime.timedelta(days=offset)
            start = datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)
            end = min(now, start + datetime.timedelta(days=1))
            trips = self.model.plan(start, end, rate=volume)
            if not keep_open:
                trips = [t for t in trips if t.ends_at <= now]
            self.schedule(trips)
            day_end = min(now, end)
            while self._queue and self._queue[0].at <= day_end and not self.stopping:
                self._dispatch(heapq.heappop(self._queue))
                if any(len(c.outbox) >= c.max_batch for c in self.clients.values()):
                    self.flush_all(force=True)
            self.flush_all(force=True)
            self.out(f"{day:%Y-%m-%d}: " + self.stats.line(self.buffered(), self.offline()))
            if self.stopping:
                break

    def run_live(
        self,
        *,
        speed: float,
        drill: bool = False,
        progress_every: float = 30.0,
        stop_after: float | None = None,
        since: datetime.datetime | None = None,
    ) -> None:
        """Keep traffic flowing at `speed` × the realistic rate until stopped.

        Trips are planned `PLAN_AHEAD` before their mine exit, so that each waybill is
        issued (by the API, now) before its truck is weighed; `since` is where the history
        stopped planning (trips leaving between then and now get their waybills in the past).
        """
        started = self.clock()
        generated_to = since or _utc(started)
        next_beat = {code: started + (i % 60) for i, code in enumerate(sorted(self.clients))}
        next_progress = started + progress_every
        drill_state = (
            _Drill(self, random.Random(stable_seed(self.seed, "drill"))) if drill else None
        )
        while not self.stopping:
            now = self.clock()
            if stop_after is not None and now - started >= stop_after:
                break
            moment = _utc(now)
            if moment + PLAN_AHEAD > generated_to:
                self.schedule(self.model.plan(generated_to, moment + PLAN_AHEAD, rate=speed))
                generated_to = moment + PLAN_AHEAD
            while self._queue and self._queue[0].at <= moment:
                self._dispatch(heapq.heappop(self._queue))
            if drill_state is not None:
                drill_state.tick(now)
            self.flush_all()
            for code, beat_at in next_beat.items():
                if now >= beat_at:
                    client = self.clients[code]
                    if client.online:
                        client.heartbeat()
                    next_beat[code] = now + HEARTBEAT_EVERY
            if now >= next_progress:
                self.progress()
                next_progress = now + progress_every
            self.sleep(FLUSH_EVERY)
        if drill_state is not None:
            drill_state.restore()

    def finish(self, *, timeout: float = 8.0) -> None:
        """Send what the outboxes hold, for at most `timeout` seconds."""
        deadline = self.clock() + timeout
        while self.buffered() and self.clock() < deadline:
            self.flush_all(force=True)
            if self.buffered():
                self.sleep(0.5)


class _Drill:
    """Pulls the cable of a few stations now and then, and plugs it back in later."""

    def __init__(self, simulator: Simulator, rng: random.Random) -> None:
        self.sim = simulator
        self.rng = rng
        self.next_at = simulator.clock() + 60
        self.back_at: dict[str, float] = {}
        sites = simulator.model.world.sites
        # Plant gates and checkpoints only: a mine exit buffered offline would make its
        # plant see the truck first and raise entry_without_exit for a healthy trip.
        self.candidates = sorted(
            code for code in simulator.clients
            if _kind(simulator.model, sites, code) != "mine"
            and isinstance(simulator.clients[code].transport, Unplugged)
        )  # fmt: skip

    def tick(self, now: float) -> None:
        """Take stations offline or bring them back, as the schedule says."""
        for code, back_at in list(self.back_at.items()):
            if now >= back_at:
                client = self.sim.clients[code]
                _plug(client, offline=False)
                held = len(client.outbox)
                del self.back_at[code]
                client.retry_at = now
                client.flush(force=True)
                self.sim.out(f"{code} back online, resending {held} buffered tickets "
                             f"| {code} 恢复联网，补传 {held} 张磅单")  # fmt: skip
        if now >= self.next_at and self.candidates:
            for code in self.rng.sample(self.candidates, min(3, len(self.candidates))):
                if code in self.back_at:
                    continue
                minutes = self.rng.uniform(3, 10)
                _plug(self.sim.clients[code], offline=True)
                self.back_at[code] = now + minutes * 60
                self.sim.out(f"{code} offline for {minutes:.0f} min (drill), buffering "
                             f"| {code} 断网演练 {minutes:.0f} 分钟，本地缓存")  # fmt: skip
            self.next_at = now + self.rng.uniform(10, 20) * 60

    def restore(self) -> None:
        """Plug every station back in (before the final flush)."""
        for code in list(self.back_at):
            _plug(self.sim.clients[code], offline=False)
            self.sim.clients[code].retry_at = 0
        self.back_at.clear()


def _plug(client: StationClient, *, offline: bool) -> None:
    if isinstance(client.transport, Unplugged):
        client.transport.offline = offline


def _kind(model: TrafficModel, sites: dict[str, Any], code: str) -> str | None:
    station = model.world.stations.get(code)
    if station is None or station.site_code is None:
        return None
    site = sites.get(station.site_code)
    return site.kind if site is not None else None


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def _operator(rng: random.Random) -> str:
    return person_name(rng)
