"""Recording station tickets: the barrier decision and the ledgers, in one transaction.

Lock order, the same for every writer (so no deadlock):
  1. the station's StationState row (select_for_update) — serialises the station's seq
     check and its hash chain; a round of several stations locks theirs in ascending id;
  2. the waybill rows (select_for_update; a batch takes its waybills in ascending id);
  3. the mine's quota account (draw_quota's conditional UPDATE, or the batch's lock);
  4. the contract (deliver_on_contract's conditional UPDATE, or the batch's lock by id);
  5. the open alerts the tickets repeat on (alerts' writer, locked by id once the ticket or
     the whole batch is decided: the unit's `finish`, written last).
Every lock is FOR NO KEY UPDATE on PostgreSQL (`core.prepared.for_update`): the deferred
foreign-key checks at COMMIT take KEY SHARE on the rows a ticket references (its contract,
waybill), which must not wait for another round holding them while it waits for lock 5.
The duplicate check runs right after lock 1 (the unique (station, seq) constraint is its
backstop); the ticket row itself is inserted once, complete with its decision, after the
draws — tickets are never updated, so the row must not exist before its decision does.

A batch is recorded in one transaction (`units.WholeBatch`): one commit for the batch; each
ticket is still decided on its own and a rejected ticket rolls back nothing. If the batch
cannot be recorded that way (a seq twice in it, a deadlock), it is recorded ticket by
ticket, each in its own transaction (`units.OneTicket`), with the same decisions.

Single-ticket requests that arrive together in one process are recorded as one round
(`intake.Intake`, `record_round`): the same `WholeBatch` over several stations; a lone
request takes the `OneTicket` path.

Every ticket takes the same steps through its unit of work (`units.UnitOfWork`), in
`_store`: look (lock 1, a resend, the truck, lock 2) → decide (the findings, which of them
block) → draw (locks 3 and 4) → keep; the transaction's last step is the unit's `finish`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from oreledger.core.localtime import local_day, local_year
from oreledger.grading.services import standard_in_force
from oreledger.registry.models import Station
from oreledger.trade.models import Contract
from oreledger.weighing.choices import ResultStatus, TicketKind, WaybillStatus
from oreledger.weighing.errors import ProtocolError, finding
from oreledger.weighing.models import (
    StationState,
    Ticket,
    TicketConflict,
    TicketRejection,
    Waybill,
)
from oreledger.weighing.protocol import (
    TicketContent,
    bounded_payload,
    parse_ticket,
    stored_content,
)
from oreledger.weighing.reference import Snapshot, reference_snapshot
from oreledger.weighing.rules import (
    RuleContext,
    blocking_codes,
    mark_blocking,
    run_extra_rules,
    standing_findings,
    vehicle_findings,
)
from oreledger.weighing.services.intake import Intake, SingleRequest
from oreledger.weighing.services.units import (
    ContractFull,
    Kept,
    OneTicket,
    Unbatchable,
    UnitOfWork,
    WholeBatch,
    mine_account_of,
)

MINE_KINDS = frozenset({"mine"})
RECEIVING_KINDS = frozenset({"plant", "yard"})


@dataclass
class TicketResult:
    """The protocol's answer for one ticket."""

    seq: int | None
    status: str
    ticket_id: str | None
    release: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)
    # The non-blocking findings the operator should see (impossible_travel, grade_mismatch, …).
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The result object of docs/specs/station-protocol.md."""
        return {
            "seq": self.seq,
            "status": self.status,
            "ticket_id": self.ticket_id,
            "release": self.release,
            "reasons": [{"code": r["code"], "message": r["message"]} for r in self.reasons],
            "warnings": [{"code": w["code"], "message": w["message"]} for w in self.warnings],
        }


@dataclass
class BatchResult:
    """The protocol's answer for a batch: one result per ticket, in order, and last_seq."""

    results: list[TicketResult]
    last_seq: int

    def as_json(self) -> dict[str, Any]:
        """The body of the 200 answer."""
        return {"results": [r.as_json() for r in self.results], "last_seq": self.last_seq}


