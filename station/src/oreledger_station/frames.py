"""Indicator output formats: bytes from the serial line → weight readings.

Every decoder is incremental (bytes arrive in arbitrary pieces), keeps at most one frame's
worth of unfinished bytes, and counts what it throws away. Nothing that fails a format's
structure, check digit or unit is ever turned into a weight: a weighbridge that reads a
corrupted frame as 80 t would print a ticket for ore that never existed.

Formats:

* ``xk3190``: Yaohua XK3190-A9 style continuous output, 12 bytes:
  STX(02h), sign ``+``/``-``, six ASCII digits (most significant first, no point), the
  decimal-point position ``0``–``4`` (digits right of the point), two ASCII hex digits of
  the XOR of bytes 2–9 (high nibble first), ETX(03h). The unit (kg or t) is set on the
  indicator, so it comes from the configuration.
* ``toledo``: Mettler-Toledo standard continuous output, 18 bytes:
  STX, status words A, B and C, six digits of displayed weight, six digits of tare, CR,
  and a checksum: the two's complement of the low seven bits of the sum of every byte
  from STX to CR. Status A bits 0–2 give the decimal point; status B bit 1 the sign,
  bit 2 out of range, bit 3 motion, bit 4 kg (else lb); status C bits 0–2 extend the unit
  (2 = metric tonnes). Bit 5 of each status word is always set.
* ``line``: one reading per text line, matched by a configurable regular expression with
  a ``weight`` group (optional ``sign``, ``status`` and ``unit`` groups).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STX, ETX, CR = 0x02, 0x03, 0x0D
FORMATS = ("xk3190", "toledo", "line")


@dataclass(frozen=True, slots=True)
class Reading:
    """One weight the indicator sent, in kilograms, and what it said about it."""

    weight_kg: int
    motion: bool = False  # the indicator itself says the weight is moving
    out_of_range: bool = False
    end: int = 0  # index just after the frame's last byte in the piece fed


@dataclass
class FrameCounts:
    """What a decoder kept and threw away (shown to the technician and in the log)."""

    frames: int = 0
    bad_checksum: int = 0
    malformed: int = 0
    noise_bytes: int = 0

    @property
    def bad(self) -> int:
        """Frames (or frame-shaped pieces) refused, whatever the reason."""
        return self.bad_checksum + self.malformed

    def as_dict(self) -> dict[str, int]:
        """The counts for the status view."""
        return {
            "frames": self.frames,
            "bad_checksum": self.bad_checksum,
            "malformed": self.malformed,
            "noise_bytes": self.noise_bytes,
        }


class Decoder:
    """Bytes in, readings out; subclasses know one format."""

    name = ""

    def __init__(self) -> None:
        self.counts = FrameCounts()
        self._buffer = b""

    def feed(self, data: bytes) -> list[Reading]:
        """The complete readings in what has arrived so far (ends relative to `data`)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget a partial frame (after the line was reopened)."""
        self._buffer = b""

    def _keep(self, buffer: bytes, position: int, frame_len: int) -> None:
        """Carry an unfinished frame into the next piece; count the rest as noise."""
        rest = buffer[position:]
        # An unfinished frame can only start at the last STX, within one frame's length.
        start = rest.rfind(STX, max(0, len(rest) - frame_len + 1))
        if start < 0:
            _skip(self.counts, rest)
            self._buffer = b""
        else:
            _skip(self.counts, rest[:start])
            self._buffer = rest[start:]


def _skip(counts: FrameCounts, gap: bytes) -> None:
    """Bytes between frames: a frame start there is a broken frame, the rest is noise."""
    if not gap:
        return
    starts = gap.count(STX)
    counts.malformed += starts
    counts.noise_bytes += len(gap)


_XK_FRAME = re.compile(rb"\x02([+-])([0-9]{6})([0-4])([0-9A-F]{2})\x03")
_XK_LEN = 12
_POW10 = (1, 10, 100, 1000, 10000)


class Xk3190Decoder(Decoder):
    """Yaohua XK3190 continuous frames; `unit_kg` is 1 for kg, 1000 for tonnes."""

    name = "xk3190"

    def __init__(self, unit_kg: int = 1) -> None:
        super().__init__()
        self.unit_kg = unit_kg

    def feed(self, data: bytes) -> list[Reading]:
        """Readings from every complete, checked frame."""
        carried = len(self._buffer)
        buffer = self._buffer + data if carried else data
        counts = self.counts
        readings: list[Reading] = []
        append = readings.append
        position = 0
        unit = self.unit_kg
        for match in _XK_FRAME.finditer(buffer):
            start, end = match.span()
            if start != position:
                _skip(counts, buffer[position:start])
            position = end
            sign, digits, point, check = match.groups()
            xor = 0
            for byte in buffer[start + 1 : start + 9]:
                xor ^= byte
            if xor != int(check, 16):
                counts.bad_checksum += 1
                continue
            counts.frames += 1
            value = int(digits) * unit
            places = point[0] - 0x30
            if places:
                value = (value + _POW10[places] // 2) // _POW10[places]
            append(Reading(-value if sign == b"-" else value, end=end - carried))
        self._keep(buffer, position, _XK_LEN)
        return readings


_TOLEDO_FRAME = re.compile(rb"\x02([\x20-\x7f]{3})([0-9 ]{6})([0-9 ]{6})\r([\x00-\x7f])", re.S)
_TOLEDO_LEN = 18
# Status A bits 0-2 → power of ten to multiply the six digits by (code 2 means no point).
_TOLEDO_POINT = {0: 2, 1: 1, 2: 0, 3: -1, 4: -2, 5: -3, 6: -4, 7: -5}


class ToledoDecoder(Decoder):
    """Mettler-Toledo standard continuous output (with checksum)."""

    name = "toledo"

    def feed(self, data: bytes) -> list[Reading]:
        """Readings from every complete frame whose checksum, status and unit make sense."""
        carried = len(self._buffer)
        buffer = self._buffer + data if carried else data
        counts = self.counts
        readings: list[Reading] = []
        position = 0
        for match in _TOLEDO_FRAME.finditer(buffer):
            start, end = match.span()
            if start != position:
                _skip(counts, buffer[position:start])
            position = end
            status, shown, _tare, check = match.groups()
            if (-sum(buffer[start : end - 1])) & 0x7F != check[0]:
                counts.bad_checksum += 1
                continue
            reading = self._reading(status, shown, end - carried)
            if reading is None:
                counts.malformed += 1
                continue
            counts.frames += 1
            readings.append(reading)
        self._keep(buffer, position, _TOLEDO_LEN)
        return readings

    @staticmethod
    def _reading(status: bytes, shown: bytes, end: int) -> Reading | None:
        a, b, c = status
        if not (a & b & c & 0x20) or shown.strip() == b"":
            return None
        if not b & 0x10:  # pounds: a Chinese weighbridge in lb is misconfigured
            return None
        unit = c & 0x07
        if unit not in (0, 2):  # kg, or metric tonnes
            return None
        value = int(shown.replace(b" ", b"0"))
        power = _TOLEDO_POINT[a & 0x07] + (3 if unit == 2 else 0)
        if power >= 0:
            kg = value * 10**power
        else:
            scale = 10**-power
            kg = (value + scale // 2) // scale
        return Reading(
            -kg if b & 0x02 else kg,
            motion=bool(b & 0x08),
            out_of_range=bool(b & 0x04),
            end=end,
        )


DEFAULT_LINE_PATTERN = (
    r"^(?P<status>ST|US|OL),(?:GS|NT),(?P<sign>[+-])\s*(?P<weight>\d+(?:\.\d+)?)\s*(?P<unit>kg|t)$"
)


class LineDecoder(Decoder):
    """One reading per line, matched by a regular expression.

    The pattern's ``weight`` group is the number; ``sign`` (``+``/``-``), ``unit`` (``kg``
    or ``t``) and ``status`` are optional. A ``status`` other than `stable_status` marks the
    reading as moving, `overload_status` as out of range. A line that does not match, or
    that is longer than `max_line` bytes, is counted and skipped.
    """

    name = "line"

    def __init__(
        self,
        pattern: str = DEFAULT_LINE_PATTERN,
        *,
        unit_kg: int = 1,
        stable_status: str = "ST",
        overload_status: str = "OL",
        encoding: str = "ascii",
        max_line: int = 200,
    ) -> None:
        super().__init__()
        self.pattern = re.compile(pattern)
        if "weight" not in self.pattern.groupindex:
            raise ValueError("the line pattern needs a (?P<weight>…) group")
        self.unit_kg = unit_kg
        self.stable_status = stable_status
        self.overload_status = overload_status
        self.encoding = encoding
        self.max_line = max_line

    def feed(self, data: bytes) -> list[Reading]:
        """Readings from every complete line (CR, LF or CRLF ends a line)."""
        carried = len(self._buffer)
        buffer = self._buffer + data if carried else data
        readings: list[Reading] = []
        position = 0
        length = len(buffer)
        while position < length:
            newline = buffer.find(b"\n", position)
            ret = buffer.find(b"\r", position)
            ends = [i for i in (newline, ret) if i >= 0]
            if not ends:
                break
            end = min(ends)
            line = buffer[position:end]
            position = end + 1
            if not line.strip():
                continue
            reading = self._reading(line, position - carried)
            if reading is None:
                self.counts.malformed += 1
            else:
                self.counts.frames += 1
                readings.append(reading)
        rest = buffer[position:]
        if len(rest) > self.max_line:
            self.counts.malformed += 1
            self.counts.noise_bytes += len(rest)
            rest = b""
        self._buffer = rest
        return readings

    def _reading(self, line: bytes, end: int) -> Reading | None:
        if len(line) > self.max_line:
            return None
        try:
            text = line.decode(self.encoding).strip()
        except UnicodeDecodeError:
            return None
        match = self.pattern.search(text)
        if match is None:
            return None
        groups = match.groupdict()
        try:
            number = float(groups["weight"].replace(" ", ""))
        except (ValueError, AttributeError):
            return None
        unit = self.unit_kg
        if groups.get("unit"):
            unit = 1000 if groups["unit"].strip().lower() == "t" else 1
        kg = round(number * unit)
        if groups.get("sign") == "-" or groups["weight"].lstrip().startswith("-"):
            kg = -abs(kg)
        status = groups.get("status")
        return Reading(
            kg,
            motion=status is not None and status != self.stable_status,
            out_of_range=status is not None and status == self.overload_status,
            end=end,
        )


def make_decoder(
    fmt: str, *, unit: str = "kg", line_pattern: str | None = None, stable_status: str = "ST"
) -> Decoder:
    """The decoder for a configured format name."""
    unit_kg = {"kg": 1, "t": 1000}[unit]
    if fmt == "xk3190":
        return Xk3190Decoder(unit_kg)
    if fmt == "toledo":
        return ToledoDecoder()
    if fmt == "line":
        return LineDecoder(
            line_pattern or DEFAULT_LINE_PATTERN, unit_kg=unit_kg, stable_status=stable_status
        )
    raise ValueError(f"unknown indicator format {fmt!r} (expected one of {', '.join(FORMATS)})")
