"""Enterprise list page with a benchmark-scale registry: median render time and query count.

Run from the project root: `.venv/bin/python bench/bench_enterprise_list.py [ROUNDS]`.
Imports the benchmark bundle (seed 1: ~10,000 enterprises) into a fresh SQLite file under a
temporary directory, or into DATABASE_URL when set (that database is overwritten), then
renders /registry/enterprises/ (first page, a sorted page, a filtered page, the xlsx export)
as the province office and prints the median time and the number of queries of each.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Set up, import, then time the list page."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    work = Path(tempfile.mkdtemp(prefix="ol-bench-list-"))
    os.environ.setdefault("OL_VAR_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
    os.environ.setdefault("OL_REQUIRE_SECOND_FACTOR", "false")  # clients here use force_login
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from oreledger.accounts.models import User
    from oreledger.core.bundle import import_bundle
    from oreledger.demo.generator import DemoScale, write_bundle
    from oreledger.registry.models import Enterprise

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    bundle = write_bundle(
        work / "bench.xlsx",
        seed=1,
        scale=DemoScale.benchmark(),
        sheets=["regions", "enterprises", "users", "sites", "permits"],
    )
    report = import_bundle(bundle, actor=None)
    assert report.ok, report.errors[:5]
    user = User.objects.get(username="province_office")
    client = Client()
    client.force_login(user)
    print(f"{Enterprise.objects.count()} enterprises ({connection.vendor})")
    for label, url in (
        ("first page", "/registry/enterprises/"),
        ("sorted by name, page 40", "/registry/enterprises/?sort=-name&page=40"),
        ("filtered (kind=processor)", "/registry/enterprises/?kind=processor"),
        ("xlsx export (all rows)", "/registry/enterprises/?export=xlsx"),
    ):
        timings = []
        queries = 0
        for _ in range(rounds if "export" not in url else 3):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            queries = len(captured.captured_queries)
        print(f"{label:28s} median {statistics.median(timings):8.1f} ms  {queries} queries")


if __name__ == "__main__":
    main()