# Off only to measure the ticket-by-ticket path (bench/).
BATCHED = True


def record_batch(
    *,
    station: Station,
    items: list[Any],
    now: datetime.datetime | None = None,
    snapshot: Snapshot | None = None,
    authenticate: Callable[[Snapshot], Station] | None = None,
) -> BatchResult:
    """Record a batch: in one transaction if it can be, else each ticket in its own.

    `snapshot` is the reference snapshot (weighing.reference) the caller read, if any. With
    `authenticate`, the caller looked the station up in a snapshot that may be out of date:
    the batch reads a fresh one and, if it differs, authenticates the station again under it
    (ProtocolError if that fails) before deciding anything.
    """
    now = now or timezone.now()
    snapshot = Snapshot() if snapshot is None else snapshot
    if len(items) == 1:
        request = SingleRequest(station, items[0], now, snapshot, authenticate)
        if BATCHED:
            _INTAKE.record(request)
        else:
            record_round([request])
        answer: BatchResult = request.outcome()
        return answer
    if authenticate is not None:
        fresh = reference_snapshot()
        if fresh is not snapshot:
            station, snapshot = authenticate(fresh), fresh
    if BATCHED:
        recorded = _record_together([(station, item, now) for item in items], snapshot)
        if recorded is not None:
            results, unit = recorded
            return BatchResult(results, int(unit.locked.states[station.pk].last_seq))
    results = [
        record_ticket(station=station, item=item, now=now, snapshot=snapshot) for item in items
    ]
    return BatchResult(results, _last_seq(station))


def record_round(requests: list[SingleRequest]) -> None:
    """Record single-ticket requests of several stations in one transaction, each answered.

    Each ticket is decided as if alone; a round that cannot be recorded together (a seq
    twice, a deadlock) is rolled back and each request recorded on its own. The round reads
    the reference tokens once; a request whose station was looked up under other tokens is
    authenticated again (and answered with the ProtocolError if that fails).
    """
    snapshot = requests[-1].snapshot
    if any(r.authenticate is not None for r in requests):
        snapshot = reference_snapshot()
        requests = [r for r in requests if _under(r, snapshot)]
    if len(requests) > 1:
        entries = [(r.station, r.item, r.now) for r in requests]
        recorded = _record_together(entries, snapshot)
        if recorded is not None:
            results, unit = recorded
            for request, result in zip(requests, results, strict=True):
                head = unit.locked.states[request.station.pk].last_seq
                request.answer = BatchResult([result], int(head))
            return
    for request in requests:
        result, last_seq = _record_one(request.station, request.item, request.now, request.snapshot)
        seq = last_seq if last_seq is not None else _last_seq(request.station)
        request.answer = BatchResult([result], seq)


def _under(request: SingleRequest, fresh: Snapshot) -> bool:
    """Whether the request's station holds under the fresh snapshot (else its error is set)."""
    if request.authenticate is not None and request.snapshot is not fresh:
        try:
            request.station = request.authenticate(fresh)
        except ProtocolError as exc:
            request.error = exc
            return False
        request.snapshot = fresh
    return True


def _record_together(
    entries: list[tuple[Station, Any, datetime.datetime]], snapshot: Snapshot
) -> tuple[list[TicketResult], WholeBatch] | None:
    """(station, item, received) in one transaction, in order; None if they cannot be.

    None means nothing was written (a seq twice, a deadlock): record them one by one.
    """
    parsed = [_parse(item, now, snapshot) for _station, item, now in entries]
    parts: dict[int, tuple[Station, list[TicketContent]]] = {}
    for (station, _item, _now), (content, _problems) in zip(entries, parsed, strict=True):
        part = parts.setdefault(station.pk, (station, []))
        if content is not None:
            part[1].append(content)
    try:
        with transaction.atomic():
            unit = WholeBatch(snapshot, list(parts.values()))
            results = [
                _reject(station, item, problems, now)
                if content is None
                else _store(station, content, now, unit=unit)
                for (station, item, now), (content, problems) in zip(entries, parsed, strict=True)
            ]
            unit.finish()
    except (Unbatchable, DatabaseError):
        return None  # all of it rolled back
    return results, unit


