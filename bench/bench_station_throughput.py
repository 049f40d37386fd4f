"""Station protocol throughput and latency on PostgreSQL with gunicorn, and the bare limit.

Run from the project root (a scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench .venv/bin/python \
      bench/bench_station_throughput.py [--tickets 8000] [--single 3200]

(a) accepted tickets/s, batches of 100 from 8 stations of 8 mines at once;
(b) p50/p95 latency of single-ticket requests from 32 concurrent stations, each sending its
    next ticket as soon as the last is answered (a closed loop: the saturated latency);
(b') the same 32 stations with trucks arriving on a schedule (--rate trucks/s in all), the
    latency of the barrier decision at that load;
(c) the bare limit: the same rows (ticket, ledger entry, the four conditional UPDATEs, the
    same constraints) written directly through psycopg, one transaction per 100 tickets as
    the platform commits a station's batch.
With --held 0.1 a tenth of the trucks come without a waybill: held, each a no_waybill
alert written in the ticket's transaction (the alert path; (c) stays the clean limit).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
os.environ.setdefault("OL_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ["OL_DEBUG"] = "false"  # query logging would distort the figures
# Every station and client here speaks from one address, faster than a real county: the rate
# limits are still counted on every request (their cost is in the figures) but never refuse.
for _limit in ("OL_RATE_STATION_LIMIT", "OL_RATE_STATION_ADDRESS_LIMIT", "OL_RATE_TOKEN_LIMIT"):
    os.environ.setdefault(_limit, "1000000000")


def fresh_database(url: str) -> None:
    """Drop and create the scratch database named in the URL."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=8000)
    parser.add_argument("--single", type=int, default=3200)
    from oreledger.core.supervisor import WEB_THREADS, WEB_WORKERS  # as `oreledger serve`

    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    parser.add_argument("--threads", type=int, default=WEB_THREADS)
    parser.add_argument("--paced", type=int, default=1600, help="(b') tickets at --rate")
    parser.add_argument("--rate", type=float, default=64.0, help="(b') trucks/s, all stations")
    parser.add_argument(
        "--held",
        type=float,
        default=0.0,
        help="share of trucks that come without a waybill (held: a no_waybill alert each)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    fresh_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from oreledger.weighing.tests.load import Station, kill, start_gunicorn
    from oreledger.weighing.tests.support import (
        build_chain,
        on_shift,
        plate,
        ticket,
        waybills_for,
    )
    from testkit.personas import build_province

    world = build_province()
    mines = 8
    per_station_a = args.tickets // mines
    per_station_b = args.single // 32 + args.paced // 32
    chain = build_chain(
        world, mines=mines, stations_per_mine=5, quota_kg=10**10, contract_kg=10**10
    )
    plan_a, plan_b = {}, {}
    n = 0
    # Daytime traffic whenever the bench runs: at night (22:00-06:00 in Shanghai) every
    # ticket would also raise an off_hours alert, and the bench would measure that instead.
    at = on_shift()
    for mine in chain.mines:
        codes = list(mine.stations.items())
        for index, (code, secret) in enumerate(codes):
            count = per_station_a if index == 0 else per_station_b
            plates = [plate(n + i) for i in range(count)]
            n += count
            items = [
                ticket(i + 1, w.plate, waybill=w.number, at=at)
                if not held(i, args.held)
                # A truck with no waybill of its own (its plate has none): held.
                else ticket(i + 1, plate(HELD_PLATES + n + i), at=at)
                for i, w in enumerate(waybills_for(mine, plates, hours=72))
            ]
            (plan_a if index == 0 else plan_b)[code] = (secret, items)
    # Real traffic is registered trucks (six axles, the tare the stations weigh): an unknown
    # plate on every ticket would measure the vehicle_unregistered alert instead.
    from oreledger.registry.models import Vehicle

    plates = {
        item["plate"] for plan in (plan_a, plan_b) for _s, items in plan.values() for item in items
    }
    Vehicle.objects.bulk_create(
        [Vehicle(plate=p, axles=6, tare_kg=15_000) for p in sorted(plates)], batch_size=2000
    )
    # A platform's tables have planner statistics; freshly filled ones have none yet.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"setup: {mines} mines, {len(plan_a)} batch stations, {len(plan_b)} single stations, "
        f"{len(plates)} registered trucks"
    )

    server, port = start_gunicorn(workers=args.web_workers, threads=args.threads)
    try:
        # (a) batches of 100
        def run_batches(code: str) -> int:
            secret, items = plan_a[code]
            station, accepted = Station(port, code, secret), 0
            for start in range(0, len(items), 100):
                answer = station.send(items[start : start + 100])
                accepted += sum(r["status"] == "accepted" for r in answer["results"])
            return accepted

        started = time.perf_counter()
        with ThreadPoolExecutor(len(plan_a)) as pool:
            accepted = sum(pool.map(run_batches, plan_a))
        elapsed = time.perf_counter() - started
        rate_a = accepted / elapsed
        print(f"(a) {accepted} tickets accepted in {elapsed:.1f}s: {rate_a:,.0f} tickets/s")

        # (b) single-ticket requests from 32 stations
        latencies: list[float] = []
        lock = threading.Lock()

        def run_single(code: str) -> None:
            secret, items = plan_b[code]
            station = Station(port, code, secret)
            for item in items[: args.single // 32]:
                t0 = time.perf_counter()
                answer = station.send([item])
                took = time.perf_counter() - t0
                assert answer["results"][0]["status"] == "accepted", answer
                with lock:
                    latencies.append(took)

        if args.single:
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            with ThreadPoolExecutor(len(plan_b)) as pool:
                list(pool.map(run_single, plan_b))
            elapsed_b = time.perf_counter() - started
            cpu_after = cpu_seconds(server.pid)
            p50, p95 = percentiles(latencies)
            print(
                f"(b) {len(latencies)} single-ticket requests from {len(plan_b)} stations in "
                f"{elapsed_b:.1f}s: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                f"({len(latencies) / elapsed_b:,.0f} tickets/s)"
            )
            print(f"    spread: {spread(latencies)}")
            per = {k: (cpu_after[k] - cpu_before[k]) / len(latencies) * 1000 for k in cpu_after}
            print(
                "    CPU per request: "
                + ", ".join(f"{k} {v:.1f} ms" for k, v in per.items())
                + f" (2 cores = {2 * elapsed_b / len(latencies) * 1000:.1f} ms of CPU per request)"
            )
        if args.paced:
            paced(port, plan_b, skip=args.single // 32, rate=args.rate)
    finally:
        kill(server)

    rate_c = bare_limit(url, chain, accepted_target=args.tickets)
    print(f"(c) bare psycopg limit: {rate_c:,.0f} tickets/s; (a)/(c) = {rate_a / rate_c:.2f}")


HELD_PLATES = 50_000


def held(index: int, share: float) -> bool:
    """Whether the index-th truck of a station comes without a waybill (evenly spread)."""
    return share > 0 and int((index + 1) * share) > int(index * share)


def paced(port: int, plan: dict[str, Any], *, skip: int, rate: float) -> None:
    """(b') Trucks arrive on a schedule, not as fast as answers come back (an open loop).

    Each station weighs one truck at a time; a truck's latency runs from its scheduled
    arrival, so a late answer also delays (and is charged to) the trucks queued behind it.
    """
    from oreledger.weighing.tests.load import Station

    latencies: list[float] = []
    lock = threading.Lock()
    interval = len(plan) / rate
    start = time.perf_counter() + 0.5

    def run(index_code: tuple[int, str]) -> None:
        index, code = index_code
        secret, items = plan[code]
        station = Station(port, code, secret)
        offset = start + interval * index / len(plan)
        for n, item in enumerate(items[skip:]):
            due = offset + n * interval
            time.sleep(max(0.0, due - time.perf_counter()))
            answer = station.send([item])
            took = time.perf_counter() - due
            assert answer["results"][0]["status"] == "accepted", answer
            with lock:
                latencies.append(took)

    with ThreadPoolExecutor(len(plan)) as pool:
        list(pool.map(run, enumerate(plan)))
    elapsed = time.perf_counter() - start
    p50, p95 = percentiles(latencies)
    print(
        f"(b') {len(latencies)} trucks at {rate:.0f}/s over {len(plan)} stations "
        f"({len(latencies) / elapsed:,.0f} answered/s): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    print(f"    spread: {spread(latencies)}")


def percentiles(latencies: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def spread(latencies: list[float]) -> str:
    """p10, p90, p99 and the slowest, in milliseconds: the shape behind p50 and p95."""
    ordered = sorted(latencies)
    at = {q: ordered[max(0, int(len(ordered) * q) - 1)] * 1000 for q in (0.10, 0.90, 0.99)}
    return (
        f"p10 {at[0.10]:.1f}, p90 {at[0.90]:.1f}, p99 {at[0.99]:.1f}, "
        f"max {ordered[-1] * 1000:.1f} ms"
    )


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the web server's processes, PostgreSQL's, and this client's."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"web server": 0.0, "PostgreSQL": 0.0, "client": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        pid, group = int(entry.name), int(fields[2])
        if pid == os.getpid():
            totals["client"] += used
        elif group == server_pid:
            totals["web server"] += used
        elif name.startswith("postgres"):
            totals["PostgreSQL"] += used
    return totals


def bare_limit(url: str, chain: object, *, accepted_target: int) -> float:
    """The same rows and locks, straight through psycopg by 8 threads (batches of 100)."""
    import psycopg

    from oreledger.quotas.models import QuotaAccount
    from oreledger.registry.models import Site, Station
    from oreledger.weighing.models import Waybill
    from oreledger.weighing.tests.support import plate, waybills_for

    mines = chain.mines  # type: ignore[attr-defined]
    per = accepted_target // len(mines)
    jobs = []
    base = 90_000
    for m, mine in enumerate(mines):
        station = Station.objects.get(code=list(mine.stations)[1])
        account = QuotaAccount.objects.get(holder_site=mine.site)
        waybills = waybills_for(mine, [plate(base + m * per + i) for i in range(per)], hours=72)
        jobs.append(
            (
                station.pk,
                mine.site.pk,
                station.region_id,
                account.pk,
                mine.contract.pk,
                [(w.pk, w.plate, w.number) for w in waybills],
            )
        )
    Site.objects.count(), Waybill.objects.count()
    now = datetime.datetime.now(datetime.UTC)

    def run(job: tuple) -> int:
        station_id, site_id, region_id, account_id, contract_id, waybills = job
        done = 0
        with psycopg.connect(url, autocommit=True) as db:
            seq = db.execute(
                "SELECT coalesce(max(seq), 0) FROM weighing_ticket WHERE station_id = %s",
                (station_id,),
            ).fetchone()[0]
            # One transaction per 100 tickets, as the platform commits a station's batch.
            for start in range(0, len(waybills), 100):
                with db.transaction():
                    for waybill_id, plate_, number in waybills[start : start + 100]:
                        seq += 1
                        state = db.execute(
                            "SELECT chain_length, last_hash FROM weighing_stationstate "
                            "WHERE station_id = %s FOR UPDATE",
                            (station_id,),
                        ).fetchone()
                        db.execute(
                            "SELECT id FROM weighing_waybill WHERE id = %s FOR UPDATE",
                            (waybill_id,),
                        )
                        row = db.execute(
                            "UPDATE quotas_quotaaccount SET consumed_kg = consumed_kg + 30000, "
                            "entry_count = entry_count + 1 WHERE id = %s AND consumed_kg <= "
                            "allocated_kg + tolerance_kg - 30000 RETURNING entry_count, last_hash",
                            (account_id,),
                        ).fetchone()
                        entry_hash = hashlib.sha256(f"{row[1]}{seq}".encode()).hexdigest()
                        entry_id = db.execute(
                            "INSERT INTO quotas_ledgerentry (account_id, seq, kind, amount_kg, at, "
                            "created_at, actor_name, reason, ref, prev_hash, hash) VALUES "
                            "(%s, %s, 'consume', 30000, %s, %s, 'station', '', %s, %s, %s) "
                            "RETURNING id",
                            (
                                account_id,
                                row[0],
                                now,
                                now,
                                f"bare:{uuid.uuid4()}",
                                row[1],
                                entry_hash,
                            ),
                        ).fetchone()[0]
                        db.execute(
                            "UPDATE quotas_quotaaccount SET last_hash = %s WHERE id = %s",
                            (entry_hash, account_id),
                        )
                        db.execute(
                            "UPDATE trade_contract SET delivered_kg = delivered_kg + 30000 "
                            "WHERE id = %s AND status = 'approved' "
                            "AND delivered_kg <= max_delivery_kg - 30000",
                            (contract_id,),
                        )
                        ticket_id = uuid.uuid4()
                        content = json.dumps({"seq": seq, "plate": plate_, "waybill": number})
                        ticket_hash = hashlib.sha256((state[1] + content).encode()).hexdigest()
                        db.execute(
                            "INSERT INTO weighing_ticket (id, station_id, seq, chain_index, "
                            "site_id, region_id, kind, ticket_no, plate, direction, "
                            "waybill_number, cargo, declared_grade, gross_kg, tare_kg, net_kg, "
                            "gross_at, tare_at, operator, photos, received_at, release, reasons, "
                            "waybill_id, quota_entry_id, drawn_kg, held_kg, prev_hash, hash) "
                            "VALUES (%s, %s, %s, %s, %s, %s, 'exit', %s, %s, 'out', %s, "
                            "'magnesite_ore', 'LM-46', 45000, 15000, 30000, "
                            "%s, %s, '', '[]', %s, true, '[]', %s, %s, 30000, 0, %s, %s)",
                            (
                                ticket_id,
                                station_id,
                                seq,
                                state[0] + 1,
                                site_id,
                                region_id,
                                f"T-{seq}",
                                plate_,
                                number,
                                now,
                                now,
                                now,
                                waybill_id,
                                entry_id,
                                state[1],
                                ticket_hash,
                            ),
                        )
                        db.execute(
                            "UPDATE weighing_waybill SET status = 'departed', exit_ticket_id = %s, "
                            "departed_at = %s, exit_net_kg = 30000 WHERE id = %s",
                            (ticket_id, now, waybill_id),
                        )
                        db.execute(
                            "UPDATE weighing_stationstate SET last_seq = greatest(last_seq, %s), "
                            "chain_length = chain_length + 1, last_hash = %s, last_seen_at = %s "
                            "WHERE station_id = %s",
                            (seq, ticket_hash, now, station_id),
                        )
                        done += 1
        return done

    from oreledger.weighing.models import StationState

    for job in jobs:
        StationState.objects.get_or_create(station_id=job[0])
    from django.db import connection

    connection.close()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(jobs)) as pool:
        total = sum(pool.map(run, jobs))
    return total / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
