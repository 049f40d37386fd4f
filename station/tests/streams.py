"""A generator of indicator captures: the bytes an XK3190 or a Toledo indicator sends while
trucks cross the weighbridge, with the operator's EVENTS.csv and the tickets to expect.

Frames are written exactly as the formats define them (frames.py has the definitions) and
back to back, as an indicator in continuous mode sends them; a capture has no timing, so
time is the byte count at the baud rate (10 bits a character). The line is dirty on
purpose: bursts of noise (with stray STX bytes), frames with a wrong check, frames cut
short; and a truck that never stands still, a truck weighed while the previous one is still
on the scale, and a stretch where every frame shows a loaded truck with a broken check.

`python -m streams` (from station/tests) rewrites the committed captures in data/.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data"
BITS_PER_BYTE = 10
DIVISION_KG = 20


def xk3190_frame(kg: int, *, places: int = 0, corrupt: bool = False) -> bytes:
    """STX, sign, six digits, point position, XOR of bytes 2–9 as two hex digits, ETX."""
    sign = b"-" if kg < 0 else b"+"
    body = sign + f"{abs(kg):06d}".encode() + str(places).encode()
    xor = 0
    for byte in body:
        xor ^= byte
    if corrupt:
        xor ^= 0x01 << random.Random(kg).randrange(4)
    return b"\x02" + body + f"{xor:02X}".encode() + b"\x03"


def toledo_frame(kg: int, *, motion: bool = False, corrupt: bool = False) -> bytes:
    """STX, status A/B/C, six digits of weight, six of tare, CR, checksum (7-bit, 2's compl.)."""
    status_a = 0x20 | 0x08 | 0x02  # always-1 bit, increment x1, no decimal point
    status_b = 0x20 | 0x10 | (0x08 if motion else 0) | (0x02 if kg < 0 else 0)  # kg
    status_c = 0x20
    frame = bytes([0x02, status_a, status_b, status_c]) + f"{abs(kg):06d}000000\r".encode()
    check = (-sum(frame)) & 0x7F
    if corrupt:
        check ^= 0x04
    return frame + bytes([check])


def line_frame(kg: int, *, motion: bool = False) -> bytes:
    """The default line format: ``ST,GS,+  12345kg`` (US when moving)."""
    sign = "-" if kg < 0 else "+"
    return f"{'US' if motion else 'ST'},GS,{sign}{abs(kg):7d}kg\r\n".encode()


@dataclass(frozen=True)
class Expected:
    """A ticket the replay must produce."""

    plate: str
    gross_kg: int
    tare_kg: int
    waybill: str | None

    @property
    def net_kg(self) -> int:
        """Gross minus tare."""
        return self.gross_kg - self.tare_kg


@dataclass
class Script:
    """What happens on the scale, second by second, and what the operator does."""

    pieces: list[tuple[float, Callable[[float], float], bool]] = field(default_factory=list)
    events: list[tuple[float, str, str]] = field(default_factory=list)
    tickets: list[Expected] = field(default_factory=list)
    refusals: list[tuple[str, str]] = field(default_factory=list)
    phantoms: list[tuple[float, float, int]] = field(default_factory=list)
    duration: float = 0.0
    _first: dict[str, tuple[int, str | None]] = field(default_factory=dict)

    def _add(self, seconds: float, weight: Callable[[float], float], moving: bool) -> float:
        start = self.duration
        self.pieces.append((seconds, weight, moving))
        self.duration += seconds
        return start

    def zero(self, seconds: float) -> None:
        """The empty scale."""
        self._add(seconds, lambda t: 0.0, False)

    def ramp(self, low: float, high: float, seconds: float = 6.0) -> None:
        """A truck driving on (or off): the weight steps up axle by axle, never still."""

        def weight(t: float) -> float:
            share = t / seconds
            steps = min(5, int(share * 6))
            return low + (high - low) * (steps / 5 * 0.85 + share * 0.15)

        self._add(seconds, weight, True)

    def hold(self, kg: int, seconds: float = 18.0) -> float:
        """A truck standing still: the weight, now and then one division above."""
        return self._add(
            seconds, lambda t: kg + (DIVISION_KG if int(t * 7) % 11 == 3 else 0), False
        )

    def wobble(self, kg: int, amplitude: float, seconds: float) -> float:
        """A weight that never settles (a truck rocking, or an indicator being played with)."""
        return self._add(seconds, lambda t: kg + amplitude * math.sin(2 * math.pi * t / 1.7), True)

    def phantom(self, kg: int, seconds: float) -> None:
        """A stretch where every frame says `kg` with a broken check, over an empty scale."""
        start = self._add(seconds, lambda t: 0.0, False)
        self.phantoms.append((start, start + seconds, kg))

    def say(self, at: float, plate: str = "", waybill: str = "") -> None:
        """The operator types a plate and/or scans a waybill at `at` seconds."""
        self.events.append((round(at, 3), plate, waybill))

    def weigh(self, plate: str, kg: int, *, waybill: str = "", after: float = 1.0) -> None:
        """A truck drives on, stands, is named by the operator, drives off; scale to zero."""
        self.ramp(0, kg)
        start = self.hold(kg)
        self.say(start + after, plate, waybill)
        self.ramp(kg, 0, 5.0)
        self.zero(12.0)
        first = self._first.pop(plate, None)
        if first is None:
            self._first[plate] = (kg, waybill or None)
        else:
            other, other_waybill = first
            self.tickets.append(
                Expected(plate, max(kg, other), min(kg, other), waybill or other_waybill or None)
            )

    def weight(self, t: float) -> tuple[int, bool]:
        """The indicator's reading at `t` (rounded to the division) and its motion flag."""
        elapsed = 0.0
        for seconds, weight, moving in self.pieces:
            if t < elapsed + seconds:
                value = weight(t - elapsed)
                return int(round(value / DIVISION_KG) * DIVISION_KG), moving
            elapsed += seconds
        return 0, False

    def phantom_at(self, t: float) -> int | None:
        """The phantom weight shown at `t`, if any."""
        for start, end, kg in self.phantoms:
            if start <= t < end:
                return kg
        return None


def render(script: Script, fmt: str, baud: int, *, seed: int = 1) -> bytes:
    """The capture: frames back to back at the baud rate, with the line's dirt."""
    return b"".join(stream(script, fmt, baud, seed=seed))


def stream(script: Script, fmt: str, baud: int, *, seed: int = 1) -> Iterator[bytes]:
    """The capture piece by piece (a week of it does not fit comfortably in memory)."""
    rng = random.Random(seed)
    rate = baud / BITS_PER_BYTE
    length = 0
    elapsed = 0.0
    phantoms = list(script.phantoms)
    for seconds, weight, moving in script.pieces:
        end = elapsed + seconds
        while (t := length / rate) < end:
            while phantoms and phantoms[0][1] <= t:
                phantoms.pop(0)
            if phantoms and phantoms[0][0] <= t:
                frame = _frame(fmt, phantoms[0][2], moving=False, corrupt=True)
            else:
                kg = int(round(weight(t - elapsed) / DIVISION_KG) * DIVISION_KG)
                frame = _frame(fmt, kg, moving=moving, corrupt=rng.random() < 0.02)
            roll = rng.random()
            if roll < 0.01:
                frame = frame[: rng.randrange(2, len(frame) - 1)]  # cut short
            elif roll < 0.03:
                noise = b"\x00\x02\x03\x7f\xff0123456789+-"
                frame = bytes(rng.choice(noise) for _ in range(rng.randrange(1, 24))) + frame
            length += len(frame)
            yield frame
        elapsed = end


def _frame(fmt: str, kg: int, *, moving: bool, corrupt: bool) -> bytes:
    if fmt == "xk3190":
        return xk3190_frame(kg, corrupt=corrupt)
    if fmt == "toledo":
        return toledo_frame(kg, motion=moving, corrupt=corrupt)
    return line_frame(kg, motion=moving)


def events_csv(script: Script) -> bytes:
    """EVENTS.csv: at_s, plate, waybill."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["at_s", "plate", "waybill"])
    for at, plate, waybill in sorted(script.events):
        writer.writerow([f"{at:.3f}", plate, waybill])
    return buffer.getvalue().encode()


def recorded(prefix: str, waybills: tuple[str, str]) -> Script:
    """The committed scenario: three tickets, and every way a weighing must not happen.

    A, B and C are weighed empty, then loaded (twice-weighing site); A's and C's waybills
    are scanned at the second pass, B has none. Between them: a burst where every frame
    shows 45 t with a broken check while the operator types a plate (must give nothing),
    a truck that rocks for 40 s (refused: unstable), and D driving on while C is still on
    the scale (refused: no return to zero).
    """
    a, b, c, d, ghost, rocking = (f"{prefix}{n:04d}" for n in (1, 2, 4, 5, 9999, 3))
    waybill_a, waybill_c = waybills
    s = Script()
    s.zero(10.0)
    s.weigh(a, 15_040)
    s.weigh(b, 16_520)
    s.say(s.duration + 3.0, ghost)
    s.phantom(45_000, 25.0)
    s.zero(10.0)
    s.weigh(a, 49_020, waybill=waybill_a)
    # The rocking truck: named at once, never still, then gone.
    s.ramp(0, 38_000)
    start = s.wobble(38_000, 300.0, 40.0)
    s.say(start + 1.0, rocking)
    s.ramp(38_000, 0, 5.0)
    s.zero(12.0)
    s.refusals.append(("unstable", rocking))
    # C weighed empty; D drives on while C drives off: the scale never gets back to zero.
    s.ramp(0, 14_200)
    start = s.hold(14_200)
    s.say(start + 1.0, c)
    s._first[c] = (14_200, None)
    s.ramp(14_200, 9_000, 4.0)
    s.ramp(9_000, 17_500, 4.0)
    start = s.hold(17_500)
    s.say(start + 1.0, d)
    s.refusals.append(("no_zero", d))
    s.ramp(17_500, 0, 5.0)
    s.zero(12.0)
    s.weigh(b, 47_760)
    s.weigh(c, 45_100, waybill=waybill_c)
    s.zero(5.0)
    return s


def traffic(trucks: int, prefix: str, waybill_prefix: str, *, seed: int = 7) -> Script:
    """Trucks weighed empty then loaded, each with its waybill; about 90 s per truck."""
    rng = random.Random(seed)
    s = Script()
    s.zero(10.0)
    for n in range(trucks):
        plate = f"{prefix}{n:04d}"
        tare = rng.randrange(700, 900) * DIVISION_KG
        net = rng.randrange(1_400, 1_700) * DIVISION_KG
        s.weigh(plate, tare, after=rng.choice([0.5, 1.0, 3.0]))
        s.weigh(plate, tare + net, waybill=f"{waybill_prefix}{n:06d}")
    s.zero(5.0)
    return s


# format → (baud, plate prefix, the two waybills) of the committed captures.
RECORDED = {
    "xk3190": (2400, "辽C1", ("WBXK00000001", "WBXK00000003")),
    "toledo": (4800, "辽C3", ("WBTL00000001", "WBTL00000003")),
}


def recorded_script(fmt: str) -> Script:
    """The scenario of a committed capture."""
    _baud, prefix, waybills = RECORDED[fmt]
    return recorded(prefix, waybills)


def write_recorded(folder: Path = DATA) -> None:
    """Rewrite the committed captures and their EVENTS.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, (baud, _prefix, _waybills) in RECORDED.items():
        script = recorded_script(fmt)
        (folder / f"{fmt}-{baud}.bin").write_bytes(render(script, fmt, baud))
        (folder / f"{fmt}-events.csv").write_bytes(events_csv(script))


if __name__ == "__main__":
    write_recorded()
