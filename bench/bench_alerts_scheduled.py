# ruff: noqa: E501 — the SQL reads best unwrapped
"""Runtime of every scheduled alert rule over one million tickets on PostgreSQL.

Run from the project root (the scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench_alerts .venv/bin/python \
      bench/bench_alerts_scheduled.py [--tickets 1000000]

Builds the test chain (four mines, a plant, a checkpoint; stations a few km apart), writes
the tickets straight into the table with one INSERT … SELECT generate_series (30 days of
traffic, contiguous seqs per station, 2,000 plates), a thousand waybills in transit, then
times each scheduled rule (and the scan of stored findings) once, as its job would run.
Goal: all scheduled rules together under 60 s.
"""

from __future__ import annotations

import argparse
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ol_bench_alerts")

INSERT = """
INSERT INTO weighing_ticket (id, station_id, seq, chain_index, site_id, region_id, kind,
  ticket_no, plate, direction, waybill_number, cargo, declared_grade, gross_kg, tare_kg, net_kg,
  gross_at, tare_at, operator, photos, received_at, release, reasons, drawn_kg, held_kg,
  prev_hash, hash)
SELECT gen_random_uuid(), st.id, g / %(n)s + 1, g / %(n)s + 1, st.site_id, st.region_id, st.kind,
  'T' || g, '辽C' || lpad((g %% 2000)::text, 5, '0'), st.direction, '', 'magnesite_ore', 'LM-46',
  45000 + (g %% 3000), 15000, 30000 + (g %% 3000),
  now() - interval '30 days' + g * (interval '30 days' / %(total)s),
  now() - interval '30 days' + g * (interval '30 days' / %(total)s) - interval '2 minutes',
  '', '[]'::jsonb, now() - interval '30 days' + g * (interval '30 days' / %(total)s) + interval '1 minute',
  true, CASE WHEN g %% 5000 = 0 THEN '[{"code": "no_waybill", "message": "x", "blocking": true}]'::jsonb
        ELSE '[]'::jsonb END,
  CASE WHEN st.kind = 'exit' THEN 30000 + (g %% 3000) ELSE 0 END, 0, '', md5(g::text)
FROM generate_series(0, %(total)s - 1) AS g
JOIN (SELECT id, site_id, region_id, kind, direction, row_number() OVER (ORDER BY id) - 1 AS k
      FROM bench_stations) st ON st.k = g %% %(n)s
"""


def main() -> None:
    """Set up, time each rule, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_alerts_sync import fresh_database

    fresh_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from oreledger.alerts import scans, scheduled
    from oreledger.alerts.models import Alert
    from oreledger.registry.models import Station
    from oreledger.weighing.models import Waybill
    from oreledger.weighing.tests.support import build_chain, plate, waybills_for
    from testkit.personas import build_province

    world = build_province()
    chain = build_chain(world, mines=4)
    for index, station in enumerate(Station.objects.order_by("code")):
        Station.objects.filter(pk=station.pk).update(lat=Decimal("40.8") + Decimal(index) / 20)
    kinds = {
        s.code: ("exit", "out")
        for m in chain.mines
        for s in [Station.objects.get(code=next(iter(m.stations)))]
    }
    kinds[chain.gate[0]] = ("entry", "in")
    kinds[chain.checkpoint[0]] = ("checkpoint", "out")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_stations (id bigint, site_id bigint, region_id bigint, kind text, direction text)"
        )
        for station in Station.objects.filter(code__in=kinds):
            kind, direction = kinds[station.code]
            cursor.execute(
                "INSERT INTO bench_stations VALUES (%s, %s, %s, %s, %s)",
                [station.pk, station.site_id, station.region_id, kind, direction],
            )
        began = time.perf_counter()
        cursor.execute(INSERT, {"n": len(kinds), "total": args.tickets})
        cursor.execute("ANALYZE weighing_ticket")
        loaded = time.perf_counter() - began
    in_transit = waybills_for(chain.mines[0], [plate(50_000 + n) for n in range(1000)], hours=72)
    Waybill.objects.filter(pk__in=[w.pk for w in in_transit]).update(
        status="departed", departed_at=timezone.now() - timezone.timedelta(hours=6)
    )
    timings = {}
    total = 0.0
    for name, rule in scheduled.SCHEDULED_RULES.items():
        began = time.perf_counter()
        raised = rule()
        timings[name] = {"seconds": round(time.perf_counter() - began, 3), "raised": raised}
        total += time.perf_counter() - began
    began = time.perf_counter()
    found = scans.scan_ticket_findings()
    scan_seconds = time.perf_counter() - began
    print(
        json.dumps(
            {
                "tickets": args.tickets,
                "load_seconds": round(loaded, 1),
                "scheduled_rules_total_seconds": round(total, 2),
                "rules": timings,
                "scan_ticket_findings_first_run": {
                    "seconds": round(scan_seconds, 2),
                    "raised": found,
                },
                "alerts": Alert.objects.count(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
