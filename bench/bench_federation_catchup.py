"""Catch-up: a Haicheng-size county's week, accumulated on its node while offline, brought
level on the hub (PostgreSQL) by the node's own push over real HTTP.

Run from the project root against a scratch database (dropped and created):
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_fed_catchup \\
    .venv/bin/python bench/bench_federation_catchup.py [--days 7] [--trips 2000]`

The hub (OL_NODE_ROLE=hub, `oreledger serve` on that database) holds the county's registry
as node 210381 sent it before going offline: 30 mines with an exit station each, a plant
with its gate, 9 road checkpoints (41 stations with the gate), their enterprises, sites and
contracts. The node (a SQLite file, bench/federation_pair.py) holds the week in its outbox,
seq by seq: each day the day's waybills issued, then per batch of 100 trips the exit
tickets and their waybills departed, then the gate tickets and their waybills arrived
(every trip: a waybill in three versions and two tickets, five changes; quota ledger
entries do not federate). Its `push()` sends the backlog signed in batches of 1,000 until
the outbox is empty; the bench prints the seconds, changes/s, the CPU per 1,000 changes of
the hub, its PostgreSQL backends and the node, and checks the hub's counts against the week.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from federation_pair import NODE, Hub, Node, describe, measure, run, workdir

MINES = 30
CHECKPOINTS = 9

# Run in the hub: the county's registry (county() below), its UUIDs printed for the week.
_SEED = f"""
import json, sys
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from bench_federation_catchup import county
print("PLACES" + json.dumps(county()))
"""

# Run in the hub once the week is pushed: its tickets and arrived waybills from the node.
_COUNT = """
from oreledger.weighing.models import Ticket, Waybill
print("COUNTS", Ticket.objects.filter(region__code="210381").count(),
      Waybill.objects.filter(owner_node="210381", status="arrived").count())
"""


def county() -> dict[str, Any]:
    """The county's registry on the hub, owned by the node; the UUIDs a trip refers to."""
    from django.db.models import QuerySet

    from oreledger.core.models import FederatedModel
    from oreledger.federation.records import federated_models
    from oreledger.registry.services import create_station
    from oreledger.weighing.tests.support import build_chain
    from testkit.personas import build_province

    world = build_province()
    chain = build_chain(world, mines=MINES, quota_kg=10**11, contract_kg=10**11)
    for n in range(CHECKPOINTS):
        create_station(
            actor=None,
            code=f"HC-CP-{n + 2:02d}",
            name=f"公路检查站{n + 2}",
            region=world.haicheng,
            lat=chain.plant.lat,
            lon=chain.plant.lon,
        )
    # Received from the node before it went offline: the node's records, read-only here.
    for label, model in federated_models().items():
        if issubclass(model, FederatedModel) and label != "accounts.region":
            # A plain queryset: the ledger's own refuses any UPDATE of its entries, and this
            # setting up of the hub's copy is no change of them.
            QuerySet(model).exclude(owner_node=NODE).update(owner_node=NODE)
    from oreledger.registry.models import Station

    gate = Station.objects.get(code=chain.gate[0])
    mines = []
    for mine in chain.mines:
        station = Station.objects.get(code=next(iter(mine.stations)))
        mines.append(
            {
                "station": str(station.uuid),
                "site": str(mine.site.uuid),
                "contract": str(mine.contract.uuid),
                "seller": str(mine.contract.seller.uuid),
                "buyer": str(mine.contract.buyer.uuid),
            }
        )
    return {
        "region": str(world.haicheng.uuid),
        "plant": str(chain.plant.uuid),
        "gate": str(gate.uuid),
        "gate_site": str(chain.plant.uuid),
        "mines": mines,
    }