_INTAKE = Intake(record_round)


def _last_seq(station: Station) -> int:
    last_seq = StationState.objects.filter(pk=station.pk).values_list("last_seq", flat=True)
    return next(iter(last_seq), 0)


def _parse(
    item: Any, now: datetime.datetime, snapshot: Snapshot
) -> tuple[TicketContent | None, list[dict[str, Any]]]:
    return parse_ticket(item, now=now, grade_codes=lambda at: _grades(at, snapshot))


def record_ticket(
    *,
    station: Station,
    item: Any,
    now: datetime.datetime | None = None,
    snapshot: Snapshot | None = None,
) -> TicketResult:
    """Check one ticket item and store it (or its rejection), in its own transaction."""
    return _record_one(
        station, item, now or timezone.now(), Snapshot() if snapshot is None else snapshot
    )[0]


def _record_one(
    station: Station, item: Any, now: datetime.datetime, snapshot: Snapshot
) -> tuple[TicketResult, int | None]:
    """The ticket's result, and the station's last_seq after it (None if it was not read)."""
    content, problems = _parse(item, now, snapshot)
    if content is None:
        return _reject(station, item, problems, now), None
    for skip_draw in (False, True):
        unit = OneTicket(snapshot)
        try:
            with transaction.atomic():
                result = _store(station, content, now, unit=unit, skip_draw=skip_draw)
                unit.finish()
            state = unit.locked.states.get(station.pk)
            return result, None if state is None else int(state.last_seq)
        except ContractFull:
            continue
    raise AssertionError("unreachable: the second attempt draws nothing")


def _grades(at: datetime.datetime, snapshot: Snapshot) -> frozenset[str]:
    day = local_day(at)
    if day not in snapshot.grades:
        standard = standard_in_force(day)
        codes = standard.grades.values_list("code", flat=True) if standard else []
        snapshot.grades[day] = frozenset(codes)
    return snapshot.grades[day]


def _reject(
    station: Station, item: Any, problems: list[dict[str, Any]], now: datetime.datetime
) -> TicketResult:
    seq = item.get("seq") if isinstance(item, dict) else None
    seq = seq if isinstance(seq, int) and not isinstance(seq, bool) and 1 <= seq < 2**63 else None
    reasons = [{"code": p["code"], "message": p["message"]} for p in problems]
    with transaction.atomic():
        _ensure_state(station)
        TicketRejection.objects.create(
            station=station,
            seq=seq,
            received_at=now,
            payload=bounded_payload(item),
            reasons=reasons,
        )
        StationState.objects.filter(pk=station.pk).update(
            rejects_total=F("rejects_total") + 1, last_seen_at=now
        )
    return TicketResult(seq, ResultStatus.REJECTED, None, False, reasons)


def _ensure_state(station: Station) -> None:
    StationState.objects.get_or_create(station=station)


def _kind(station: Station, content: TicketContent) -> str:
    site = station.site
    if site is None:
        return TicketKind.CHECKPOINT
    if content.direction == "out" and site.kind in MINE_KINDS:
        return TicketKind.EXIT
    if content.direction == "in" and site.kind in RECEIVING_KINDS:
        return TicketKind.ENTRY
    return TicketKind.OTHER


