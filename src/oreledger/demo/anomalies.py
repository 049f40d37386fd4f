"""Misbehaviour of each rule's kind for the station simulator (weighing.simulator_anomalies).

Registered into the simulator's `ANOMALY_KINDS` at start-up (the demo app's ready), so that
`oreledger simulate-stations --anomaly cloned_plate=0.01 --anomaly night_weighing=0.01 …`
makes the demo raise real alerts.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from oreledger.core.localtime import LOCAL
from oreledger.weighing import simulator_anomalies

# docs/reference/rules.md kinds and a realistic small share of trips for each (rates per trip).
DEMO_RATES = {
    "overload": 0.01,
    "inflated_tare": 0.005,
    "discrepancy": 0.005,
    "unweighed_departure": 0.003,
    "cloned_plate": 0.003,
    "night_weighing": 0.005,
    "no_waybill": 0.003,
    "double_weighing": 0.003,
    "lost_in_transit": 0.003,
}


@dataclass
class ClonedPlate:
    """A second truck with the same plate weighs at another station at the same time."""

    rate: float
    kind: str = "cloned_plate"

    def apply(self, trip: Any, rng: random.Random) -> None:
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

    def apply(self, trip: Any, rng: random.Random) -> None:
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

    def apply(self, trip: Any, rng: random.Random) -> None:
        """Skip issuing the waybill."""
        trip.issue_waybill = False


@dataclass
class DoubleWeighing:
    """The plant gate weighs the same load twice within minutes (duplicate_weighing)."""

    rate: float
    kind: str = "double_weighing"

    def apply(self, trip: Any, rng: random.Random) -> None:
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

    def apply(self, trip: Any, rng: random.Random) -> None:
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


def register() -> None:
    """Add these kinds to the simulator's registry (it reads `ANOMALY_KINDS` by name)."""
    for kind, cls in KINDS.items():
        simulator_anomalies.ANOMALY_KINDS.setdefault(kind, cls)


def demo_specs(scale: float = 1.0) -> list[str]:
    """`--anomaly` arguments for every kind at its realistic demo rate."""
    return [f"{kind}={rate * scale:g}" for kind, rate in DEMO_RATES.items()]
