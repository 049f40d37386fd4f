"""A day of weighings in Haicheng (and a checkpoint in Dashiqiao) for the dashboards' tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oreledger.grading.models import Grade
from oreledger.registry.services import create_station
from oreledger.trade.models import Contract
from oreledger.weighing.models import Ticket, Waybill
from oreledger.weighing.services.tickets import record_ticket
from oreledger.weighing.tests.support import (
    Chain,
    Mine,
    build_chain,
    plate,
    station_obj,
    ticket,
    waybills_for,
)


@dataclass
class Day:
    """What the simulated day left behind."""

    chain: Chain
    second: Mine  # the first mine's second contract (another grade), for corrections
    spare: list[Waybill]
    dashiqiao_station: str


def second_contract(chain: Chain, world: Any) -> Mine:
    """A second contract of the first mine, of grade LM-45, with its own waybills."""
    first = chain.mines[0]
    year = timezone.localdate().year
    contract = Contract.objects.create(
        number=f"HT-{year}-9001",
        seller=first.contract.seller,
        buyer=first.contract.buyer,
        origin_site=first.site,
        destination_site=chain.plant,
        grade=Grade.objects.get(code="LM-45"),
        quantity_kg=5_000_000,
        unit_price=Decimal("280.00"),
        valid_from=datetime.date(year, 1, 1),
        valid_to=datetime.date(year, 12, 31),
        status="approved",
        region=world.haicheng,
    )
    return Mine(first.site, contract, first.stations)


def simulate_day(world: Any, *, trucks: int = 6) -> Day:
    """Exits from two mines, checkpoint passages, the plant receiving some and shipping its
    own product, a held truck, a Dashiqiao checkpoint."""
    chain = build_chain(world, mines=2)
    now = timezone.now()
    seqs: dict[str, int] = {}

    def send(code: str, item_plate: str, **kw: Any) -> Any:
        seqs[code] = seqs.get(code, 0) + 1
        kw.setdefault("at", now - datetime.timedelta(minutes=60 - seqs[code]))
        return record_ticket(station=station_obj(code), item=ticket(seqs[code], item_plate, **kw))

    n = 0
    for m, mine in enumerate(chain.mines):
        code = next(iter(mine.stations))
        for waybill in waybills_for(mine, [plate(100 * m + k) for k in range(trucks)]):
            n += 1
            send(code, waybill.plate, waybill=waybill.number, net=30000 + 100 * n)
            if n % 3 != 2:
                # The road checkpoint weighs the loaded truck on its way ("in", as the
                # stations send it): the same load again, neither out nor in.
                send(chain.checkpoint[0], waybill.plate, direction="in", net=30000 + 100 * n)
            if n % 2:
                send(
                    chain.gate[0],
                    waybill.plate,
                    waybill=waybill.number,
                    direction="in",
                    net=30000 + 100 * n - 50,
                )
    send(next(iter(chain.mines[0].stations)), plate(999))  # no waybill: held at the gate
    # The plant weighs a truck of its own product out: another movement, no ore trade.
    send(chain.gate[0], plate(998), direction="out", net=25000, cargo="caustic_magnesia")
    second = second_contract(chain, world)
    spare = waybills_for(second, [plate(0)])
    station, _secret = create_station(
        actor=None,
        code="DSQ-CP-01",
        name="大石桥检查站",
        region=world.dashiqiao,
        lat=Decimal("40.64"),
        lon=Decimal("122.51"),
    )
    seqs["DSQ-CP-01"] = 0
    send("DSQ-CP-01", plate(5000), net=20000)
    return Day(chain, second, spare, station.code)


def released_out_kg(**lookup: Any) -> int:
    """Released mine-exit net straight from the tickets (the test's own arithmetic).

    Checkpoint passages are not exits: the same load seen again on the road.
    """
    return sum(t.net_kg for t in Ticket.objects.filter(release=True, kind="exit", **lookup))
