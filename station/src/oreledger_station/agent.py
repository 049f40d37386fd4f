"""The station agent: indicator bytes → readings → the scale logic → tickets and refusals in
the local database → the uplink; answers → screen, barrier relay and printer.

One thread (the caller's) owns the scale logic: it feeds bytes and applies the operator's
input, which other threads (screen, camera) hand over through a queue. The live run and the
replay of a capture go through exactly this code; they differ only in where the bytes and
the clock come from.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oreledger_station.config import Settings
from oreledger_station.frames import Decoder, Reading, make_decoder
from oreledger_station.printer import Printer, render
from oreledger_station.scale import Capture, Refusal, Scale, ScaleState
from oreledger_station.store import Store, TicketRow
from oreledger_station.texts import REFUSALS, local_time, reason_text
from oreledger_station.uplink import Uplink
from oreledger_station.weighings import FirstPass, Weighings, registered_tares

log = logging.getLogger("oreledger_station")

# A refusal short code for the heartbeat's status (the protocol allows 40 characters).
SHORT = {"no_zero": "no_zero", "unstable": "unstable", "no_plate": "no_plate",
         "low_net": "low_net", "no_tare": "no_tare"}  # fmt: skip


@dataclass
class Notice:
    """The last thing the operator must read (a weight taken, a refusal, an answer)."""

    kind: str  # pass | ticket | refusal | info
    text: str
    at: float


def heartbeat_status(store: Store, now: float) -> str:
    """What the heartbeat's `status` says: "ok", or the local refusals of the last 24 hours
    and the latest of them: ``refused 2/24h: no_zero 辽C10005 15:42``.

    The protocol has no message for a weighing the station refused; the heartbeat's status
    (40 characters, shown on the platform's station page) is the one field it offers. Every
    heartbeat repeats it, so the next one does not wipe the finding out.
    """
    refused = store.refusals_since(now - 86400)
    if not refused:
        return "ok"
    last = refused[-1]
    plate = last["plate"] or "-"
    when = local_time(last["at"], "%H:%M")
    return f"refused {len(refused)}/24h: {SHORT[last['code']]} {plate} {when}"[:40]


class Agent:
    """One weighbridge's agent."""

    def __init__(
        self,
        settings: Settings,
        *,
        source: str = "live",
        secret: str | None = None,
        state: dict[str, Any] | None = None,
        uplink: bool = True,
        printer: Printer | None = None,
        relay: Any = None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.db_path = settings.data_dir / "station.sqlite3"
        self.store = Store(self.db_path)
        self.decoder: Decoder = make_decoder(
            settings.indicator.format,
            unit=settings.indicator.unit,
            line_pattern=settings.indicator.line_pattern,
            stable_status=settings.indicator.stable_status,
        )
        checkpoint = self.store.checkpoint(source)
        saved = state if state is not None else (checkpoint.state if checkpoint else None)
        self.scale = Scale(settings.stability, ScaleState.from_dict(saved))
        tares = registered_tares(settings.station.vehicles_file)
        self.weighings = Weighings(settings.station, tares)
        self.inputs: queue.Queue[Callable[[float], None]] = queue.Queue()
        self.notice: Notice | None = None
        self.last_answer: TicketRow | None = None
        self.answers = 0
        self.position = 0
        self.events = 0
        self.anchor: float | None = None
        self.printer = printer
        self.relay = relay
        self.started = time.time()
        self.uplink: Uplink | None = None
        if uplink:
            self.uplink = Uplink(
                store_path=self.db_path,
                code=settings.station.code,
                secret=secret if secret is not None else settings.secret(),
                url=settings.platform.url,
                heartbeat_seconds=settings.platform.heartbeat_seconds,
                batch_size=settings.platform.batch_size,
                timeout=settings.platform.timeout_seconds,
                retry_max=settings.platform.retry_max_seconds,
                status=lambda store: heartbeat_status(store, time.time()),
                on_answer=self._answered,
            )

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the uplink thread."""
        if self.uplink is not None:
            self.uplink.start()

    def stop(self) -> None:
        """Stop the uplink and close the database."""
        if self.uplink is not None:
            self.uplink.stop()
        self.store.close()

    # --- input -----------------------------------------------------------------------------

    def feed(self, data: bytes, clock: Callable[[int], float], base: int = 0) -> int:
        """Feed bytes from the indicator; `clock(offset)` dates the byte at that offset.

        `base` is the offset of `data` in the input (a capture's position, for resuming).
        Returns the number of readings.
        """
        readings = self.decoder.feed(data)
        for reading in readings:
            self.reading(reading, clock(reading.end), base + reading.end)
        return len(readings)

    def reading(self, reading: Reading, at: float, position: int) -> None:
        """One reading through the scale logic (and whatever it decides)."""
        self.drain(at)
        self.position = position
        events = self.scale.reading(reading, at)
        self._settle(events)

    def drain(self, at: float) -> None:
        """Apply what the operator typed or the camera read since the last reading."""
        while True:
            try:
                action = self.inputs.get_nowait()
            except queue.Empty:
                return
            action(at)

    def truck(
        self,
        at: float,
        *,
        plate: str | None,
        waybill: str | None = None,
        photos: list[tuple[str, str]] | None = None,
    ) -> None:
        """The truck on the scale is named (call from the agent's thread)."""
        if plate is not None:
            log.info("录入车牌 %s%s", plate, f"，运单 {waybill}" if waybill else "")
        elif waybill:
            log.info("录入运单 %s", waybill)
        self._settle(self.scale.truck(at, plate=plate, waybill=waybill, photos=photos))

    def clear(self, at: float) -> None:
        """The operator cleared the truck's plate and waybill."""
        self.scale.clear_truck()
        self._settle([])

    def _settle(self, events: list[Capture | Refusal]) -> None:
        for event in events:
            if isinstance(event, Capture):
                self._captured(event)
            else:
                self._refused(event)
        if self.scale.changed and not events:
            with self.store.transaction():
                self._save(self.store)
        self.scale.changed = False

    def _save(self, store: Store) -> None:
        store.save_checkpoint(
            self.source,
            self.scale.state.as_dict(),
            position=self.position,
            events=self.events,
            anchor=self.anchor,
        )

    def _captured(self, capture: Capture) -> None:
        outcome = self.weighings.record(self.store, capture, self.source, self._save)
        if isinstance(outcome, FirstPass):
            text = f"{outcome.plate} 一次称重 {outcome.weight_kg} kg，待回磅二次称重"
            log.info("%s", text)
            self.notice = Notice("pass", text, capture.at)
        elif isinstance(outcome, Refusal):
            self._told_refusal(outcome)
        else:
            ticket: TicketRow = outcome
            body = ticket.body
            text = (
                f"{ticket.plate} 磅单 {ticket.ticket_no}：毛重 {body['gross_kg']} kg，"
                f"皮重 {body['tare_kg']} kg，净重 {body['net_kg']} kg，等待平台放行指令"
            )
            log.info("生成%s（序号 %s）", text, ticket.seq if ticket.seq else "待编号")
            self.notice = Notice("ticket", text, capture.at)
            if self.uplink is not None:
                self.uplink.nudge()

    def _refused(self, refusal: Refusal) -> None:
        self.weighings.refuse(self.store, refusal, self.source, self._save)
        self._told_refusal(refusal)

    def _told_refusal(self, refusal: Refusal) -> None:
        weight = f"，重量 {refusal.weight_kg} kg" if refusal.weight_kg is not None else ""
        text = f"拒绝称重：{refusal.plate or '未知车辆'}{weight}。{REFUSALS[refusal.code]}"
        log.warning("%s", text)
        self.notice = Notice("refusal", text, refusal.at)
        if self.uplink is not None:
            self.uplink.nudge(heartbeat=True)

    # --- answers (uplink thread) -----------------------------------------------------------

    def _answered(self, ticket: TicketRow) -> None:
        self.last_answer = ticket
        self.answers += 1
        if ticket.release and self.relay is not None:
            self.relay.pulse()
        if not ticket.release:
            reasons = "；".join(reason_text(r) for r in ticket.reasons) or "平台拒收"
            log.warning("%s 禁止放行：%s", ticket.plate, reasons)
        if self.printer is not None:
            self.printer.send(render(ticket, self.settings.station.code, time.time()),
                              ticket.ticket_no)  # fmt: skip
