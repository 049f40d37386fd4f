"""The outbox's cost on the ticket path: batched tickets/s on a node against a standalone
platform, same run, alternated (goal ≥ 0.9).

Run from the project root: `.venv/bin/python bench/bench_federation_outbox.py
[--rounds 3] [--batches 10]` (a scratch SQLite file, a county node's database), or with
`DATABASE_URL=postgres://…/ol_fed_outbox` (a scratch PostgreSQL database, dropped and
created).

Four mine exits, one station each, record batches of 100 released exit tickets (each with
its waybill, quota draw and contract delivery) through the weighing service that the
station endpoint calls (`record_batch`; in-process, so the HTTP layer does not dilute the
difference). Each round runs the same number of batches as a standalone platform and then
as a node (OL_NODE_ROLE=node: every ticket and every moved waybill outboxed in the batch's
own statements, their states built by the database, `federation.states`); the order
alternates by round. It prints tickets/s per round and mode, the medians and the ratio
node / standalone, and the arithmetic that does not swing with the machine's load as much:
the outbox writer's own µs per ticket (timed around `TicketOutbox.write` in the node
phases) against a standalone ticket's µs, and the ratio they give.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
os.environ.setdefault("OL_VAR_DIR", tempfile.mkdtemp(prefix="ol-bench-outbox-"))
os.environ["OL_DEBUG"] = "false"  # query logging would distort the figures
os.environ["OL_NODE_ROLE"], os.environ["OL_NODE_CODE"] = "standalone", "210381"
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['OL_VAR_DIR']}/outbox.sqlite3"
else:
    import psycopg

    _url, _name = os.environ["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{_url}/postgres", autocommit=True) as _conn:
        _conn.execute(f'DROP DATABASE IF EXISTS "{_name}" WITH (FORCE)')
        _conn.execute(f'CREATE DATABASE "{_name}"')

MINES = 4
BATCH = 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=10, help="per mine, round and mode")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from oreledger.federation.models import OutboxChange
    from oreledger.federation.services.outbox import TicketOutbox
    from oreledger.registry.models import Station, Vehicle
    from oreledger.weighing.services import record_batch
    from oreledger.weighing.tests.support import build_chain, on_shift, plate, ticket, waybills_for
    from testkit.personas import build_province

    world = build_province()
    chain = build_chain(world, mines=MINES, quota_kg=10**11, contract_kg=10**11)
    per_phase = args.batches * BATCH
    phases = args.rounds * 2 + 1  # and one warm-up phase
    at = on_shift()  # by day: at night every ticket would also raise off_hours
    plans = []
    n = 0
    for mine in chain.mines:
        code = next(iter(mine.stations))
        plates = [plate(n + i) for i in range(per_phase * phases)]
        n += len(plates)
        items = [
            ticket(i + 1, w.plate, waybill=w.number, at=at)
            for i, w in enumerate(waybills_for(mine, plates, hours=72))
        ]
        plans.append((Station.objects.select_related("site", "region").get(code=code), items))
    # Registered trucks, as real traffic is (an unknown plate would measure its alert).
    Vehicle.objects.bulk_create(
        [Vehicle(plate=plate(i), axles=6, tare_kg=15_000) for i in range(n)], batch_size=2000
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    writing = {"seconds": 0.0}
    write = TicketOutbox.write

    def timed_write(self: TicketOutbox) -> None:
        started = time.perf_counter()
        write(self)
        writing["seconds"] += time.perf_counter() - started

    TicketOutbox.write = timed_write  # type: ignore[method-assign]

    def phase(index: int, role: str) -> float:
        """Tickets/s of one phase: every mine's next batches, round robin."""
        settings.OL_NODE_ROLE = role
        started = time.perf_counter()
        released = 0
        for b in range(args.batches):
            for station, items in plans:
                first = index * per_phase + b * BATCH
                result = record_batch(station=station, items=items[first : first + BATCH])
                released += sum(r.release for r in result.results)
        seconds = time.perf_counter() - started
        assert released == MINES * per_phase, released
        return MINES * per_phase / seconds

    phase(0, "node")  # warm-up: caches, the counter row, the planner
    figures: dict[str, list[float]] = {"standalone": [], "node": []}
    writer_us: list[float] = []
    index = 1
    for r in range(args.rounds):
        order = ("standalone", "node") if r % 2 == 0 else ("node", "standalone")
        for role in order:
            writing["seconds"] = 0.0
            figures[role].append(phase(index, role))
            if role == "node":
                writer_us.append(writing["seconds"] * 1e6 / (MINES * per_phase))
            index += 1
        print(
            f"round {r + 1}: standalone {figures['standalone'][-1]:,.0f} tickets/s,"
            f" node {figures['node'][-1]:,.0f} tickets/s",
            flush=True,
        )
    alone, node = (statistics.median(figures[k]) for k in ("standalone", "node"))
    print(f"database: {connection.vendor}; {MINES} mines, batches of {BATCH}")
    print(f"median standalone {alone:,.0f} tickets/s, node {node:,.0f} tickets/s")
    print(f"ratio node / standalone: {node / alone:.2f} (goal ≥ 0.9)")
    ticket_us, outbox_us = 1e6 / alone, statistics.median(writer_us)
    print(
        f"arithmetic: a standalone ticket {ticket_us:,.0f} µs, the outbox writer"
        f" {outbox_us:,.0f} µs per ticket (rounds: {', '.join(f'{u:.0f}' for u in writer_us)}):"
        f" {ticket_us / (ticket_us + outbox_us):.2f}"
    )
    print(f"outbox rows: {OutboxChange.objects.count():,}")


if __name__ == "__main__":
    main()
