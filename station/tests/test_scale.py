"""The scale logic: stability, zero, when a weight is taken, and when it is refused."""

from __future__ import annotations

import pytest

from oreledger_station.frames import Reading
from oreledger_station.scale import Capture, Refusal, Scale, ScaleState, StabilityRule

RULE = StabilityRule(readings=10, seconds=2.0, tolerance_kg=20, zero_band_kg=40,
                     min_load_kg=1000)  # fmt: skip
HZ = 10  # readings a second


class Bridge:
    """A scale fed at 10 readings a second, with a clock."""

    def __init__(self, state: ScaleState | None = None) -> None:
        self.scale = Scale(RULE, state)
        self.t = 1_000.0
        self.events: list[Capture | Refusal] = []

    def show(self, kg: int, seconds: float, *, motion: bool = False) -> None:
        for _ in range(round(seconds * HZ)):
            self.t += 1 / HZ
            self.events += self.scale.reading(Reading(kg, motion=motion), self.t)

    def rock(self, kg: int, seconds: float) -> None:
        for n in range(round(seconds * HZ)):
            self.t += 1 / HZ
            self.events += self.scale.reading(Reading(kg + (150 if n % 4 < 2 else -150)), self.t)

    def name(self, plate: str, waybill: str | None = None) -> None:
        self.events += self.scale.truck(self.t, plate=plate, waybill=waybill)


def test_stable_needs_n_readings_within_tolerance_for_t_seconds() -> None:
    bridge = Bridge()
    bridge.show(30_000, 1.9)
    assert not bridge.scale.stable  # 19 readings, but not yet 2 s
    bridge.show(30_020, 0.3)
    assert bridge.scale.stable and bridge.scale.stable_value() == 30_000
    bridge.show(30_060, 0.1)  # one division too far: the run starts again
    assert not bridge.scale.stable


def test_the_indicators_motion_flag_overrides_steady_numbers() -> None:
    bridge = Bridge()
    bridge.show(30_000, 5.0, motion=True)
    assert not bridge.scale.stable


def test_a_named_truck_standing_still_after_zero_is_weighed_once() -> None:
    # given the empty scale at zero, then a truck standing on it, named by the operator
    bridge = Bridge()
    bridge.show(0, 3)
    bridge.show(20_000, 0.5, motion=True)
    bridge.name("辽C12345", "WB1")
    assert bridge.events == []  # not stable yet
    bridge.show(31_200, 5)
    # then its weight is taken once, with its waybill, however long it stands there
    assert bridge.events == [Capture("辽C12345", 31_200, bridge.events[0].at, "WB1", ())]
    assert bridge.scale.state.plate is None and not bridge.scale.state.zero_seen


def test_no_weight_is_taken_until_the_truck_is_named() -> None:
    bridge = Bridge()
    bridge.show(0, 3)
    bridge.show(31_200, 10)
    assert bridge.events == []
    bridge.name("辽C12345")
    assert [type(e) for e in bridge.events] == [Capture]


def test_a_second_truck_before_the_scale_returns_to_zero_is_refused() -> None:
    # given truck A weighed
    bridge = Bridge()
    bridge.show(0, 3)
    bridge.show(14_200, 3)
    bridge.name("辽C10004")
    # when B drives on while A drives off, the scale never back at zero
    bridge.show(9_000, 2, motion=True)
    bridge.show(17_500, 3)
    bridge.name("辽C10005")
    # then B's weighing is refused, with its plate and weight
    assert [type(e) for e in bridge.events] == [Capture, Refusal]
    assert bridge.events[1] == Refusal("no_zero", "辽C10005", 17_500, bridge.events[1].at)
    # and after the scale is back at zero, the next truck is weighed again
    bridge.show(0, 3)
    bridge.show(17_500, 3)
    bridge.name("辽C10005")
    assert isinstance(bridge.events[-1], Capture)


def test_a_truck_that_never_stands_still_is_refused_when_it_leaves() -> None:
    bridge = Bridge()
    bridge.show(0, 3)
    bridge.name("辽C10003")
    bridge.rock(38_000, 40)
    assert bridge.events == []
    bridge.show(0, 3)
    assert bridge.events == [Refusal("unstable", "辽C10003", None, bridge.events[0].at)]
    assert bridge.scale.state.plate is None  # the next truck is not weighed under its plate


def test_a_truck_that_stood_still_but_was_never_named_is_refused_when_it_leaves() -> None:
    bridge = Bridge()
    bridge.show(0, 3)
    bridge.show(31_000, 5)
    bridge.show(0, 3)
    assert [(e.code, e.plate) for e in bridge.events if isinstance(e, Refusal)] == [
        ("no_plate", None)
    ]


def test_light_loads_are_neither_trucks_nor_zero() -> None:
    # a person on the scale (80 kg) is not a truck and not a return to zero
    bridge = Bridge()
    bridge.show(0, 3)
    bridge.show(14_200, 3)
    bridge.name("辽C10004")
    bridge.show(80, 5)
    assert not bridge.scale.state.zero_seen
    bridge.show(20, 3)  # within the zero band
    assert bridge.scale.state.zero_seen


def test_state_survives_a_restart() -> None:
    # given a truck weighed, its plate and the zero flag saved
    bridge = Bridge()
    bridge.show(0, 3)
    bridge.show(14_200, 3)
    bridge.name("辽C10004")
    saved = bridge.scale.state.as_dict()
    # when the agent restarts with the truck still on the scale and someone names it again
    again = Bridge(ScaleState.from_dict(saved))
    again.show(14_200, 3)
    again.name("辽C10004")
    # then it is not weighed twice: the scale has not been back at zero
    assert [e.code for e in again.events if isinstance(e, Refusal)] == ["no_zero"]


@pytest.mark.parametrize("data", [None, {}, {"zero_seen": True, "unknown": 1}])
def test_state_from_partial_checkpoints(data) -> None:
    state = ScaleState.from_dict(data)
    assert state.plate is None and state.zero_seen == bool(data and data.get("zero_seen"))
