"""How fast the province-bundle import runs on a benchmark-scale bundle, on SQLite and PostgreSQL.

Run from the project root: `.venv/bin/python bench/bench_bundle_import.py [sqlite] [postgres]`
(both when none is named). Generates the benchmark bundle (seed 1: about 10,000 enterprises,
20,000 sites, 30,000 permits, 50,000 vehicles), imports it into a fresh database in a child
process per backend, and prints rows/s with the split into read, validate and apply; then
imports it a second time (nothing changes) to time the idempotent re-import.
PostgreSQL: postgres://postgres@127.0.0.1:5432/ol_bench, created and dropped here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/ol_bench"
PG_NAME = "ol_bench"
# The sheets the issue measures; other sheets' importers are timed by their own benches.
SHEETS = ("regions", "enterprises", "users", "sites", "stations", "vehicles", "permits")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
    import django

    django.setup()


def child(bundle: str) -> None:
    """Migrate the database named by DATABASE_URL, import the bundle twice, print JSON."""
    _setup()
    from django.core.management import call_command

    from oreledger.core.bundle import import_bundle

    call_command("migrate", verbosity=0, interactive=False)
    results = []
    for _attempt in range(2):
        started = time.perf_counter()
        report = import_bundle(bundle, actor=None)
        elapsed = time.perf_counter() - started
        if not report.ok:
            print("\n".join(str(e) for e in report.errors[:20]), file=sys.stderr)
            raise SystemExit(1)
        results.append(
            {
                "rows": report.rows,
                "seconds": elapsed,
                "timings": report.timings,
                "created": sum(o.created for o in report.outcomes.values()),
                "unchanged": sum(o.unchanged for o in report.outcomes.values()),
            }
        )
    print(json.dumps(results))


def _pg(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)


def run(backend: str, bundle: Path, tmp: Path) -> None:
    """Import into a fresh database of one backend and print the figures."""
    env = dict(os.environ, OL_VAR_DIR=str(tmp / backend))
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        _pg(f"DROP DATABASE IF EXISTS {PG_NAME}")
        _pg(f"CREATE DATABASE {PG_NAME}")
        env["DATABASE_URL"] = PG_URL
    try:
        done = subprocess.run(  # noqa: S603 (this very script, in a child process)
            [sys.executable, __file__, "--child", str(bundle)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"{backend} import failed:\n{done.stderr[-3000:]}")
        out = done.stdout
    finally:
        if backend == "postgres":
            _pg(f"DROP DATABASE IF EXISTS {PG_NAME}")
    first, again = json.loads(out.strip().splitlines()[-1])
    for label, result in (("first import", first), ("re-import", again)):
        t = result["timings"]
        print(
            f"{backend:8s} {label:12s} {result['rows']:7d} rows in {result['seconds']:6.1f} s "
            f"= {result['rows'] / result['seconds']:7.0f} rows/s  "
            f"(read {t.get('read', 0):.1f} s, validate {t.get('validate', 0):.1f} s, "
            f"apply {t.get('apply', 0):.1f} s; created {result['created']}, "
            f"unchanged {result['unchanged']})"
        )


def main(argv: list[str]) -> None:
    """Generate the bundle once, then time each backend asked for."""
    if argv[:1] == ["--child"]:
        child(argv[1])
        return
    backends = argv or ["sqlite", "postgres"]
    with tempfile.TemporaryDirectory(prefix="ol-bench-") as name:
        tmp = Path(name)
        os.environ["OL_VAR_DIR"] = str(tmp / "gen")
        _setup()
        from oreledger.demo.generator import DemoScale, write_bundle

        started = time.perf_counter()
        bundle = write_bundle(
            tmp / "bench.xlsx", seed=1, scale=DemoScale.benchmark(), sheets=SHEETS
        )
        size = bundle.stat().st_size // 1024
        print(f"bundle generated in {time.perf_counter() - started:.1f} s ({size} KiB)")
        for backend in backends:
            run(backend, bundle, tmp)


if __name__ == "__main__":
    main(sys.argv[1:])
