"""What happens on the weighbridge: when a weight is stable, when the scale is back at zero,
and when a truck's weight may be taken.

A weight is taken only when three things hold at once: the reading has been stable (at
least N readings within a tolerance for at least T seconds, and the indicator does not
say it moves), the operator has named the truck (plate typed, or read by the camera),
and the scale has come back to zero since the last weight it took. The last condition is
the defence against the "half on the scale" and "two trucks at once" tricks: a second
truck driving on before the first has left never finds the scale at zero. Its weighing is
refused locally, and so is a truck that crossed the scale without ever standing still.

The state that must survive a restart (zero seen, the pass so far, the truck named) is a
small dict, saved by the agent with every ticket or refusal it causes.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

from oreledger_station.frames import Reading


@dataclass(frozen=True)
class StabilityRule:
    """When a reading counts as stable, zero, or a truck (from the configuration)."""

    readings: int = 10
    seconds: float = 2.0
    tolerance_kg: int = 20
    zero_band_kg: int = 40
    min_load_kg: int = 1000


@dataclass(frozen=True)
class Capture:
    """A stable truck weight, taken with the truck's identity."""

    plate: str
    weight_kg: int
    at: float
    waybill: str | None
    photos: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Refusal:
    """A weighing the station refused to take, and why (a code of `texts.REFUSALS`)."""

    code: str
    plate: str | None
    weight_kg: int | None
    at: float


@dataclass
class ScaleState:
    """What the scale logic must remember across a restart."""

    zero_seen: bool = False  # the scale was at zero since the last weight taken
    zero_kg: int | None = None  # the last stable zero reading
    loaded: bool = False  # a truck is (or was) on the scale since the last zero
    settled: bool = False  # the load was stable at least once since the last zero
    decided: bool = False  # a weight was taken or refused since the last zero
    plate: str | None = None
    waybill: str | None = None
    photos: list[list[str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """For the checkpoint."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ScaleState:
        """From a checkpoint (unknown keys ignored, missing ones default)."""
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


Event = Capture | Refusal


class Scale:
    """The weighing logic of one weighbridge, fed readings and the operator's input."""

    def __init__(self, rule: StabilityRule, state: ScaleState | None = None) -> None:
        self.rule = rule
        self.state = state or ScaleState()
        self.weight_kg: int | None = None
        self.motion = False
        self.out_of_range = False
        self._values: deque[int] = deque(maxlen=max(rule.readings * 4, 16))
        self._count = 0
        self._since = 0.0
        self._low = 0
        self._high = 0
        self.last_at = 0.0
        self.changed = False  # the state changed with the last call (save a checkpoint)

    # --- stability -------------------------------------------------------------------------

    @property
    def stable(self) -> bool:
        """N readings within the tolerance for T seconds, none flagged as moving."""
        return (
            self._count >= self.rule.readings
            and self.last_at - self._since >= self.rule.seconds
            and not self.motion
            and not self.out_of_range
        )

    def stable_value(self) -> int:
        """The most frequent value of the stable run (the latest of equally frequent ones)."""
        counts = Counter(self._values)
        best = max(counts.values())
        for value in reversed(self._values):
            if counts[value] == best:
                return value
        raise AssertionError("empty window")  # pragma: no cover

    def _track(self, reading: Reading, at: float) -> None:
        kg = reading.weight_kg
        self.weight_kg = kg
        self.motion = reading.motion
        self.out_of_range = reading.out_of_range
        self.last_at = at
        if reading.motion or reading.out_of_range:
            self._count = 0
            self._values.clear()
            return
        low, high = min(self._low, kg), max(self._high, kg)
        if self._count and high - low <= self.rule.tolerance_kg:
            self._low, self._high = low, high
            self._count += 1
        else:
            self._low = self._high = kg
            self._count = 1
            self._since = at
            self._values.clear()
        self._values.append(kg)

    # --- events ----------------------------------------------------------------------------

    def reading(self, reading: Reading, at: float) -> list[Event]:
        """Feed one reading; the weights taken and refused because of it."""
        self.changed = False
        self._track(reading, at)
        if not self.stable:
            if self.weight_kg is not None and self.weight_kg >= self.rule.min_load_kg:
                self._set(loaded=True)
            return []
        value = self.stable_value()
        if abs(value) <= self.rule.zero_band_kg:
            return self._at_zero(value, at)
        if value >= self.rule.min_load_kg:
            self._set(loaded=True, settled=True)
            return self._try(value, at)
        return []

    def truck(
        self,
        at: float,
        *,
        plate: str | None,
        waybill: str | None = None,
        photos: list[tuple[str, str]] | None = None,
    ) -> list[Event]:
        """The operator named the truck on the scale (or the camera read its plate)."""
        self.changed = True
        state = self.state
        if plate is not None:
            state.plate = plate
        if waybill is not None:
            state.waybill = waybill or None
        if photos:
            state.photos = [list(p) for p in photos]
        if self.stable:
            value = self.stable_value()
            if value >= self.rule.min_load_kg:
                return self._try(value, at)
        return []

    def clear_truck(self) -> None:
        """The operator cleared the truck's plate and waybill."""
        self.changed = True
        self.state.plate = self.state.waybill = None
        self.state.photos = []

    def _set(self, **changes: Any) -> None:
        for key, value in changes.items():
            if getattr(self.state, key) != value:
                setattr(self.state, key, value)
                self.changed = True

    def _at_zero(self, value: int, at: float) -> list[Event]:
        state = self.state
        events: list[Event] = []
        if state.loaded and not state.decided:
            # The truck left without its weight taken: it never stood still, or nobody
            # named it while it did.
            code = "no_plate" if state.settled else "unstable"
            events.append(Refusal(code, state.plate, None, at))
        if state.zero_kg != value or not state.zero_seen or state.loaded:
            self.changed = True
        state.zero_seen = True
        state.zero_kg = value
        state.loaded = state.settled = state.decided = False
        if events:
            state.plate = state.waybill = None
            state.photos = []
        return events

    def _try(self, value: int, at: float) -> list[Event]:
        state = self.state
        if state.plate is None:
            return []
        plate, waybill = state.plate, state.waybill
        photos = tuple((str(k), str(h)) for k, h in state.photos)
        state.plate = state.waybill = None
        state.photos = []
        state.decided = True
        self.changed = True
        if not state.zero_seen:
            return [Refusal("no_zero", plate, value, at)]
        state.zero_seen = False
        return [Capture(plate, value, at, waybill, photos)]
