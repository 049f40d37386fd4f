"""The outside load test, repeated: `oreledger serve` on PostgreSQL driven by client processes.

Run from the project root (a scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench .venv/bin/python \
      bench/bench_station_load.py [--per-station 400] [--rounds 2] [--waybills 800]

batches   16 mine stations, one per mine, each sending signed batches of 100 released exit
          tickets (each with its waybill, quota draw and contract delivery) through
          `oreledger serve` over real HTTP; 4 client processes, each driving 4 stations
          (one request in flight per process): tickets/s.
bare      the limit the batches are held against, in the same run: 4 processes, one
          transaction per ticket (insert a uniquely keyed row, conditionally draw a
          counter), plain psycopg. The rounds alternate bare / batches so that a change in
          the machine's load falls on both; the ratio is batches / bare.
waybills  4 client processes issuing waybills by POST /api/v1/waybills with an API token
          (a county operator's): requests/s, p50/p95 latency.

--sample DIR writes, per phase, the web server's request threads sampled every 5 ms (wall
time, so waiting on PostgreSQL counts) as collapsed stacks: `DIR/<phase>.folded`, and the
top functions to stdout (bench/sampling_gunicorn.py, loaded through GUNICORN_CMD_ARGS).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
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

STATIONS = 16
CLIENTS = 4
BATCH = 100


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
    parser.add_argument("--per-station", type=int, default=400, help="tickets per station/round")
    parser.add_argument("--rounds", type=int, default=2, help="bare/batches pairs")
    parser.add_argument("--waybills", type=int, default=800, help="waybills issued (0: skip)")
    parser.add_argument("--sample", type=Path, default=None, help="sample the server into DIR")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    fresh_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    plans, token, orders = setup(args)
    bare_jobs = bare_setup(url, args)
    from django.db import connections

    connections.close_all()  # the client processes fork from here

    server, port = start_serve(url, args.sample)
    try:
        ratios = []
        for r in range(args.rounds):
            bare = run_clients(bare_client, [(url, job, r, args.per_station) for job in bare_jobs])
            with sampling(args.sample, f"batches-{r + 1}"):
                batched = run_clients(
                    batch_client, [(port, plan, r, args.per_station) for plan in plans]
                )
            rate_bare, rate_batched = bare[0] / bare[1], batched[0] / batched[1]
            ratios.append(rate_batched / rate_bare)
            print(
                f"round {r + 1}: bare {bare[0]} tickets in {bare[1]:.1f}s: {rate_bare:,.0f}/s; "
                f"batches {batched[0]} tickets in {batched[1]:.1f}s: {rate_batched:,.0f}/s; "
                f"ratio {ratios[-1]:.2f}x   (load {os.getloadavg()[0]:.1f})"
            )
        if ratios:
            print(f"batches / bare: {', '.join(f'{x:.2f}' for x in ratios)}x")
        if args.waybills:
            with sampling(args.sample, "waybills"):
                started = time.perf_counter()
                results = run_pool(waybill_client, [(port, token, part) for part in orders])
                elapsed = time.perf_counter() - started
            latencies = sorted(t for part in results for t in part)
            p50 = statistics.median(latencies) * 1000
            p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
            print(
                f"waybills: {len(latencies)} issued by {CLIENTS} clients in {elapsed:.1f}s: "
                f"{len(latencies) / elapsed:,.0f} requests/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms"
                f"   (load {os.getloadavg()[0]:.1f})"
            )
    finally:
        stop_serve(server)
    if args.sample:
        for folded in sorted(args.sample.glob("*.folded")):
            summarise(folded)


def setup(args: argparse.Namespace) -> tuple[list[Any], str, list[Any]]:
    """16 mines with a station, trucks, waybills for every round, quota, contracts; a token."""
    from django.db import connection

    from oreledger.accounts.services import issue_api_token
    from oreledger.registry.models import Vehicle
    from oreledger.weighing.tests.support import build_chain, on_shift, plate, ticket, waybills_for
    from testkit.personas import build_province

    world = build_province()
    chain = build_chain(
        world, mines=STATIONS, stations_per_mine=1, quota_kg=10**10, contract_kg=10**10
    )
    per = args.per_station * args.rounds
    # Daytime traffic whenever the bench runs: at night every ticket would also raise an
    # off_hours alert, and the bench would measure that instead.
    at = on_shift()
    stations = []
    for m, mine in enumerate(chain.mines):
        ((code, secret),) = mine.stations.items()
        waybills = waybills_for(mine, [plate(m * per + i) for i in range(per)], hours=72)
        items = [ticket(i + 1, w.plate, waybill=w.number, at=at) for i, w in enumerate(waybills)]
        stations.append((code, secret, items))
    # Registered trucks (six axles, the tare the stations weigh): an unknown plate on every
    # ticket would measure the vehicle_unregistered alert instead.
    plates = [plate(n) for n in range(STATIONS * per + args.waybills)]
    Vehicle.objects.bulk_create([Vehicle(plate=p, axles=6, tare_kg=15_000) for p in plates])
    plans = [stations[c::CLIENTS] for c in range(CLIENTS)]
    # Waybills over the API: a county operator issues for every mine of the county, each
    # truck (plate) once, spread over the mines' contracts.
    operator = world.user("haicheng_operator")
    token = issue_api_token(actor=None, user=operator, name="bench")
    orders = [
        (chain.mines[n % STATIONS].contract.number, plate(STATIONS * per + n))
        for n in range(args.waybills)
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # a platform's tables have planner statistics
    print(
        f"setup: {STATIONS} mine stations, {per} tickets each over {args.rounds} rounds, "
        f"{args.waybills} waybills to issue; {CLIENTS} client processes; "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    return plans, token, [orders[c::CLIENTS] for c in range(CLIENTS)]


def bare_setup(url: str, args: argparse.Namespace) -> list[list[int]]:
    """A uniquely keyed table and one counter per station, as the platform's quota account."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "CREATE TABLE bench_bare_ticket (station int, seq int, plate text, net_kg int, "
            "at timestamptz DEFAULT now(), PRIMARY KEY (station, seq))"
        )
        db.execute(
            "CREATE TABLE bench_bare_counter (id int PRIMARY KEY, drawn_kg bigint, cap_kg bigint)"
        )
        db.execute(
            "INSERT INTO bench_bare_counter SELECT n, 0, 10000000000 FROM generate_series(1, %s) n",
            (STATIONS,),
        )
    return [list(range(c + 1, STATIONS + 1, CLIENTS)) for c in range(CLIENTS)]