def _store(
    station: Station,
    content: TicketContent,
    now: datetime.datetime,
    *,
    unit: UnitOfWork,
    skip_draw: bool = False,
) -> TicketResult:
    """One ticket through its unit of work: look, decide, draw, keep (the caller finishes)."""
    # Look: the station's head (lock 1), a resend, the truck, its waybill (lock 2).
    kind = _kind(station, content)
    look = unit.look(station, content, kind)
    if look.stored is not None:
        return _duplicate(station, look.stored, content, now)
    waybill = look.waybill
    # Decide: every finding, in the order stored, and whether any of them holds the truck.
    on_exit = _exit_findings(content, waybill) if kind == TicketKind.EXIT else []
    ctx = RuleContext(
        station=station,
        content=content,
        kind=kind,
        local_day=local_day(content.gross_at),
        vehicle=look.vehicle,
        waybill=waybill,
        cache=unit.snapshot,
        weighings=unit.weighings,
        last_weighing=unit.last_weighing,
    )
    findings = vehicle_findings(ctx) + standing_findings(ctx) + on_exit + run_extra_rules(ctx)
    ctx.blocking = blocking_codes(station.region, unit.snapshot)
    mark_blocking(findings, ctx.blocking)
    release = not any(f["blocking"] for f in findings)
    # Draw: a released exit draws the mine's quota, then the contract (locks 3 and 4).
    ticket_id = uuid.uuid4()
    entry = None
    if kind == TicketKind.EXIT and release:
        assert waybill is not None  # no_waybill always blocks
        entry = _draw(unit, station, content, waybill, ticket_id, findings, ctx.notes, skip_draw)
        release = entry is not None
    # Keep: the ticket, its waybill's next status, the station's head, the other apps' rows.
    ticket = _ticket(station, content, now, ticket_id, kind, waybill, entry, release, findings)
    ticket.chain_index = look.state.chain_length + 1
    changes = _waybill_changes(kind, waybill, ticket, release)
    unit.keep(Kept(ctx, ticket, look.state, waybill, changes))
    answer = [f for f in findings if f["blocking"]]
    warned = [f for f in findings if not f["blocking"]]
    return TicketResult(content.seq, ResultStatus.ACCEPTED, str(ticket_id), release, answer, warned)


def _exit_findings(content: TicketContent, waybill: Waybill | None) -> list[dict[str, Any]]:
    """no_waybill, waybill_reused or waybill_wrong_plate for a mine exit."""
    if waybill is None:
        return [finding("no_waybill", plate=content.plate)]
    if waybill.status in (WaybillStatus.DEPARTED, WaybillStatus.ARRIVED, WaybillStatus.CLOSED):
        return [finding("waybill_reused", waybill=waybill.number)]
    if waybill.status != WaybillStatus.ISSUED or waybill.expires_at < content.gross_at:
        return [finding("no_waybill", plate=content.plate)]
    if waybill.plate != content.plate:
        return [finding("waybill_wrong_plate", waybill=waybill.number)]
    return []


def _ticket(
    station: Station,
    content: TicketContent,
    now: datetime.datetime,
    ticket_id: uuid.UUID,
    kind: str,
    waybill: Waybill | None,
    entry: Any,
    release: bool,
    findings: list[dict[str, Any]],
) -> Ticket:
    """The ticket row as it will be stored, complete with its decision (chained on keeping)."""
    return Ticket(
        id=ticket_id,
        station=station,
        seq=content.seq,
        site=station.site,
        region=station.region,
        kind=kind,
        ticket_no=content.ticket_no,
        plate=content.plate,
        direction=content.direction,
        waybill_number=content.waybill or "",
        cargo=content.cargo,
        declared_grade=content.declared_grade or "",
        gross_kg=content.gross_kg,
        tare_kg=content.tare_kg,
        net_kg=content.net_kg,
        gross_at=content.gross_at,
        tare_at=content.tare_at,
        operator=content.operator or "",
        photos=[{"kind": k, "sha256": h} for k, h in content.photos],
        received_at=now,
        release=release,
        reasons=findings,
        waybill=waybill,
        contract_id=waybill.contract_id if waybill else None,
        seller_id=waybill.seller_id if waybill else None,
        buyer_id=waybill.buyer_id if waybill else None,
        quota_entry=entry,
        drawn_kg=content.net_kg if entry is not None else 0,
        held_kg=content.net_kg if kind == TicketKind.EXIT and not release else 0,
        discrepancy_kg=_discrepancy(kind, waybill, content),
    )


