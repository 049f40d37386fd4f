"""The ticket path with all synchronous alert rules on versus off, in one run.

Run from the project root: `.venv/bin/python bench/bench_alerts_sync.py [--trips 1500]`
(SQLite scratch file; or set DATABASE_URL to a scratch PostgreSQL database, which is dropped
and created). Builds the test chain (one mine, a plant), then records trips — mine exit with
a waybill, plant-gate entry — through `record_ticket` in interleaved blocks with
`alerts.sync_rules.ENABLED` on and off, and prints tickets/s for each and the ratio (goal ≥ 0.7).
`--rules gate` switches only the gate rules (`sync_rules.GATE_ENABLED`: impossible_travel's
lookup of the plate's last weighing anywhere, grade_mismatch's assay), the other rules on
in both modes (goal ≥ 0.9).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
os.environ.setdefault("OL_VAR_DIR", tempfile.mkdtemp(prefix="ol-bench-alerts-"))
os.environ["OL_DEBUG"] = "false"  # query logging would distort the figures
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['OL_VAR_DIR']}/bench.sqlite3"


def fresh_database(url: str) -> None:
    """Drop and create a PostgreSQL scratch database (SQLite files are new anyway)."""
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    """Set up, measure, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--trips", type=int, default=1500)
    parser.add_argument("--block", type=int, default=100)
    parser.add_argument("--rules", choices=("all", "gate"), default="all")
    args = parser.parse_args()
    fresh_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from oreledger.alerts import sync_rules
    from oreledger.alerts.models import Alert
    from oreledger.registry.tests.factories import VehicleFactory
    from oreledger.weighing.services.tickets import record_ticket
    from oreledger.weighing.tests.support import (
        build_chain,
        plate,
        station_obj,
        ticket,
        waybills_for,
    )
    from testkit.personas import build_province

    world = build_province()
    chain = build_chain(world, quota_kg=10**12, contract_kg=10**12)
    mine = chain.mines[0]
    exit_station = station_obj(next(iter(mine.stations)))
    gate = station_obj(chain.gate[0])
    plates = [plate(n) for n in range(args.trips)]
    for p in plates:
        VehicleFactory(plate=p, axles=6, tare_kg=15_000)
    waybills = waybills_for(mine, plates, hours=72)
    day = timezone.localdate() - datetime.timedelta(days=1)
    local = datetime.timezone(datetime.timedelta(hours=8))
    elapsed = {True: 0.0, False: 0.0}
    counts = {True: 0, False: 0}
    for index, (p, wb) in enumerate(zip(plates, waybills, strict=True)):
        on = (index // args.block) % 2 == 0
        if args.rules == "gate":
            sync_rules.GATE_ENABLED = on
        else:
            sync_rules.ENABLED = on
        # Trips within working hours and legal weights: the rules run but raise nothing.
        at = datetime.datetime.combine(
            day, datetime.time(8 + index % 12, index % 60, index % 50), tzinfo=local
        )
        seq = index + 1
        out = ticket(seq, p, waybill=wb.number, net=30_000, at=at)
        entry = ticket(
            seq,
            p,
            waybill=wb.number,
            net=30_050,
            direction="in",
            at=at + datetime.timedelta(minutes=40),
        )
        began = time.perf_counter()
        record_ticket(station=exit_station, item=out)
        record_ticket(station=gate, item=entry)
        elapsed[on] += time.perf_counter() - began
        counts[on] += 2
    rate = {mode: counts[mode] / elapsed[mode] for mode in (True, False)}
    print(
        json.dumps(
            {
                "database": os.environ["DATABASE_URL"].split(":", 1)[0],
                "rules": args.rules,
                "tickets_per_mode": counts[True],
                "rules_on_tickets_per_s": round(rate[True], 1),
                "rules_off_tickets_per_s": round(rate[False], 1),
                "ratio_on_over_off": round(rate[True] / rate[False], 3),
                "alerts_raised": Alert.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    main()
