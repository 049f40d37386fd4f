"""Quota draws per second on PostgreSQL, against the bare conditional UPDATE in the same run.

Run from the project root against a scratch database (it is migrated and overwritten):
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench \\
    .venv/bin/python bench/bench_quota_draw.py [DRAWS]`

For one worker and for 8 concurrent worker processes (as gunicorn runs them), all drawing on
ONE mine account (the worst case: every draw queues on the same row lock), it prints draws/s of
- bare: the same conditional UPDATE issued directly through psycopg, one transaction each;
- `draw_quota` on its own (its one statement is its transaction: conditional UPDATE, chained
  entry), and the ratio to bare;
- `draw_quota` inside a caller's `transaction.atomic()` (as weighing calls it, plus the BEGIN
  and COMMIT round trips the caller pays for), and its ratio.
Each figure is the median of 3 runs.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("set DATABASE_URL=postgres://… to a scratch database")

import django

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from oreledger.accounts.models import Region  # noqa: E402
from oreledger.quotas.models import Mineral, QuotaAccount  # noqa: E402
from oreledger.quotas.services import allocate_quota, draw_quota, open_period  # noqa: E402
from oreledger.registry.identifiers import make_uscc  # noqa: E402
from oreledger.registry.models import Enterprise, Site  # noqa: E402

YEAR = 2025
AT = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
Maker = Callable[[int], tuple[Callable[[int, int], None], Callable[[], None]]]
BARE_SQL = (
    "UPDATE quotas_quotaaccount SET consumed_kg = consumed_kg + %s, "
    "entry_count = entry_count + 1 "
    "WHERE id = %s AND consumed_kg + %s <= allocated_kg + tolerance_kg"
)


def setup() -> QuotaAccount:
    """A province, a county and one mine with a quota far beyond what the bench draws."""
    call_command("migrate", verbosity=0)
    Mineral.objects.get_or_create(code="magnesite", defaults={"name_zh": "菱镁矿", "name_en": "M"})
    open_period(actor="bench", year=YEAR)
    province, _ = Region.objects.get_or_create(
        code="210000", defaults={"name_zh": "辽宁省", "level": "province"}
    )
    county, _ = Region.objects.get_or_create(
        code="210381", defaults={"name_zh": "海城市", "level": "county", "parent": province}
    )
    enterprise, _ = Enterprise.objects.get_or_create(
        uscc=make_uscc("210381", 9001),
        defaults={"name": "基准镁矿", "kind": "mine_operator", "region": county},
    )
    mine, _ = Site.objects.get_or_create(
        code="BENCH-M-1",
        defaults={
            "enterprise": enterprise,
            "kind": "mine",
            "name": "基准矿",
            "region": county,
            "lat": Decimal("40.88"),
            "lon": Decimal("122.68"),
        },
    )
    total = 10**15
    common = {"actor": "bench", "period": YEAR, "mineral": "magnesite"}
    for holder in (province, county, mine):
        account = QuotaAccount.objects.filter(
            period__year=YEAR,
            holder_region=holder if holder is not mine else None,
            holder_site=mine if holder is mine else None,
        ).first()
        if account is None or account.allocated_kg < total:
            allocate_quota(**common, holder=holder, allocated_kg=total)
    return QuotaAccount.objects.get(holder_site=mine, period__year=YEAR)


def run(workers: int, draws: int, make: Maker, account_id: int) -> float:
    """Draws per second with `workers` processes (as web workers run) sharing the draws."""
    per_worker = draws // workers
    context = multiprocessing.get_context("fork")
    ready, go = context.Barrier(workers + 1), context.Event()

    def worker(number: int) -> None:
        one, finish = make(account_id)
        one(number, -1)  # connect (and warm up) before the clock starts
        ready.wait()
        go.wait()
        for i in range(per_worker):
            one(number, i)
        finish()

    connections.close_all()
    processes = [context.Process(target=worker, args=(n,)) for n in range(workers)]
    for process in processes:
        process.start()
    ready.wait()
    began = time.perf_counter()
    go.set()
    for process in processes:
        process.join()
        assert process.exitcode == 0, "a worker failed"
    return per_worker * workers / (time.perf_counter() - began)


def service_draws(account_id: int) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """One draw_quota per transaction: on its own a draw is one statement, its own transaction."""
    return _draws(account_id, in_caller_transaction=False)


def service_draws_in_transaction(
    account_id: int,
) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """One draw_quota inside a caller's transaction.atomic (BEGIN and COMMIT round trips)."""
    return _draws(account_id, in_caller_transaction=True)


def _draws(
    account_id: int, *, in_caller_transaction: bool
) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    account = QuotaAccount(pk=account_id)
    stamp = time.time_ns()

    def one(thread: int, i: int) -> None:
        if i < 0:
            connection.ensure_connection()
            return
        ref = f"{stamp}-{thread}-{i}"
        if in_caller_transaction:
            with transaction.atomic():
                result = draw_quota(account=account, amount_kg=34_000, ref=ref, at=AT)
        else:
            result = draw_quota(account=account, amount_kg=34_000, ref=ref, at=AT)
        assert result.ok and not result.duplicate

    return one, connections.close_all


def bare_draws(account_id: int) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """The same conditional UPDATE through psycopg, one autocommitted statement each."""
    dsn = connection.get_connection_params()
    local = threading.local()

    def one(thread: int, i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(
                **{k: v for k, v in dsn.items() if k != "cursor_factory"}, autocommit=True
            )
        if i < 0:
            return
        with conn.cursor() as cursor:
            cursor.execute(BARE_SQL, (34_000, account_id, 34_000))
            assert cursor.rowcount == 1

    def finish() -> None:
        conn = getattr(local, "conn", None)
        if conn is not None:
            conn.close()

    return one, finish


def median_of_3(make: Maker, account_id: int, workers: int, draws: int) -> float:
    """The median rate of three runs."""
    return statistics.median(run(workers, draws, make, account_id) for _ in range(3))


def main() -> None:
    """Print the four rates and the two ratios."""
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    account = setup()
    connections.close_all()
    print(f"PostgreSQL, one account, {draws} draws per run, median of 3")
    for threads in (1, 8):
        bare = median_of_3(bare_draws, account.pk, threads, draws)
        alone = median_of_3(service_draws, account.pk, threads, draws)
        inside = median_of_3(service_draws_in_transaction, account.pk, threads, draws)
        print(
            f"{threads} worker(s): bare UPDATE {bare:6.0f}/s   draw_quota {alone:6.0f}/s "
            f"(ratio {alone / bare:.2f})   draw_quota in a caller's transaction "
            f"{inside:6.0f}/s (ratio {inside / bare:.2f})"
        )


if __name__ == "__main__":
    main()
