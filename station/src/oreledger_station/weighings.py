"""A taken weight becomes a ticket: the truck's two passes paired by plate into gross and
tare, or, at a site that weighs once, the registered tare taken from the vehicle registry.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oreledger_station.config import StationSettings
from oreledger_station.scale import Capture, Refusal
from oreledger_station.store import Store, TicketRow
from oreledger_station.texts import iso, normal_plate

log = logging.getLogger("oreledger_station.weighings")


@dataclass(frozen=True)
class FirstPass:
    """The truck's first weight, kept until it comes back over the scale."""

    plate: str
    weight_kg: int


Outcome = TicketRow | FirstPass | Refusal


def registered_tares(path: Path | None) -> dict[str, int]:
    """plate → registered tare (kg) from the vehicle registry export (CSV: plate, tare_kg).

    The platform's vehicle list (registry → vehicles, or GET /api/v1/vehicles/) is exported
    as CSV; rows that are not a plate and a positive weight are skipped with a warning.
    """
    if path is None:
        return {}
    tares: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            plate = normal_plate(row.get("plate") or row.get("车牌") or "")
            raw = (row.get("tare_kg") or row.get("皮重") or "").strip()
            if plate is None or not raw.isdigit() or not 0 < int(raw) < 100_000:
                log.warning("车辆登记文件 %s 第 %d 行无效，已跳过", path, number)
                continue
            tares[plate] = int(raw)
    return tares


class Weighings:
    """Turns captures into tickets, first passes or refusals, each in one transaction."""

    def __init__(self, settings: StationSettings, tares: dict[str, int] | None = None) -> None:
        self.settings = settings
        self.tares = tares or {}

    def record(self, store: Store, capture: Capture, source: str, save: Any) -> Outcome:
        """Record the capture; `save(store)` writes the checkpoint in the same transaction."""
        with store.transaction():
            outcome = self._decide(store, capture, source)
            if isinstance(outcome, Refusal):
                store.add_refusal(
                    outcome.code, outcome.plate, outcome.weight_kg, source, outcome.at
                )
            save(store)
        return outcome

    def refuse(self, store: Store, refusal: Refusal, source: str, save: Any) -> None:
        """Record a refusal of the scale logic, with the checkpoint."""
        with store.transaction():
            store.add_refusal(refusal.code, refusal.plate, refusal.weight_kg, source, refusal.at)
            save(store)

    def _decide(self, store: Store, capture: Capture, source: str) -> Outcome:
        settings = self.settings
        if settings.weighing == "once":
            registered = self.tares.get(capture.plate)
            if registered is None:
                return Refusal("no_tare", capture.plate, capture.weight_kg, capture.at)
            if capture.weight_kg - registered < settings.min_net_kg:
                return Refusal("low_net", capture.plate, capture.weight_kg, capture.at)
            return self._ticket(
                store, capture, source, gross=(capture.weight_kg, capture.at),
                tare=(registered, capture.at), waybill=capture.waybill, photos=list(capture.photos),
            )  # fmt: skip
        first = store.first_pass(capture.plate)
        too_old = settings.pair_within_hours * 3600
        if first is not None and capture.at - first["at"] > too_old:
            log.warning("车辆 %s 的一次称重已超过配对时限，作废", capture.plate)
            first = None
        if first is None:
            store.keep_pass(
                capture.plate, capture.weight_kg, capture.at, capture.waybill,
                [list(p) for p in capture.photos],
            )  # fmt: skip
            return FirstPass(capture.plate, capture.weight_kg)
        heavier = capture.weight_kg >= first["weight_kg"]
        now_pass = (capture.weight_kg, capture.at)
        then_pass = (first["weight_kg"], first["at"])
        gross, tare = (now_pass, then_pass) if heavier else (then_pass, now_pass)
        if gross[0] - tare[0] < settings.min_net_kg:
            # Two weights of the same (empty or loaded) truck: keep the latest as its first.
            store.keep_pass(
                capture.plate, capture.weight_kg, capture.at, capture.waybill,
                [list(p) for p in capture.photos],
            )  # fmt: skip
            return Refusal("low_net", capture.plate, capture.weight_kg, capture.at)
        store.drop_pass(capture.plate)
        photos = [tuple(p) for p in first["photos"]] + list(capture.photos)
        return self._ticket(
            store, capture, source, gross=gross, tare=tare,
            waybill=capture.waybill or first["waybill"], photos=photos,
        )  # fmt: skip

    def _ticket(
        self,
        store: Store,
        capture: Capture,
        source: str,
        *,
        gross: tuple[int, float],
        tare: tuple[int, float],
        waybill: str | None,
        photos: list[Any],
    ) -> TicketRow:
        settings = self.settings
        body: dict[str, Any] = {
            "plate": capture.plate,
            "direction": settings.direction,
            "waybill": waybill,
            "cargo": settings.cargo,
            "declared_grade": settings.declared_grade,
            "gross_kg": gross[0],
            "tare_kg": tare[0],
            "net_kg": gross[0] - tare[0],
            "gross_at": iso(gross[1]),
            "tare_at": iso(tare[1]),
        }
        if settings.operator:
            body["operator"] = settings.operator
        unique = list(dict.fromkeys((str(k), str(h)) for k, h in photos))
        if unique:
            body["photos"] = [{"kind": k, "sha256": h} for k, h in unique]
        return store.add_ticket(settings.code, body, source, capture.at)
