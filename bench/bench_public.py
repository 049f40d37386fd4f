"""The public portal with 5 million tickets in PostgreSQL: p95 warm, and requests/s served.

Run from the project root (the scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench_public .venv/bin/python \
      bench/bench_public.py [--tickets 5000000] [--days 900] [--requests 30] [--seconds 20]

1. the world of bench_dashboard.py (20 Haicheng mines × 2 exit stations, a plant gate,
   10 Dashiqiao checkpoints) and its tickets written with COPY, rollups rebuilt;
2. a delivery for every released mine exit (trade_delivery, by one INSERT … SELECT) and
   300 approved contracts of 20 sellers over the window, so the price index reads millions
   of deliveries; 200 mining licences;
3. each published table computed once, cold (what the first visitor after the cache
   expires waits for);
4. p50/p95 of every portal page, download and API endpoint with the cache warm, through the
   Django test client (in-process, no network);
5. requests/s that one `oreledger serve` process (one gunicorn worker, its threads) answers
   for a mix of portal pages and API calls from 8 client threads, all from one address
   (every request also counts in that address's rate-limit row: the worst case for it).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ["OL_PUBLIC_RATE_LIMIT"] = "100000000"  # measure the answers, not the refusals
from bench_dashboard import build_world, copy_tickets, fresh_database, timed  # noqa: E402


def seed_trade(contracts: list[int], days: int) -> tuple[int, int]:
    """Approved contracts of 20 sellers across the window and a delivery per released exit."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO trade_delivery (contract_id, net_kg, at)
            SELECT contract_id, net_kg, gross_at FROM weighing_ticket
             WHERE kind = 'exit' AND release AND contract_id IS NOT NULL
            """
        )
        deliveries = cursor.rowcount
        # Spread the chain's contracts' approvals over the window so every week has prices.
        cursor.execute(
            "UPDATE trade_contract SET approved_at = now() - (random() * %s) * interval '1 day'"
            " WHERE id = ANY(%s)",
            [days, contracts],
        )
        cursor.execute("ANALYZE trade_delivery")
        cursor.execute("ANALYZE trade_contract")
    return deliveries, len(contracts)


def seed_licences(count: int) -> None:
    """Mining licences of the chain's mines, in every status."""
    from oreledger.accounts.tests.factories import department
    from oreledger.registry.models import Permit, PermitType, Site

    kind = PermitType.objects.get(code="mining_licence")
    mines = list(Site.objects.filter(kind="mine").select_related("enterprise", "region"))
    today = datetime.date.today()
    Permit.objects.bulk_create(
        Permit(
            number=f"C2100BENCH{n:06d}",
            type=kind,
            holder=mines[n % len(mines)].enterprise,
            site=mines[n % len(mines)],
            department=department("natural_resources", mines[n % len(mines)].region),
            region=mines[n % len(mines)].region,
            valid_from=today - datetime.timedelta(days=700),
            valid_to=today + datetime.timedelta(days=(n * 7) % 900),
            status=("valid", "valid", "valid", "suspended", "revoked")[n % 5],
        )
        for n in range(count)
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hammer(port: int, paths: list[str], seconds: float, threads: int) -> tuple[int, int]:
    """(answers, refusals) of `threads` clients looping over `paths` for `seconds`."""
    stop = time.monotonic() + seconds
    counts = [0, 0]
    lock = threading.Lock()

    def client(n: int) -> None:
        ok = bad = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while time.monotonic() < stop:
            connection.request("GET", paths[i % len(paths)], headers={"Connection": "close"})
            response = connection.getresponse()
            response.read()
            ok += response.status == 200
            bad += response.status != 200
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            i += 1
        with lock:
            counts[0] += ok
            counts[1] += bad

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counts[0], counts[1]


def serve_rate(paths: list[str], seconds: float, threads: int) -> None:
    """Start one `oreledger serve` web process and measure the requests/s it answers."""
    port = free_port()
    env = {**os.environ, "OL_MODE": "embedded"}
    server = subprocess.Popen(  # noqa: S603 (our own command)
        [str(ROOT / ".venv" / "bin" / "oreledger"), "serve", "--port", str(port),
         "--web-workers", "1", "--workers", "0", "--no-scheduler"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/public/")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        hammer(port, paths, 5, threads)  # warm every thread's cache of the answers
        began = time.perf_counter()
        ok, bad = hammer(port, paths, seconds, threads)
        elapsed = time.perf_counter() - began
        print(
            f"one serve process (1 web worker): {ok / elapsed:.0f} requests/s "
            f"over {elapsed:.0f} s, {threads} client threads, {bad} not 200",
            flush=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=900)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    fresh_database(url)
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from oreledger.dashboards.rollups import rebuild
    from oreledger.public.queries import TABLES
    from oreledger.trade.queries import price_index

    call_command("migrate", verbosity=0, interactive=False)
    _world, specs, contracts = build_world()
    seconds = copy_tickets(args.tickets, args.days, specs)
    print(f"COPY {args.tickets:,} tickets over {args.days} days: {seconds:.1f} s", flush=True)
    began = time.perf_counter()
    rebuild()
    print(f"rebuild-rollups: {time.perf_counter() - began:.1f} s", flush=True)
    deliveries, approved = seed_trade(contracts, args.days)
    seed_licences(200)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{deliveries:,} deliveries, {approved} contracts, 200 licences", flush=True)
    for weeks in (12, 52):
        began = time.perf_counter()
        price_index(weeks=weeks, public=True)
        print(f"trade price index, {weeks} weeks (SQL per local week): "
              f"{(time.perf_counter() - began) * 1000:.0f} ms")  # fmt: skip
    print("\ncold (first visitor after the cache expires), rows computed once:")
    for key, table in TABLES.items():
        began = time.perf_counter()
        rows = table.rows()
        print(f"  {key:10} {len(rows):6} rows {(time.perf_counter() - began) * 1000:8.1f} ms")
    caches["public"].clear()
    paths = ["/public/"]
    for key in TABLES:
        paths += [f"/public/{key}/", f"/api/v1/public/{key}",
                  f"/public/{key}/download/csv/", f"/public/{key}/download/xlsx/"]  # fmt: skip
    paths.append("/api/v1/public/")
    client = Client(SERVER_NAME="localhost")
    print(f"\n{'endpoint (cache warm)':40} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for path in paths:
        p50, p95, status = timed(client, path, args.requests)
        worst = max(worst, p95)
        note = "" if status == 200 else f" ({status})"
        print(f"{path:40} {p50:8.1f} {p95:8.1f}{note}", flush=True)
    print(f"\nworst p95: {worst:.1f} ms (goal < 150 ms)\n", flush=True)
    mix = ["/public/", *(f"/public/{k}/" for k in TABLES), *(f"/api/v1/public/{k}" for k in TABLES)]
    serve_rate(mix, args.seconds, args.threads)


if __name__ == "__main__":
    main()
