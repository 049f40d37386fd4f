"""The simulator's traffic model: which trucks haul what, when, and what the scales read.

Pure Python over a `World` snapshot (no database access here), so that a plan is the same
for the same seed, world and clock. Trips respect the sites' permitted hours, the legal
gross of the truck's axles (GB 1589), the registered tares, contract and quota balances,
and the trucks' own timelines (a truck is never at two places at once).
"""

from __future__ import annotations

import datetime
import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from oreledger.core.distance import haversine_km
from oreledger.simulator.client import SHANGHAI

# docs/reference/rules.md overload: legal gross by axles (kg).
LEGAL_GROSS_KG = {2: 18_000, 3: 25_000, 4: 31_000, 5: 43_000, 6: 49_000}
# What a dispatcher loads per axle count (kg), before the legal limit caps it.
NET_KG_BY_AXLES = {
    2: (8_000, 10_500),
    3: (11_000, 13_500),
    4: (14_000, 16_500),
    5: (24_000, 28_000),
    6: (29_000, 34_000),
}
# Share of permitted hours' traffic by local hour: morning and afternoon peaks.
HOURLY_PROFILE = (
    0.2, 0.2, 0.2, 0.2, 0.2, 0.4, 1.0, 2.0, 3.5, 4.0, 3.5, 2.5,
    1.5, 2.5, 3.5, 4.0, 3.5, 2.5, 1.5, 1.0, 0.7, 0.4, 0.3, 0.2,
)  # fmt: skip
# A mine ships this share of its capacity over this many working days a year.
UTILISATION = 0.65
WORKING_DAYS = 320
MEAN_NET_KG = 30_000
# A contract or quota with less than one truckload left gets no more trucks.
MIN_LOAD_KG = 35_000
SCALE_DIVISION_KG = 20
CARGO = "magnesite_ore"
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class StationInfo:
    """A weighbridge the simulator speaks for."""

    code: str
    lat: float
    lon: float
    site_code: str | None
    county: str


@dataclass(frozen=True)
class SiteInfo:
    """A mine or plant with a station, its hours (minutes after local midnight) and size."""

    code: str
    kind: str
    lat: float
    lon: float
    hours_from: int
    hours_to: int
    station: str
    county: str
    capacity_t: int = 0
    quota_left_kg: int | None = None


@dataclass
class ContractInfo:
    """An approved contract trucks may load against, and what is left of it."""

    number: str
    origin: str
    destination: str
    grade: str
    remaining_kg: int
    valid_from: datetime.date
    valid_to: datetime.date
    county: str
    # When the county approved it: no waybill is issued against it before.
    approved_at: datetime.datetime | None = None


@dataclass
class Truck:
    """A registered truck of a haulier, and when it is next free to load."""

    plate: str
    axles: int
    tare_kg: int
    county: str
    free_at: datetime.datetime = field(default=EPOCH)


@dataclass
class World:
    """Everything the traffic model reads: stations, sites, contracts, trucks, operators."""

    stations: dict[str, StationInfo]
    sites: dict[str, SiteInfo]
    contracts: list[ContractInfo]
    trucks: list[Truck]
    operators: dict[str, list[str]] = field(default_factory=dict)  # station code → names


@dataclass
class Weighing:
    """One ticket a station will print: where, which way, the readings and their times."""

    station: str
    direction: str
    gross_kg: int
    tare_kg: int
    gross_at: datetime.datetime
    tare_at: datetime.datetime

    @property
    def net_kg(self) -> int:
        """Gross minus tare."""
        return self.gross_kg - self.tare_kg

    @property
    def done_at(self) -> datetime.datetime:
        """When the ticket is complete (and the station sends it)."""
        return max(self.gross_at, self.tare_at)


@dataclass
class Trip:
    """One truck, one trip, one waybill: mine exit, checkpoints, plant gate."""

    contract: ContractInfo
    plate: str
    axles: int
    registered_tare_kg: int
    planned_net_kg: int
    weighings: list[Weighing]
    issue_waybill: bool = True
    anomalies: list[str] = field(default_factory=list)
    waybill: str | None = None
    cancelled: bool = False
    # How long before the truck's first weighing the dispatcher issues its waybill.
    issue_lead: datetime.timedelta = datetime.timedelta(minutes=5)

    @property
    def issues_at(self) -> datetime.datetime:
        """When the waybill is issued: before the truck's first weighing (its tare at the mine)."""
        first = self.weighings[0]
        return min(first.gross_at, first.tare_at) - self.issue_lead

    @property
    def ends_at(self) -> datetime.datetime:
        """When the last ticket of the trip is complete."""
        return self.weighings[-1].done_at


class Anomaly(Protocol):
    """A kind of misbehaviour injected into a share of trips (the alerts issue's hook)."""

    kind: str
    rate: float

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Change the trip in place (its weighings, waybill) to show the misbehaviour."""


def within_hours(moment: datetime.datetime, hours_from: int, hours_to: int) -> bool:
    """Whether a moment falls inside a site's permitted hours (local time)."""
    if hours_from == 0 and hours_to >= 1440:
        return True
    local = moment.astimezone(SHANGHAI)
    minute = local.hour * 60 + local.minute
    if hours_from <= hours_to:
        return hours_from <= minute < hours_to
    return minute >= hours_from or minute < hours_to