def bare_client(url: str, stations: list[int], round_: int, per_station: int) -> int:
    """One transaction per ticket: insert a uniquely keyed row, conditionally draw a counter."""
    import psycopg

    done = 0
    with psycopg.connect(url, autocommit=True) as db:
        for i in range(per_station):
            seq = round_ * per_station + i + 1
            for station in stations:
                with db.transaction():
                    db.execute(
                        "INSERT INTO bench_bare_ticket (station, seq, plate, net_kg) "
                        "VALUES (%s, %s, %s, 30000)",
                        (station, seq, f"P{station}-{seq}"),
                    )
                    drawn = db.execute(
                        "UPDATE bench_bare_counter SET drawn_kg = drawn_kg + 30000 "
                        "WHERE id = %s AND drawn_kg <= cap_kg - 30000 RETURNING drawn_kg",
                        (station,),
                    ).fetchone()
                    assert drawn is not None
                done += 1
    return done


def batch_client(port: int, plan: list[Any], round_: int, per_station: int) -> int:
    """Send this client's stations' batches of the round, round-robin; tickets accepted."""
    from oreledger.weighing.tests.load import Station

    stations = [(Station(port, code, secret), items) for code, secret, items in plan]
    accepted = 0
    first = round_ * per_station
    for start in range(first, first + per_station, BATCH):
        for station, items in stations:
            answer = station.send(items[start : min(start + BATCH, first + per_station)])
            accepted += sum(r["status"] == "accepted" for r in answer["results"])
    return accepted


def waybill_client(port: int, token: str, orders: list[tuple[str, str]]) -> list[float]:
    """Issue one waybill per order over the API; each request's latency in seconds."""
    import http.client
    import json

    latencies = []
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    for contract, plate_ in orders:
        body = json.dumps({"contract": contract, "plate": plate_, "planned_net_kg": 30000})
        t0 = time.perf_counter()
        # A new connection each time: `serve` closes every connection after its answer.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/api/v1/waybills", body=body.encode(), headers=headers)
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        latencies.append(time.perf_counter() - t0)
        assert response.status == 201, (response.status, answer[:300])
    return latencies


def _call(target: Any, arguments: tuple[Any, ...], out: Any, go: Any) -> None:
    go.wait()
    out.put(target(*arguments))


def run_pool(target: Any, arguments: list[tuple[Any, ...]]) -> list[Any]:
    """Run target once per argument tuple, each in its own forked process, all at once."""
    context = multiprocessing.get_context("fork")
    out, go = context.Queue(), context.Event()
    processes = [context.Process(target=_call, args=(target, a, out, go)) for a in arguments]
    for process in processes:
        process.start()
    go.set()
    results = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    return results


def run_clients(target: Any, arguments: list[tuple[Any, ...]]) -> tuple[int, float]:
    """Tickets done by all clients and the seconds from the start signal to the last."""
    started = time.perf_counter()
    done = sum(run_pool(target, arguments))
    return done, time.perf_counter() - started


def start_serve(url: str, sample: Path | None) -> tuple[subprocess.Popen[bytes], int]:
    """`oreledger serve` as production runs it (web, job worker, scheduler), its own group."""
    import http.client

    from testkit.processes import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "OL_DEBUG": "false"}
    if sample:
        sample.mkdir(parents=True, exist_ok=True)
        env["OL_BENCH_SAMPLE_DIR"] = str(sample.resolve())
        env["GUNICORN_CMD_ARGS"] = f"--config {ROOT / 'bench' / 'sampling_gunicorn.py'}"
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "oreledger", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    stop_serve(process)
    raise RuntimeError("oreledger serve did not come up")


def stop_serve(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (its web workers write their samples as they exit), SIGKILL if it hangs."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def sampling(sample: Path | None, phase: str) -> Iterator[None]:
    """Tell the web workers' samplers which phase their samples belong to (a phase file)."""
    if sample is None:
        yield
        return
    (sample / "phase").write_text(phase)
    time.sleep(0.3)  # the samplers look every 0.1 s
    try:
        yield
    finally:
        (sample / "phase").write_text("")
        time.sleep(0.3)


def summarise(folded: Path, top: int = 25) -> None:
    """The functions with the largest share of request-thread samples (self and inclusive)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    print(f"\n{folded.stem}: {total} samples of request threads")
    print("  inclusive:")
    for frame, n in inclusive.most_common(top):
        print(f"    {100 * n / total:5.1f}%  {frame}")
    print("  self:")
    for frame, n in own.most_common(12):
        print(f"    {100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
