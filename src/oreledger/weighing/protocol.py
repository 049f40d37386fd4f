"""The station protocol's field rules (docs/specs/station-protocol.md): a ticket item → content.

Pure functions: nothing here touches the database except the grade lookup the caller
passes in, so a malformed item costs no query.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError

from oreledger.registry.identifiers import validate_plate
from oreledger.weighing.choices import Cargo, Direction
from oreledger.weighing.errors import finding

MAX_BATCH = 500
MAX_BODY_BYTES = 1024 * 1024
CLOCK_SKEW = datetime.timedelta(seconds=300)
# No weighbridge of the province reported before 2000: an earlier time is a reset clock.
EARLIEST_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
MAX_WEIGHT_KG = 100_000
MAX_SEQ = 2**63 - 1
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CARGOS = frozenset(Cargo.values)
_DIRECTIONS = frozenset(Direction.values)


@dataclass(frozen=True)
class TicketContent:
    """A ticket's content as the station sent it, normalised (the part a resend repeats)."""

    seq: int
    ticket_no: str
    plate: str
    direction: str
    waybill: str | None
    cargo: str
    declared_grade: str | None
    gross_kg: int
    tare_kg: int
    net_kg: int
    gross_at: datetime.datetime
    tare_at: datetime.datetime
    operator: str | None
    photos: tuple[tuple[str, str], ...]

    def as_json(self) -> dict[str, Any]:
        """The content as protocol JSON (times in UTC), for conflicts and comparisons."""
        data = asdict(self)
        for name in ("gross_at", "tare_at"):
            data[name] = data[name].astimezone(datetime.UTC).isoformat()
        data["photos"] = [{"kind": k, "sha256": h} for k, h in self.photos]
        return data


def _int(value: Any) -> int | None:
    # JSON true/false are ints in Python; a weight of `true` is not a weight.
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _text(value: Any, limit: int) -> str | None:
    # PostgreSQL text cannot hold NUL: such a value is refused here, never a 500 later.
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        return None
    return value.strip()


def _instant(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    try:
        return parsed.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        return None


def _photos(value: Any) -> tuple[tuple[str, str], ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 20:
        return None
    photos = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"kind", "sha256"}:
            return None
        kind, digest = _text(item.get("kind"), 20), item.get("sha256")
        if kind is None or not isinstance(digest, str) or not _HEX64.fullmatch(digest.lower()):
            return None
        photos.append((kind, digest.lower()))
    return tuple(photos)


def parse_ticket(
    item: Any,
    *,
    now: datetime.datetime,
    grade_codes: Callable[[datetime.datetime], frozenset[str]],
) -> tuple[TicketContent | None, list[dict[str, Any]]]:
    """(content, []) for a valid item, or (None, rejection findings) for a broken one.

    `grade_codes(gross_at)` answers the grade codes of the standard in force on that day.
    """
    if not isinstance(item, dict):
        return None, [finding("not_an_object")]
    problems: list[str] = []
    seq = _int(item.get("seq"))
    if seq is None or not 1 <= seq <= MAX_SEQ:
        problems.append("invalid_seq")
    ticket_no = _text(item.get("ticket_no"), 40)
    if ticket_no is None:
        problems.append("invalid_ticket_no")
    plate = None
    raw_plate = item.get("plate")
    if isinstance(raw_plate, str) and len(raw_plate) <= 12:
        try:
            plate = validate_plate(raw_plate)
        except ValidationError:
            plate = None
    if plate is None:
        problems.append("invalid_plate")
    direction = item.get("direction")
    if not isinstance(direction, str) or direction not in _DIRECTIONS:
        problems.append("invalid_direction")
    waybill = item.get("waybill")
    if waybill is not None:
        waybill = _text(waybill, 40)
        if waybill is None:
            problems.append("invalid_waybill")
    cargo = item.get("cargo")
    if not isinstance(cargo, str) or cargo not in _CARGOS:
        problems.append("unknown_cargo")
    gross, tare, net = (_int(item.get(k)) for k in ("gross_kg", "tare_kg", "net_kg"))
    if gross is None or tare is None or net is None or not 0 < tare < gross <= MAX_WEIGHT_KG:
        problems.append("invalid_weight")
    elif net != gross - tare:
        problems.append("net_mismatch")
    gross_at, tare_at = _instant(item.get("gross_at")), _instant(item.get("tare_at"))
    if gross_at is None or tare_at is None or min(gross_at, tare_at) < EARLIEST_TIME:
        problems.append("invalid_time")
    elif max(gross_at, tare_at) > now + CLOCK_SKEW:
        problems.append("future_time")
    elif direction == "out" and tare_at > gross_at:
        # A truck leaves a site empty-then-loaded: its tare is weighed before its gross.
        # (An arrival is weighed loaded first, and a checkpoint prints a registered tare.)
        problems.append("time_order")
    operator = item.get("operator")
    if operator is not None:
        operator = _text(operator, 40)
        if operator is None:
            problems.append("invalid_operator")
    photos = _photos(item.get("photos"))
    if photos is None:
        problems.append("invalid_photos")
    grade = item.get("declared_grade")
    if grade is not None and (
        not isinstance(grade, str) or gross_at is None or grade not in grade_codes(gross_at)
    ):
        problems.append("unknown_grade")
    if problems:
        return None, [finding(code) for code in problems]
    assert seq is not None and ticket_no is not None and plate is not None
    assert gross is not None and tare is not None and net is not None
    assert gross_at is not None and tare_at is not None and photos is not None
    return (
        TicketContent(
            seq=seq,
            ticket_no=ticket_no,
            plate=plate,
            direction=str(direction),
            waybill=waybill,
            cargo=str(cargo),
            declared_grade=grade,
            gross_kg=gross,
            tare_kg=tare,
            net_kg=net,
            gross_at=gross_at,
            tare_at=tare_at,
            operator=operator,
            photos=photos,
        ),
        [],
    )


def bounded_payload(item: Any, limit: int = 4000) -> Any:
    """The item as sent, cut down so a rejection record stays small and always storable."""
    try:
        text = json.dumps(item, ensure_ascii=False, default=str)
        text.encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError):
        text = ""
    # NUL or lone surrogates cannot be stored as jsonb: keep the ASCII-escaped text instead.
    if text and len(text) <= limit and "\\u0000" not in text:
        return item
    return {"truncated": json.dumps(item, ensure_ascii=True, default=str)[:limit]}


def stored_content(ticket: Any) -> dict[str, Any]:
    """A stored ticket's content in the same form as `TicketContent.as_json`."""
    return {
        "seq": ticket.seq,
        "ticket_no": ticket.ticket_no,
        "plate": ticket.plate,
        "direction": ticket.direction,
        "waybill": ticket.waybill_number or None,
        "cargo": ticket.cargo,
        "declared_grade": ticket.declared_grade or None,
        "gross_kg": ticket.gross_kg,
        "tare_kg": ticket.tare_kg,
        "net_kg": ticket.net_kg,
        "gross_at": ticket.gross_at.astimezone(datetime.UTC).isoformat(),
        "tare_at": ticket.tare_at.astimezone(datetime.UTC).isoformat(),
        "operator": ticket.operator or None,
        "photos": [{"kind": p["kind"], "sha256": p["sha256"]} for p in ticket.photos],
    }