def _duplicate(
    station: Station, stored: Ticket, content: TicketContent, now: datetime.datetime
) -> TicketResult:
    """The stored ticket's decision; a differing resend changes nothing but is recorded."""
    before, resent = stored_content(stored), content.as_json()
    if before != resent:
        digest = hashlib.sha256(
            json.dumps(resent, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        if not TicketConflict.objects.filter(ticket=stored, resent_hash=digest).exists():
            TicketConflict.objects.create(
                ticket=stored,
                station=station,
                seq=stored.seq,
                received_at=now,
                stored=before,
                resent=resent,
                resent_hash=digest,
            )
            StationState.objects.filter(pk=station.pk).update(
                conflicts_total=F("conflicts_total") + 1
            )
    return TicketResult(
        stored.seq,
        ResultStatus.DUPLICATE,
        str(stored.pk),
        stored.release,
        stored.blocking_reasons,
        [r for r in stored.reasons if not r.get("blocking")],
    )


def _draw(
    unit: UnitOfWork,
    station: Station,
    content: TicketContent,
    waybill: Waybill,
    ticket_id: uuid.UUID,
    findings: list[dict[str, Any]],
    notes: dict[str, Any],
    skip_draw: bool,
) -> Any:
    """Locks 3 and 4: quota, then contract. The ledger entry, or None with a blocking finding."""
    site = station.site
    assert site is not None
    year = local_year(content.gross_at)
    if skip_draw:
        findings.append(finding("contract_exceeded", blocking=True, contract=_number(waybill)))
        return None
    account = mine_account_of(unit.snapshot, site, content.gross_at)
    if account is None:
        findings.append(finding("quota_missing", blocking=True, year=year))
        return None
    drawn = unit.draw_and_deliver(
        account=account, content=content, ref=f"ticket:{ticket_id}", contract_id=waybill.contract_id
    )
    notes["quota"] = (account, drawn)
    if drawn is None:
        findings.append(finding("contract_exceeded", blocking=True, contract=_number(waybill)))
        return None
    if not drawn.ok:
        findings.append(finding("quota_exhausted", blocking=True, year=year))
        return None
    findings.extend(finding("quota_warning", percent=t) for t in drawn.thresholds_crossed)
    return drawn.entry


def _number(waybill: Waybill) -> str:
    return str(Contract.objects.filter(pk=waybill.contract_id).values_list("number", flat=True)[0])


def _discrepancy(kind: str, waybill: Waybill | None, content: TicketContent) -> int | None:
    if kind != TicketKind.ENTRY or waybill is None or waybill.status != WaybillStatus.DEPARTED:
        return None
    assert waybill.exit_net_kg is not None
    return content.net_kg - waybill.exit_net_kg


def _waybill_changes(
    kind: str, waybill: Waybill | None, ticket: Ticket, release: bool
) -> dict[str, Any]:
    """The waybill's next status: departed (released exit), closed or arrived (entry)."""
    if waybill is None:
        return {}
    if kind == TicketKind.EXIT and release:
        return {
            "status": WaybillStatus.DEPARTED,
            "exit_ticket": ticket,
            "departed_at": ticket.gross_at,
            "exit_net_kg": ticket.net_kg,
        }
    if kind == TicketKind.ENTRY and waybill.status == WaybillStatus.DEPARTED:
        return {
            "status": WaybillStatus.CLOSED,
            "entry_ticket": ticket,
            "arrived_at": ticket.gross_at,
            "entry_net_kg": ticket.net_kg,
            "discrepancy_kg": ticket.discrepancy_kg,
        }
    if kind == TicketKind.ENTRY and waybill.status == WaybillStatus.ISSUED:
        # Arrived without ever leaving the mine's weighbridge: it can never be reconciled.
        return {
            "status": WaybillStatus.ARRIVED,
            "entry_ticket": ticket,
            "arrived_at": ticket.gross_at,
            "entry_net_kg": ticket.net_kg,
        }
    return {}
