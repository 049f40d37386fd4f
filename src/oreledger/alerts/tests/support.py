"""A small weighing world for alert tests, on top of the weighing app's test chain."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from oreledger.alerts.models import Alert
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.weighing.tests.support import (
    body,
    build_chain,
    plate,
    post,
    ticket,
    waybills_for,
)

_SEQ: dict[str, itertools.count[int]] = {}


def next_seq(station: str) -> int:
    """The next seq of a station in this test."""
    return next(_SEQ.setdefault(station, itertools.count(1)))


class World:
    """The chain, with helpers to weigh trucks at the mine exit, checkpoint and plant gate."""

    def __init__(self, world: Any, **kwargs: Any) -> None:
        _SEQ.clear()
        self.world = world
        self.chain = build_chain(world, **kwargs)
        self.mine = self.chain.mines[0]
        self.exit_code, self.exit_secret = next(iter(self.mine.stations.items()))
        self.gate_code, self.gate_secret = self.chain.gate
        self.cp_code, self.cp_secret = self.chain.checkpoint
        self.client = world.client("anonymous")

    def truck(self, n: int, *, axles: int = 6, tare_kg: int = 15_000, **kw: Any) -> str:
        """A registered truck's plate."""
        return VehicleFactory(plate=plate(n), axles=axles, tare_kg=tare_kg, **kw).plate

    def waybill(self, plate_: str, hours: int = 24) -> str:
        """An issued waybill for the plate from the mine to the plant."""
        return waybills_for(self.mine, [plate_], hours=hours)[0].number

    def send(self, where: str, plate_: str, **kw: Any) -> dict[str, Any]:
        """Weigh at "exit", "gate" or "cp"; the station's answer for the ticket."""
        code, secret = {
            "exit": (self.exit_code, self.exit_secret),
            "gate": (self.gate_code, self.gate_secret),
            "cp": (self.cp_code, self.cp_secret),
        }[where]
        direction = "out" if where in ("exit", "cp") else "in"
        seq = kw.pop("seq", None) or next_seq(code)
        item = ticket(seq, plate_, direction=direction, **kw)
        response = post(self.client, code, secret, body([item]))
        assert response.status_code == 200, response.content
        result: dict[str, Any] = response.json()["results"][0]
        result["station"], result["item"] = code, item
        return result

    def trip(
        self,
        plate_: str,
        *,
        net: int = 30_000,
        entry_net: int | None = None,
        at: datetime.datetime | None = None,
    ) -> str:
        """A full clean trip: waybill, exit, plant gate; returns the waybill number."""
        number = self.waybill(plate_)
        at = at or timezone.now() - datetime.timedelta(hours=2)
        self.send("exit", plate_, waybill=number, net=net, at=at)
        self.send(
            "gate",
            plate_,
            waybill=number,
            net=entry_net or net,
            at=at + datetime.timedelta(minutes=50),
        )
        return number


def alerts(rule: str | None = None) -> list[Alert]:
    """The alerts raised, optionally of one rule."""
    rows = Alert.objects.order_by("first_seen")
    return list(rows.filter(rule=rule) if rule else rows)


def local_at(hour: int, minute: int = 0, days_ago: int = 1) -> datetime.datetime:
    """A past local (Asia/Shanghai) time."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
