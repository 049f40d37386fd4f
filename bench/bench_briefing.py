"""The weekly briefing's three files with millions of tickets in PostgreSQL: goal < 10 s.

Run from the project root (the scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench_briefing .venv/bin/python \
      bench/bench_briefing.py [--tickets 5000000] [--days 900] [--runs 3] [--keep] [--profile N]

`--keep` measures a database an earlier run loaded (no drop, no load): a fresh process
against it is a cold start again, so the cold run can be repeated and profiled without
the 15 minutes of loading. `--profile N` runs the first (cold) make-briefing under
cProfile and prints its N most expensive calls by cumulative time.

1. the world of bench_dashboard.py (20 Haicheng mines × 2 exit stations, a plant gate,
   10 Dashiqiao checkpoints) and its tickets written with COPY, rollups rebuilt; a delivery
   per released exit and approved contracts over the window (bench_public.py), so the
   price index reads as many deliveries as there are exits;
2. `make-briefing` of last week for the province (briefing.pdf, .docx, .json), timed `--runs`
   times, with the time of each part: the figures (every section), the PDF, the Word file.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_dashboard import build_world, copy_tickets, fresh_database  # noqa: E402
from bench_public import seed_trade  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=900)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    if not args.keep:
        fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from oreledger.briefings.pdf import briefing_pdf
    from oreledger.briefings.queries import as_json, document
    from oreledger.briefings.sections import Week, sections
    from oreledger.briefings.services import build_figures, system_reader, top_region
    from oreledger.briefings.word import briefing_docx
    from oreledger.core.checkpoints import write_checkpoint
    from oreledger.core.localtime import local_midnight
    from oreledger.dashboards.rollups import rebuild
    from oreledger.dashboards.scope import Scope

    if not args.keep:
        call_command("migrate", verbosity=0, interactive=False)
        _world, specs, contracts = build_world()
        seconds = copy_tickets(args.tickets, args.days, specs)
        print(f"COPY {args.tickets:,} tickets over {args.days} days: {seconds:.1f} s", flush=True)
        began = time.perf_counter()
        rebuild()
        print(f"rebuild-rollups: {time.perf_counter() - began:.1f} s", flush=True)
        deliveries, approved = seed_trade(contracts, args.days)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{deliveries:,} deliveries, {approved} contracts", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM weighing_ticket")
        print(f"{cursor.fetchone()[0]:,} tickets in the database", flush=True)
    week = Week.of(timezone.localdate() - datetime.timedelta(days=7))
    # COPY leaves each station's head at zero; the recording path keeps it at its last
    # ticket, so the chain-head section looks every head up, as on a running platform.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE weighing_stationstate s SET chain_length = t.chain_index, last_hash = t.hash
              FROM (SELECT DISTINCT ON (station_id) station_id, chain_index, hash
                      FROM weighing_ticket ORDER BY station_id, chain_index DESC) t
             WHERE t.station_id = s.station_id
            """
        )
    # The checkpoint the daily job signs on the week's Sunday: the chain-head section reads
    # it and compares every head with the chains, as on a running platform.
    signed = write_checkpoint(now=local_midnight(week.sunday) + datetime.timedelta(hours=23))
    print(f"checkpoint {signed}", flush=True)
    scope = Scope(system_reader(), top_region(), None)
    out = Path(tempfile.mkdtemp(prefix="briefing-"))
    for run in range(args.runs):
        began = time.perf_counter()
        if run == 0 and args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        call_command("make_briefing", "--week", week.key, "--out", str(out), verbosity=0)
        total = time.perf_counter() - began
        if run == 0 and args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        parts = {}
        mark = time.perf_counter()
        figures = build_figures(scope, week)
        parts["figures"] = time.perf_counter() - mark
        for section in sections():
            mark = time.perf_counter()
            section.figures(scope, week)
            parts[f"  {section.key}"] = time.perf_counter() - mark
        shown = document(figures)
        mark = time.perf_counter()
        briefing_pdf(shown)
        parts["pdf"] = time.perf_counter() - mark
        mark = time.perf_counter()
        briefing_docx(shown)
        parts["docx"] = time.perf_counter() - mark
        mark = time.perf_counter()
        as_json(figures)
        parts["json"] = time.perf_counter() - mark
        print(f"run {run + 1}: make-briefing {week.key} (all three files) {total:.2f} s")
        for name, spent in parts.items():
            print(f"    {name:<14} {spent * 1000:8.0f} ms")
    sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    print("files:", ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in sizes.items()))


if __name__ == "__main__":
    main()
