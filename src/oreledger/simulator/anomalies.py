"""Misbehaviour the simulator can inject into a small share of trips (off by default).

Each kind changes a planned trip in place so that the platform's rules (docs/reference/rules.md)
have something real to find; `--anomaly KIND=RATE` turns one on (the demo's rates:
`demo.anomalies`).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from oreledger.core.localtime import LOCAL
from oreledger.simulator.traffic import (
    LEGAL_GROSS_KG,
    SCALE_DIVISION_KG,
    Anomaly,
    Trip,
)


def _round(value: float) -> int:
    return round(value / SCALE_DIVISION_KG) * SCALE_DIVISION_KG


def _mirror_entry(trip: Trip, exit_net: int, rng: random.Random) -> None:
    """The plant gate weighs what the truck really carries."""
    entry = trip.weighings[-1]
    if entry.direction == "in" and len(trip.weighings) > 1:
        entry.gross_kg = entry.tare_kg + _round(exit_net * (1 + rng.uniform(-0.003, 0.003)))


@dataclass
class Overload:
    """The truck leaves the mine 3–12 % over its legal gross (rule `overload`)."""

    rate: float
    kind: str = "overload"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Load the truck past its axle limit; every scale on the way sees it."""
        out = trip.weighings[0]
        if out.direction != "out":
            return
        target = _round(LEGAL_GROSS_KG.get(trip.axles, 49_000) * rng.uniform(1.03, 1.12))
        extra = max(0, target - out.gross_kg)
        for weighing in trip.weighings:
            weighing.gross_kg += extra


@dataclass
class InflatedTare:
    """The mine scale prints a tare 5–9 % high, so less is drawn from quota than left."""

    rate: float
    kind: str = "inflated_tare"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Raise the exit tare (`tare_deviation`); the plant then sees the true net."""
        out = trip.weighings[0]
        if out.direction != "out":
            return
        true_net = out.net_kg
        out.tare_kg = _round(out.tare_kg * rng.uniform(1.05, 1.09))
        _mirror_entry(trip, true_net, rng)


@dataclass
class Discrepancy:
    """The plant receives 2–5 % more or less than left the mine (`weight_discrepancy`)."""

    rate: float
    kind: str = "discrepancy"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Change the plant-gate net by a share beyond the rule's threshold."""
        entry = trip.weighings[-1]
        if len(trip.weighings) < 2 or entry.direction != "in":
            return
        share = rng.uniform(0.02, 0.05) * rng.choice((-1, 1))
        entry.gross_kg = entry.tare_kg + _round(trip.weighings[0].net_kg * (1 + share))


@dataclass
class UnweighedDeparture:
    """The truck slips past the mine scale; only the plant gate weighs it."""

    rate: float
    kind: str = "unweighed_departure"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Drop the exit ticket; the waybill stays issued (`entry_without_exit`)."""
        if len(trip.weighings) > 1 and trip.weighings[0].direction == "out":
            trip.weighings.pop(0)


@dataclass
class ClonedPlate:
    """A second truck with the same plate weighs at another station at the same time."""

    rate: float
    kind: str = "cloned_plate"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Overlap the later weighings with the exit in time (impossible_travel)."""
        if len(trip.weighings) < 2:
            return
        first = trip.weighings[0].gross_at
        for weighing in trip.weighings[1:]:
            offset = datetime.timedelta(minutes=rng.uniform(1, 4))
            weighing.tare_at = weighing.tare_at - (weighing.gross_at - first) + offset
            weighing.gross_at = first + offset


@dataclass
class NightWeighing:
    """The trip runs in the small hours (off_hours)."""

    rate: float
    kind: str = "night_weighing"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Move every weighing of the trip to around 02:00 local the same night."""
        first = trip.weighings[0].gross_at
        local = first.astimezone(LOCAL)
        target = local.replace(hour=2, minute=rng.randrange(0, 50))
        shift = target - local
        for weighing in trip.weighings:
            weighing.gross_at += shift
            weighing.tare_at += shift


@dataclass
class NoWaybill:
    """The truck comes to the mine scale with no waybill issued (no_waybill: held)."""

    rate: float
    kind: str = "no_waybill"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Skip issuing the waybill."""
        trip.issue_waybill = False


@dataclass
class DoubleWeighing:
    """The plant gate weighs the same load twice within minutes (duplicate_weighing)."""

    rate: float
    kind: str = "double_weighing"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Repeat the last weighing three to eight minutes later."""
        last = trip.weighings[-1]
        again = type(last)(**{**last.__dict__})
        shift = datetime.timedelta(minutes=rng.uniform(3, 8))
        again.gross_at += shift
        again.tare_at += shift
        trip.weighings.append(again)


@dataclass
class LostInTransit:
    """The truck leaves the mine and never reaches the plant (waybill_unclosed)."""

    rate: float
    kind: str = "lost_in_transit"

    def apply(self, trip: Trip, rng: random.Random) -> None:
        """Keep only the mine-exit weighing."""
        if len(trip.weighings) > 1 and trip.weighings[0].direction == "out":
            del trip.weighings[1:]


KINDS: dict[str, type[Any]] = {
    "cloned_plate": ClonedPlate,
    "night_weighing": NightWeighing,
    "no_waybill": NoWaybill,
    "double_weighing": DoubleWeighing,
    "lost_in_transit": LostInTransit,
}


ANOMALY_KINDS: dict[str, type[Any]] = {
    "overload": Overload,
    "inflated_tare": InflatedTare,
    "discrepancy": Discrepancy,
    "unweighed_departure": UnweighedDeparture,
    "cloned_plate": ClonedPlate,
    "night_weighing": NightWeighing,
    "no_waybill": NoWaybill,
    "double_weighing": DoubleWeighing,
    "lost_in_transit": LostInTransit,
}


def parse_anomalies(specs: list[str]) -> list[Anomaly]:
    """["overload=0.02", …] → anomaly objects; raises ValueError on an unknown kind or rate."""
    anomalies = []
    for spec in specs:
        kind, _sep, rate_text = spec.partition("=")
        if kind not in ANOMALY_KINDS:
            raise ValueError(f"unknown anomaly {kind!r}; known: {', '.join(ANOMALY_KINDS)}")
        rate = float(rate_text or "0.02")
        if not 0 <= rate <= 1:
            raise ValueError(f"anomaly rate must be within 0–1: {spec}")
        anomalies.append(ANOMALY_KINDS[kind](rate=rate))
    return anomalies
