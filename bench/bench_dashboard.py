"""Dashboard latency with 5 million tickets in PostgreSQL.

Run from the project root (the scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench_dash .venv/bin/python \
      bench/bench_dashboard.py [--tickets 5000000] [--days 900] [--requests 30]

1. the test province (personas) with 20 Haicheng mines × 2 exit stations, a plant gate,
   and 10 Dashiqiao checkpoints — registry, quotas and contracts through the services;
2. the tickets written with COPY straight into weighing_ticket, respecting its constraints
   (unique (station, seq) and (station, chain_index), net = gross − tare, a held truck
   draws nothing), spread over `--days` local days up to now;
3. `rebuild-rollups` over every day, then `--check` of the last 7 days (timed);
4. p50/p95 of every dashboard endpoint (API figures and pages) for the province officer
   and the Haicheng operator, through the Django test client (in-process, no network),
   and the big screen's render time.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
os.environ.setdefault("OL_REQUIRE_SECOND_FACTOR", "false")  # clients here use force_login
os.environ.setdefault("OL_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ["OL_DEBUG"] = "false"  # query logging would distort the figures

GRADES = ["LMT-47", "LM-46", "LM-45", "LM-44", "LM-41"]
CARGO = ["magnesite_ore"] * 8 + ["low_grade_ore", "caustic_magnesia"]


def fresh_database(url: str) -> None:
    """Drop and create the scratch database named in the URL."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build_world() -> tuple[Any, list[dict[str, Any]], list[int]]:
    """Personas, mines, stations; returns (world, station specs, contract ids)."""
    from decimal import Decimal

    from django.utils import timezone

    from oreledger.registry.services import create_station
    from oreledger.weighing.models import StationState
    from oreledger.weighing.tests.support import build_chain
    from testkit.personas import build_province

    world = build_province()
    chain = build_chain(world, mines=20, stations_per_mine=2, quota_kg=2_000_000_000)
    from oreledger.registry.models import Station

    specs: list[dict[str, Any]] = []
    for mine in chain.mines:
        for code in mine.stations:
            st = Station.objects.get(code=code)
            specs.append(
                {
                    "id": st.pk,
                    "site": mine.site.pk,
                    "region": st.region_id,
                    "kind": "exit",
                    "direction": "out",
                    "contract": mine.contract.pk,
                    "seller": mine.contract.seller_id,
                    "buyer": mine.contract.buyer_id,
                }
            )
    gate = Station.objects.get(code=chain.gate[0])
    specs.append(
        {
            "id": gate.pk,
            "site": chain.plant.pk,
            "region": gate.region_id,
            "kind": "entry",
            "direction": "in",
            "contract": chain.mines[0].contract.pk,
            "seller": chain.mines[0].contract.seller_id,
            "buyer": chain.mines[0].contract.buyer_id,
        }
    )
    for n in range(10):
        st, _secret = create_station(
            actor=None,
            code=f"DSQ-CP-{n:02d}",
            name=f"大石桥检查站{n}",
            region=world.dashiqiao,
            lat=Decimal("40.64"),
            lon=Decimal("122.51"),
        )
        specs.append(
            {
                "id": st.pk,
                "site": None,
                "region": st.region_id,
                "kind": "checkpoint",
                "direction": "out",
                "contract": None,
                "seller": None,
                "buyer": None,
            }
        )
    now = timezone.now()
    for i, spec in enumerate(specs):
        StationState.objects.update_or_create(
            station_id=spec["id"],
            defaults={"last_heartbeat_at": now if i % 7 else now - datetime.timedelta(hours=2)},
        )
    return world, specs, sorted({int(s["contract"]) for s in specs if s["contract"]})


def _null(value: object) -> str:
    return "\\N" if value is None else str(value)