def _scale(value: float) -> int:
    return round(value / SCALE_DIVISION_KG) * SCALE_DIVISION_KG


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation keeps large means cheap
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def stable_seed(*parts: object) -> int:
    """An integer seed from parts, the same in every process (unlike hash())."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class TrafficModel:
    """Plans trips over a World: deterministic for a seed and the windows asked for."""

    def __init__(self, world: World, *, seed: int, anomalies: Sequence[Anomaly] = ()) -> None:
        self.world = world
        self.seed = seed
        self.anomalies = list(anomalies)
        self._by_origin: dict[str, list[ContractInfo]] = {}
        for contract in sorted(world.contracts, key=lambda c: c.number):
            self._by_origin.setdefault(contract.origin, []).append(contract)
        self._trucks_by_county: dict[str, list[Truck]] = {}
        for truck in sorted(world.trucks, key=lambda t: t.plate):
            self._trucks_by_county.setdefault(truck.county, []).append(truck)
        self._checkpoints = sorted(
            (s for s in world.stations.values() if s.site_code is None), key=lambda s: s.code
        )
        self._route_cache: dict[tuple[str, str], StationInfo | None] = {}
        self._open_hours: dict[tuple[int, int], frozenset[int]] = {}
        self.quota_left = {code: site.quota_left_kg for code, site in world.sites.items()}

    # --- rates --------------------------------------------------------------------------

    def mines(self) -> list[SiteInfo]:
        """Mines with at least one contract, by code."""
        return [self.world.sites[code] for code in sorted(self._by_origin)]

    def hourly_trips(self, mine: SiteInfo, hour: int) -> float:
        """Expected trips leaving the mine in one local hour at realistic volume."""
        key = (mine.hours_from, mine.hours_to)
        if key not in self._open_hours:
            self._open_hours[key] = frozenset(
                h for h in range(24) if within_hours(_local_hour(h), *key)
            )
        open_hours = self._open_hours[key]
        if hour not in open_hours:
            return 0.0
        daily = (mine.capacity_t or 300_000) * 1000 * UTILISATION / WORKING_DAYS / MEAN_NET_KG
        weight_sum = sum(HOURLY_PROFILE[h] for h in open_hours) or 1.0
        return daily * HOURLY_PROFILE[hour] / weight_sum

    # --- planning -----------------------------------------------------------------------

    def plan(
        self,
        start: datetime.datetime,
        end: datetime.datetime,
        *,
        rate: float = 1.0,
        rng: random.Random | None = None,
        anomaly_rng: random.Random | None = None,
    ) -> list[Trip]:
        """Trips whose mine-exit weighing falls in [start, end), in order of that time."""
        rng = rng or random.Random(stable_seed(self.seed, "plan", start.isoformat()))
        anomaly_rng = anomaly_rng or random.Random(stable_seed(self.seed, "anomaly", start))
        starts: list[tuple[datetime.datetime, str]] = []
        cursor = start
        while cursor < end:
            hour_end = (cursor + datetime.timedelta(hours=1)).replace(
                minute=0, second=0, microsecond=0
            )
            step_end = min(end, hour_end)
            seconds = (step_end - cursor).total_seconds()
            hour = cursor.astimezone(SHANGHAI).hour
            for mine in self.mines():
                mean = self.hourly_trips(mine, hour) * rate * seconds / 3600
                for _ in range(_poisson(rng, mean)):
                    at = cursor + datetime.timedelta(seconds=rng.uniform(0, seconds))
                    starts.append((at, mine.code))
            cursor = step_end
        starts.sort()
        trips = []
        for at, mine_code in starts:
            trip = self._trip(rng, at, self.world.sites[mine_code])
            if trip is None:
                continue
            for anomaly in self.anomalies:
                if anomaly_rng.random() < anomaly.rate:
                    anomaly.apply(trip, anomaly_rng)
                    trip.anomalies.append(anomaly.kind)
            approved = trip.contract.approved_at
            if approved is not None and trip.issue_waybill and trip.issues_at < approved:
                # Misbehaviour moved the trip before its contract existed: it does not happen.
                trip.contract.remaining_kg += trip.weighings[0].net_kg
                continue
            trips.append(trip)
        return trips

    def _trip(self, rng: random.Random, exit_at: datetime.datetime, mine: SiteInfo) -> Trip | None:
        load = datetime.timedelta(minutes=rng.uniform(20, 50))
        # Issued after the truck's previous trip ended (the truck is free a return drive of
        # at least 10 minutes after it) and before it is weighed empty at the mine.
        lead = datetime.timedelta(minutes=rng.uniform(3, 10))
        issued = exit_at - load - lead
        day = issued.astimezone(SHANGHAI).date()
        contracts = [
            c for c in self._by_origin.get(mine.code, [])
            if c.valid_from <= day <= c.valid_to and c.remaining_kg >= MIN_LOAD_KG
            and (c.approved_at is None or c.approved_at <= issued)
        ]  # fmt: skip
        quota_left = self.quota_left.get(mine.code)
        if not contracts or (quota_left is not None and quota_left < MIN_LOAD_KG):
            return None
        contract = rng.choices(contracts, weights=[c.remaining_kg for c in contracts])[0]
        plant = self.world.sites[contract.destination]
        mine_station = self.world.stations[mine.station]
        plant_station = self.world.stations[plant.station]
        distance = haversine_km(mine.lat, mine.lon, plant.lat, plant.lon)
        drive_min = distance * 1.3 / rng.uniform(30, 40) * 60 + rng.uniform(5, 15)
        travel = datetime.timedelta(minutes=min(90.0, max(20.0, drive_min)))
        unload = datetime.timedelta(minutes=rng.uniform(10, 25))
        arrive = exit_at + travel
        if not (
            within_hours(exit_at - load, mine.hours_from, mine.hours_to)
            and within_hours(exit_at, mine.hours_from, mine.hours_to)
            and within_hours(arrive, plant.hours_from, plant.hours_to)
            and within_hours(arrive + unload, plant.hours_from, plant.hours_to)
        ):
            return None  # a dispatcher sends no truck that would weigh outside hours
        truck = self._free_truck(rng, mine.county, exit_at - load)
        if truck is None:
            return None
        net = self._net(rng, truck)
        exit_tare = _scale(truck.tare_kg * (1 + max(-0.008, min(0.008, rng.gauss(0, 0.003)))))
        exit_gross = exit_tare + _scale(net)
        out = Weighing(mine_station.code, "out", exit_gross, exit_tare, exit_at, exit_at - load)
        weighings = [out]
        checkpoint = self._checkpoint_between(mine, plant)
        if checkpoint is not None and rng.random() < 0.6:
            share = haversine_km(mine.lat, mine.lon, checkpoint.lat, checkpoint.lon) / max(
                0.1, distance
            )
            at = exit_at + travel * max(0.1, min(0.9, share))
            gross = _scale(exit_gross * (1 + rng.uniform(-0.002, 0.002)))
            # A checkpoint scale weighs the loaded truck and prints the registered tare.
            weighings.append(Weighing(checkpoint.code, "in", gross, truck.tare_kg, at, at))
        entry_net = _scale(out.net_kg * (1 + rng.uniform(-0.003, 0.003)))
        entry_tare = _scale(truck.tare_kg * (1 + max(-0.008, min(0.008, rng.gauss(0, 0.003)))))
        weighings.append(
            Weighing(plant_station.code, "in", entry_tare + entry_net, entry_tare, arrive,
                     arrive + unload)
        )  # fmt: skip
        back = distance * 1.3 / 40 * 60 + rng.uniform(10, 30)
        truck.free_at = arrive + unload + datetime.timedelta(minutes=back)
        contract.remaining_kg -= out.net_kg
        if quota_left is not None:
            self.quota_left[mine.code] = quota_left - out.net_kg
        planned = int(round(net, -3)) or 1000
        return Trip(
            contract, truck.plate, truck.axles, truck.tare_kg, planned, weighings, issue_lead=lead
        )

    def _net(self, rng: random.Random, truck: Truck) -> float:
        low, high = NET_KG_BY_AXLES.get(truck.axles, NET_KG_BY_AXLES[6])
        ceiling = LEGAL_GROSS_KG.get(truck.axles, 49_000) - truck.tare_kg * 1.01
        ceiling -= rng.uniform(200, 1_200)  # loaders stop short of the legal gross
        return max(1_000.0, min(rng.uniform(low, high), ceiling))

    def _free_truck(
        self, rng: random.Random, county: str, needed_at: datetime.datetime
    ) -> Truck | None:
        for pool in (self._trucks_by_county.get(county, []), self.world.trucks):
            free = [t for t in pool if t.free_at <= needed_at]
            if free:
                return free[rng.randrange(len(free))]
        return None

    def _checkpoint_between(self, mine: SiteInfo, plant: SiteInfo) -> StationInfo | None:
        key = (mine.code, plant.code)
        if key not in self._route_cache:
            direct = haversine_km(mine.lat, mine.lon, plant.lat, plant.lon)
            best, best_detour = None, max(2.0, 0.15 * direct)
            for checkpoint in self._checkpoints:
                detour = (
                    haversine_km(mine.lat, mine.lon, checkpoint.lat, checkpoint.lon)
                    + haversine_km(checkpoint.lat, checkpoint.lon, plant.lat, plant.lon)
                    - direct
                )
                if detour < best_detour:
                    best, best_detour = checkpoint, detour
            self._route_cache[key] = best
        return self._route_cache[key]


def _local_hour(hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 1, 5, hour, 30, tzinfo=SHANGHAI)
