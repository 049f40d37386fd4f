"""The per-station hash chain of tickets: hash = HMAC-SHA256(key, "v2" + prev_hash + canonical
JSON), under a key derived from OL_LEDGER_KEY (which never lives in the database).

Any change to a stored ticket made behind the application's back breaks its own hash; a
deleted or inserted row breaks the link of its successor. Keyed, so that whoever can write
the database cannot recompute a forged ticket's hash (and adjust the station's head) without
the key material too. Tickets stored before the chain was keyed (migration 0006,
`keyed=False`) keep their plain sha256(prev_hash + canonical JSON); none may follow a keyed
ticket of its station. The station protocol fixes no hash: the platform computes it alone.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from oreledger.core import checkpoints
from oreledger.weighing.models import StationState, Ticket

CHAIN = "stations"

# Every stored column of a ticket except the hash itself, by attribute name.
CHAINED_FIELDS = (
    "id",
    "station_id",
    "seq",
    "chain_index",
    "site_id",
    "region_id",
    "kind",
    "ticket_no",
    "plate",
    "direction",
    "waybill_number",
    "cargo",
    "declared_grade",
    "gross_kg",
    "tare_kg",
    "net_kg",
    "gross_at",
    "tare_at",
    "operator",
    "photos",
    "received_at",
    "release",
    "reasons",
    "waybill_id",
    "contract_id",
    "seller_id",
    "buyer_id",
    "quota_entry_id",
    "drawn_kg",
    "held_kg",
    "discrepancy_kg",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def canonical(ticket: Ticket) -> str:
    """The ticket's stored content as canonical JSON (sorted keys, UTC times, no spaces)."""
    content = {name: _plain(getattr(ticket, name)) for name in CHAINED_FIELDS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@functools.lru_cache(maxsize=4)
def _keyed_start(material: str) -> Any:
    # The HMAC with its key absorbed, copied per ticket (kept per key material: tests change
    # it); the key is domain-separated from the quota ledger's and the checkpoints' uses.
    key = hashlib.sha256(b"oreledger ticket chain\x00" + material.encode()).digest()
    return hmac.new(key, b"v2", hashlib.sha256)


def ticket_hash(ticket: Ticket) -> str:
    """HMAC-SHA256 under the chain key of "v2" + prev_hash + canonical content, hex; the
    plain sha256(prev_hash + canonical content) for tickets stored before the chain was keyed."""
    payload = (ticket.prev_hash + canonical(ticket)).encode()
    if not ticket.keyed:
        return hashlib.sha256(payload).hexdigest()
    mac = _keyed_start(settings.OL_LEDGER_KEY).copy()
    mac.update(payload)
    return mac.hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    """One place where a station's chain does not hold."""

    station: str
    chain_index: int
    seq: int | None
    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.station} #{self.chain_index} (seq {self.seq}): {self.code}: {self.detail}"


def station_heads() -> checkpoints.Heads:
    """Each station's chain head, for the daily checkpoint: tickets in it and the last hash."""
    rows = StationState.objects.values_list("station__code", "chain_length", "last_hash")
    return {code: (length, head) for code, length, head in rows.order_by("station__code")}


def hashes_at(wanted: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """Each station's hash stored now at each chain index asked for (absent where shorter)."""
    found: dict[str, dict[int, str]] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), 500):
        where = Q(pk__in=[])
        for code in keys[start : start + 500]:
            where |= Q(station__code=code, chain_index__in=sorted(wanted[code]))
        rows = Ticket.objects.filter(where).values_list("station__code", "chain_index", "hash")
        for code, index, hash_ in rows:
            found.setdefault(code, {})[index] = hash_
    return found


def checkpointed(station_codes: list[str] | None = None) -> Iterator[BrokenLink]:
    """Each station whose chain departs from a head signed in a checkpoint."""
    for departure in checkpoints.compare(CHAIN, hashes_at):
        if station_codes and departure.key not in station_codes:
            continue
        yield BrokenLink(
            departure.key, departure.entry, None, "checkpoint_mismatch", departure.detail
        )


def verify_chain(station_codes: list[str] | None = None) -> Iterator[BrokenLink]:
    """Every broken link of every station's chain (or of the stations named), streaming."""
    tickets = Ticket.objects.select_related("station").order_by("station_id", "chain_index")
    states = StationState.objects.select_related("station")
    if station_codes:
        tickets = tickets.filter(station__code__in=station_codes)
        states = states.filter(station__code__in=station_codes)
    heads = {s.station_id: s for s in states}
    current: int | None = None
    expected_index, prev = 0, ""
    code = ""
    keyed = False

    def _tail() -> Iterator[BrokenLink]:
        state = heads.pop(current, None) if current is not None else None
        if state is None:
            return
        if state.last_hash != prev or state.chain_length != expected_index:
            yield BrokenLink(
                code,
                expected_index,
                None,
                "head_mismatch",
                f"station state says {state.chain_length} tickets ending {state.last_hash[:12]}, "
                f"the chain has {expected_index} ending {prev[:12]}",
            )

    for ticket in tickets.iterator(chunk_size=5000):
        if ticket.station_id != current:
            yield from _tail()
            current, expected_index, prev, code = ticket.station_id, 0, "", ticket.station.code
            keyed = False
        expected_index += 1
        if ticket.chain_index != expected_index:
            yield BrokenLink(
                code,
                ticket.chain_index,
                ticket.seq,
                "missing_link",
                f"position {expected_index} expected; a ticket was deleted or inserted",
            )
            expected_index = ticket.chain_index
        if ticket.prev_hash != prev:
            yield BrokenLink(
                code,
                ticket.chain_index,
                ticket.seq,
                "chain_broken",
                "does not follow its predecessor",
            )
        if ticket_hash(ticket) != ticket.hash:
            yield BrokenLink(
                code,
                ticket.chain_index,
                ticket.seq,
                "hash_mismatch",
                "the row was changed after it was written",
            )
        if ticket.keyed:
            keyed = True
        elif keyed:
            yield BrokenLink(
                code,
                ticket.chain_index,
                ticket.seq,
                "hash_downgraded",
                "carries an unkeyed hash after keyed tickets of its station",
            )
        prev = ticket.hash
    yield from _tail()
    for state in heads.values():
        if state.chain_length:
            yield BrokenLink(
                state.station.code,
                1,
                None,
                "missing_link",
                f"station state counts {state.chain_length} tickets but none are stored",
            )
    yield from checkpointed(station_codes)