def copy_tickets(total: int, days: int, specs: list[dict]) -> float:
    """COPY `total` tickets over `days` local days into weighing_ticket; returns seconds."""
    from django.db import connection

    rnd = random.Random(7)
    now = datetime.datetime.now(datetime.UTC)
    start = now - datetime.timedelta(days=days)
    span = (now - start).total_seconds()
    per_station = total // len(specs)
    columns = [
        "id",
        "station_id",
        "seq",
        "chain_index",
        "site_id",
        "region_id",
        "kind",
        "ticket_no",
        "plate",
        "direction",
        "waybill_number",
        "cargo",
        "declared_grade",
        "gross_kg",
        "tare_kg",
        "net_kg",
        "gross_at",
        "tare_at",
        "operator",
        "photos",
        "received_at",
        "release",
        "reasons",
        "contract_id",
        "seller_id",
        "buyer_id",
        "drawn_kg",
        "held_kg",
        "prev_hash",
        "hash",
    ]
    sql = f"COPY weighing_ticket ({', '.join(columns)}) FROM STDIN"
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        with cursor.connection.cursor().copy(sql) as copy:
            for spec in specs:
                buffer = io.StringIO()
                step = span / per_station
                for seq in range(1, per_station + 1):
                    at = start + datetime.timedelta(seconds=step * seq + rnd.random() * step * 0.5)
                    tare = rnd.randint(14000, 17000)
                    net = rnd.randint(25000, 36000)
                    release = rnd.random() > 0.03
                    exit_ = spec["kind"] == "exit"
                    gross_at = at.isoformat()
                    buffer.write(
                        "\t".join(
                            (
                                str(uuid.uuid4()),
                                str(spec["id"]),
                                str(seq),
                                str(seq),
                                _null(spec["site"]),
                                str(spec["region"]),
                                spec["kind"],
                                f"T-{seq}",
                                f"辽C{rnd.randint(0, 99999):05d}",
                                spec["direction"],
                                f"WB{seq:010d}" if spec["contract"] else "",
                                rnd.choice(CARGO),
                                rnd.choice(GRADES),
                                str(tare + net),
                                str(tare),
                                str(net),
                                gross_at,
                                (at - datetime.timedelta(minutes=3)).isoformat(),
                                "王力",
                                "[]",
                                (at + datetime.timedelta(seconds=2)).isoformat(),
                                "t" if release else "f",
                                "[]",
                                _null(spec["contract"]),
                                _null(spec["seller"]),
                                _null(spec["buyer"]),
                                str(net if exit_ and release else 0),
                                str(net if exit_ and not release else 0),
                                "",
                                "0" * 64,
                            )
                        )
                        + "\n"
                    )
                    if seq % 20000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
        cursor.execute("ANALYZE weighing_ticket")
    return time.perf_counter() - began


def timed(client: object, path: str, n: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, status) of `n` GETs after two warm-ups."""
    for _ in range(2):
        response = client.get(path)  # type: ignore[attr-defined]
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=900)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from oreledger.dashboards.catalogue import FIGURES
    from oreledger.dashboards.models import DailyRollup
    from oreledger.dashboards.rollups import check_days, rebuild

    call_command("migrate", verbosity=0, interactive=False)
    world, specs, _contracts = build_world()
    seconds = copy_tickets(args.tickets, args.days, specs)
    print(f"COPY {args.tickets:,} tickets over {args.days} days: {seconds:.1f} s", flush=True)
    began = time.perf_counter()
    days = rebuild()
    print(
        f"rebuild-rollups: {len(days)} days, {DailyRollup.objects.count():,} rows, "
        f"{time.perf_counter() - began:.1f} s",
        flush=True,
    )
    began = time.perf_counter()
    differences = check_days(7)
    print(
        f"rebuild-rollups --check --days 7: {len(differences)} differences, "
        f"{time.perf_counter() - began:.1f} s",
        flush=True,
    )
    began = time.perf_counter()
    rebuild(2)
    print(f"job-sized recompute of 2 days: {(time.perf_counter() - began) * 1000:.0f} ms")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    paths = [f"/api/v1/dashboard/{name}/" for name in FIGURES] + [
        "/dashboards/",
        "/dashboards/feed/",
        "/dashboards/map/",
        "/dashboards/screen/",
        "/dashboards/screen/tiles/",
    ]
    print(f"\n{'endpoint':34} {'province p50/p95 ms':>22} {'Haicheng p50/p95 ms':>22}")
    worst = 0.0
    clients = {}
    for persona in ("province_officer", "haicheng_operator"):
        client = Client(SERVER_NAME="localhost")
        client.force_login(world.user(persona))
        clients[persona] = client
    for path in paths:
        cells = []
        for client in clients.values():
            p50, p95, status = timed(client, path, args.requests)
            worst = max(worst, p95)
            cells.append(f"{p50:8.1f} / {p95:7.1f}" + ("" if status == 200 else f" ({status})"))
        print(f"{path:34} {cells[0]:>22} {cells[1]:>22}", flush=True)
    print(f"\nworst p95: {worst:.1f} ms (goal < 300 ms)")
    p50, p95, _status = timed(clients["province_officer"], "/dashboards/screen/", args.requests)
    print(f"big screen server render (province): p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
