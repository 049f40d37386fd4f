"""`oreledger-station replay`: a raw capture of the indicator's bytes, fed through the same
agent as the live line, with the operator's input from EVENTS.csv.

The capture holds exactly the bytes read from the port, without timing; the line's speed
gives it: at `baud` with 10 bits a character (8N1 or 7E1), byte n arrives n / (baud / 10)
seconds after the start. The replay paces the bytes at that rate (`speed` times faster for
tests; 0: as fast as the machine goes).

Weighing times are on the capture's own clock, anchored so that the last byte falls on the
moment the replay would finish at real speed... or now, when replayed faster: no ticket is
ever dated in the platform's future (the platform refuses more than 300 s ahead).

A replay survives being killed: where it stood (the byte position of the last reading that
changed anything, the events applied, the scale state and the clock's anchor) is saved with
every ticket and refusal, so running the same command again resumes there: nothing is
weighed twice and nothing is lost. It exits when the capture is consumed and every ticket
is answered, printing one line per ticket: seq, plate, gross, tare, net, status, release.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from oreledger_station.agent import Agent
from oreledger_station.config import Settings
from oreledger_station.texts import normal_plate

log = logging.getLogger("oreledger_station.replay")
BITS_PER_BYTE = 10


@dataclass(frozen=True)
class OperatorEvent:
    """A row of EVENTS.csv: what the operator typed (or scanned) and when."""

    at_s: float
    plate: str | None
    waybill: str | None


class EventsError(ValueError):
    """EVENTS.csv cannot be used."""


def read_events(path: Path | None) -> list[OperatorEvent]:
    """The rows of EVENTS.csv (at_s, plate, waybill), in time order."""
    if path is None:
        return []
    events = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"at_s", "plate", "waybill"} - set(reader.fieldnames or [])
        if missing:
            raise EventsError(f"{path}: 缺少列 / missing columns: {', '.join(sorted(missing))}")
        for number, row in enumerate(reader, start=2):
            try:
                at_s = float(row["at_s"])
            except (TypeError, ValueError):
                raise EventsError(f"{path}:{number}: at_s 不是数字 / not a number") from None
            raw_plate = (row["plate"] or "").strip()
            plate = normal_plate(raw_plate) if raw_plate else None
            if raw_plate and plate is None:
                raise EventsError(f"{path}:{number}: 车牌无效 / not a plate: {raw_plate}")
            waybill = (row["waybill"] or "").strip() or None
            if waybill is not None and len(waybill) > 40:
                raise EventsError(f"{path}:{number}: 运单号过长 / waybill too long")
            events.append(OperatorEvent(at_s, plate, waybill))
    return sorted(events, key=lambda e: e.at_s)


def fingerprint(capture: Path, fmt: str, baud: int, events: Path | None) -> str:
    """The replay's identity: the same capture, format, baud and events resume each other."""
    digest = hashlib.sha256(f"{fmt}\n{baud}\n".encode())
    with capture.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    if events is not None:
        digest.update(events.read_bytes())
    return "replay:" + digest.hexdigest()[:20]


def replay(
    settings: Settings,
    capture: Path,
    *,
    events_path: Path | None,
    baud: int,
    speed: float = 1.0,
    secret: str,
    out: IO[str] = sys.stdout,
    wall: float | None = None,
) -> int:
    """Run the replay to its end; returns the process exit code."""
    events = read_events(events_path)
    fmt = settings.indicator.format
    source = fingerprint(capture, fmt, baud, events_path)
    rate = baud / BITS_PER_BYTE  # bytes per second on the line
    size = capture.stat().st_size
    duration = size / rate
    agent = Agent(settings, source=source, secret=secret)
    checkpoint = agent.store.checkpoint(source)
    start = time.time() if wall is None else wall
    if checkpoint is None or checkpoint.anchor is None:
        # Real speed: the capture's clock is the wall clock. Faster: it ends now at the latest.
        anchor = start - duration * (1 - 1 / speed) if speed > 0 else start - duration
        position, applied, finished = 0, 0, False
    else:
        anchor = checkpoint.anchor
        position, applied, finished = checkpoint.position, checkpoint.events, checkpoint.finished
        log.info("从断点继续回放：第 %d 字节，已应用 %d 条操作", position, applied)
    agent.anchor = anchor
    agent.position = position
    agent.events = applied
    if checkpoint is None:
        with agent.store.transaction():
            agent._save(agent.store)
    agent.start()
    try:
        if not finished:
            _feed(agent, capture, events, position, rate, anchor, speed, size)
        _wait_answers(agent)
        for ticket in agent.store.tickets_of(source):
            body = ticket.body
            print(
                ticket.seq, ticket.plate, body["gross_kg"], body["tare_kg"], body["net_kg"],
                ticket.status, "release" if ticket.release else "hold", sep="\t", file=out,
            )  # fmt: skip
        out.flush()
    finally:
        agent.stop()
    return 0


def _feed(
    agent: Agent,
    capture: Path,
    events: list[OperatorEvent],
    position: int,
    rate: float,
    anchor: float,
    speed: float,
    size: int,
) -> None:
    paced = speed > 0
    chunk = max(1, min(1 << 20, int(rate * 0.1 * speed))) if paced else 1 << 16
    pending = events[agent.events :]
    first = position
    began = time.monotonic()

    def apply_until(moment: float) -> None:
        nonlocal pending
        while pending and anchor + pending[0].at_s <= moment:
            event = pending.pop(0)
            agent.events += 1
            agent.truck(anchor + event.at_s, plate=event.plate, waybill=event.waybill)

    with capture.open("rb") as handle:
        handle.seek(position)
        offset = position
        while offset < size:
            data = handle.read(chunk)
            if not data:
                break
            if paced:
                due = began + (offset + len(data) - first) / rate / speed
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            readings = agent.decoder.feed(data)
            for reading in readings:
                at = anchor + (offset + reading.end) / rate
                apply_until(at)
                agent.reading(reading, at, offset + reading.end)
            offset += len(data)
    end = anchor + size / rate
    apply_until(end)
    agent.position = size
    with agent.store.transaction():
        agent.store.save_checkpoint(
            agent.source, agent.scale.state.as_dict(), position=size, events=agent.events,
            anchor=anchor, finished=True,
        )  # fmt: skip
    counts = agent.decoder.counts
    log.info(
        "回放数据读完：有效帧 %d，校验错误 %d，残缺帧 %d，噪声字节 %d",
        counts.frames, counts.bad_checksum, counts.malformed, counts.noise_bytes,
    )  # fmt: skip


def _wait_answers(agent: Agent) -> None:
    """Until the platform has answered every ticket (it may be unreachable for a while)."""
    reported = -1
    while True:
        waiting = agent.store.queued()
        if waiting == 0 and agent.store.unreported_refusals() == 0:
            return
        if waiting != reported:
            log.info("等待平台应答：%d 张磅单", waiting)
            reported = waiting
        if agent.uplink is not None:
            agent.uplink.nudge()
        time.sleep(0.05)