class Week:
    """The node's outbox for the week, seq by seq, in the protocol's format."""

    def __init__(self, places: dict[str, Any]) -> None:
        self.places = places
        self.changes: list[dict[str, Any]] = []
        self.station_seq: dict[str, int] = {}
        self.heads: dict[str, str] = {}

    def _add(self, model: str, key: str, version: int, at: str, data: dict[str, Any]) -> None:
        self.changes.append(
            {
                "seq": len(self.changes) + 1,
                "model": model,
                "uuid": key,
                "version": version,
                "op": "upsert",
                "at": at,
                "data": data,
            }
        )

    def waybill(self, trip: dict[str, Any], version: int, at: str) -> None:
        mine = trip["mine"]
        data = {
            "created_at": trip["issued"],
            "updated_at": at,
            "uuid": trip["uuid"],
            "owner_node": NODE,
            "version": version,
            "number": trip["number"],
            "contract": mine["contract"],
            "seller": mine["seller"],
            "buyer": mine["buyer"],
            "origin_site": mine["site"],
            "destination_site": self.places["plant"],
            "region": self.places["region"],
            "plate": trip["plate"],
            "planned_net_kg": 30000,
            "status": ("issued", "departed", "arrived")[version - 1],
            "issued_at": trip["issued"],
            "expires_at": trip["expires"],
            "exit_ticket": trip["exit"] if version >= 2 else None,
            "entry_ticket": trip["entry"] if version >= 3 else None,
            "departed_at": trip["departed"] if version >= 2 else None,
            "arrived_at": trip["arrived"] if version >= 3 else None,
            "exit_net_kg": 30000 if version >= 2 else None,
            "entry_net_kg": 29980 if version >= 3 else None,
            "discrepancy_kg": -20 if version >= 3 else None,
            "void_reason": "",
        }
        self._add("weighing.waybill", trip["uuid"], version, at, data)

    def ticket(self, trip: dict[str, Any], kind: str, at: str) -> None:
        mine = trip["mine"]
        station = mine["station"] if kind == "exit" else self.places["gate"]
        seq = self.station_seq[station] = self.station_seq.get(station, 0) + 1
        key = trip["exit" if kind == "exit" else "entry"]
        prev = self.heads.get(station, "0" * 64)
        head = self.heads[station] = hashlib.sha256(f"{prev}{key}".encode()).hexdigest()
        net = 30000 if kind == "exit" else 29980
        data = {
            "id": key,
            "station": station,
            "seq": seq,
            "chain_index": seq,
            "site": mine["site"] if kind == "exit" else self.places["gate_site"],
            "region": self.places["region"],
            "kind": kind,
            "ticket_no": f"T-{seq}",
            "plate": trip["plate"],
            "direction": "out" if kind == "exit" else "in",
            "waybill_number": trip["number"],
            "cargo": "magnesite_ore",
            "declared_grade": "LM-46",
            "gross_kg": 15000 + net,
            "tare_kg": 15000,
            "net_kg": net,
            "gross_at": at,
            "tare_at": at,
            "operator": "王力",
            "photos": [],
            "received_at": at,
            "release": True,
            "reasons": [],
            "waybill": trip["uuid"],
            "contract": mine["contract"],
            "seller": mine["seller"],
            "buyer": mine["buyer"],
            "drawn_kg": net if kind == "exit" else 0,
            "held_kg": 0,
            "discrepancy_kg": None if kind == "exit" else -20,
            "prev_hash": prev,
            "hash": head,
        }
        self._add("weighing.ticket", key, 1, at, data)

    def day(self, start: datetime.datetime, trips: int, first: int) -> None:
        """A day's trips: waybills issued in the morning, then batches of 100 leaving and
        arriving (the exits' batch first: a departed waybill refers to its ticket)."""
        made = []
        for n in range(trips):
            at = start + datetime.timedelta(seconds=n * 30)
            mine = self.places["mines"][n % len(self.places["mines"])]
            made.append(
                {
                    "uuid": str(uuid.uuid4()),
                    "exit": str(uuid.uuid4()),
                    "entry": str(uuid.uuid4()),
                    "number": f"WB{first + n:010d}",
                    "plate": f"辽C{(first + n) % 100000:05d}",
                    "mine": mine,
                    "issued": start.isoformat(),
                    "expires": (start + datetime.timedelta(days=1)).isoformat(),
                    "departed": at.isoformat(),
                    "arrived": (at + datetime.timedelta(hours=1)).isoformat(),
                }
            )
        for trip in made:
            self.waybill(trip, 1, trip["issued"])
        for i in range(0, trips, 100):
            part = made[i : i + 100]
            for trip in part:
                self.ticket(trip, "exit", trip["departed"])
            for trip in part:
                self.waybill(trip, 2, trip["departed"])
            for trip in part:
                self.ticket(trip, "entry", trip["arrived"])
            for trip in part:
                self.waybill(trip, 3, trip["arrived"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--trips", type=int, default=2000, help="trips a day")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://… to a scratch database")
    folder = workdir()
    hub = Hub(os.environ["DATABASE_URL"], folder)
    places = json.loads(run(hub.env, code=_SEED).split("PLACES", 1)[1])
    hub.register_node()
    week = Week(places)
    monday = datetime.datetime(2026, 11, 30, 6, 30, tzinfo=datetime.UTC) - datetime.timedelta(
        hours=8
    )
    for d in range(args.days):
        week.day(monday + datetime.timedelta(days=d), args.trips, d * args.trips)
    node = Node(hub, folder)
    node.fill(week.changes)
    hub.start()
    try:
        figure = measure(hub, node)
    finally:
        hub.stop()
    trips = args.days * args.trips
    print(
        f"county: {MINES + 1 + CHECKPOINTS + 1} stations, {MINES} mines; {args.days} days of"
        f" {args.trips:,} trips: {trips:,} trips, {len(week.changes):,} changes"
    )
    print(f"caught up: {describe(figure)}", flush=True)
    counted = run(hub.env, code=_COUNT).split("COUNTS", 1)[1].split()
    tickets, arrived = int(counted[0]), int(counted[1])
    print(f"on the hub: {tickets:,} tickets, {arrived:,} waybills arrived")
    assert (tickets, arrived) == (2 * trips, trips), (tickets, arrived)


if __name__ == "__main__":
    main()
