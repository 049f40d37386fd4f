"""The county assessment: six counties scored and ranked for a quarter on PostgreSQL.

Run from the project root (the scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench_assessment .venv/bin/python \
      bench/bench_assessment.py [--tasks 40] [--alerts 300] [--requests 10]

1. the test province plus four more counties (six), a scheme with all eight indicators;
2. per county: `--tasks` tasks with three milestones and a report a week, 13 weekly
   confirmations (some late, some missing), `--alerts` alerts due in the quarter, half
   resolved in time (rows copied from one raised alert, events bulk-inserted);
3. `ranking()` timed cold and warm, and p50/p95 of the ranking page and a county's page.
Goal: the ranking of six counties for a quarter in under 2 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_dashboard import fresh_database, timed  # noqa: E402

QUARTER_START = datetime.date(2026, 1, 1)


def seed(tasks: int, alerts: int) -> tuple[object, object]:
    """The province, six counties and their quarter's records; returns (world, scheme)."""
    import random

    from oreledger.accounts.tests.factories import RegionFactory, department
    from oreledger.alerts.engine import raise_alert
    from oreledger.alerts.models import Alert, AlertEvent
    from oreledger.assessment import services as assessment
    from oreledger.core.localtime import local_midnight
    from oreledger.worklist import services
    from oreledger.worklist.models import Milestone, ProgressReport, Task, WeeklyConfirmation
    from testkit.personas import build_province

    rng = random.Random(19)
    world = build_province()
    counties = [world.haicheng, world.dashiqiao]
    for n in range(4):
        counties.append(
            RegionFactory(
                code=f"2103{n + 2}1", name_zh=f"县{n}", level="county", parent=world.anshan
            )
        )
    scheme = assessment.create_scheme(
        actor=None,
        code="bench",
        name="季度考核",
        period="quarter",
        indicators=[
            (k, Decimal(w), "proportional", Decimal(1))
            for k, w in (
                ("funding", 10),
                ("staffing", 10),
                ("tasks_on_time", 20),
                ("reporting_rate", 10),
                ("on_time_rate", 10),
                ("alerts_in_time", 15),
                ("orders_on_time", 15),
                ("appeals_in_time", 10),
            )
        ],
    )
    group = services.create_working_group(
        actor=None,
        name="专班",
        region=world.province,
        lead_department=department("natural_resources", world.province),
    )
    template = raise_alert(
        rule="appeal_overdue",
        region=world.haicheng,
        subject_type="appeal",
        subject_ref="X",
        at=local_midnight(QUARTER_START),
        refs={},
        evidence={},
    )
    assert template is not None
    for county in counties:
        unit = department("natural_resources", county)
        rows = [
            Task(
                group=group,
                number=f"{county.code}-{n}",
                title="任务",
                region=county,
                responsible_department=unit,
                start=QUARTER_START,
                due=QUARTER_START + datetime.timedelta(days=rng.randint(30, 89)),
                completed_on=QUARTER_START + datetime.timedelta(days=rng.randint(30, 95)),
            )
            for n in range(tasks)
        ]
        Task.objects.bulk_create(rows)
        Milestone.objects.bulk_create(
            Milestone(
                task=t,
                title="节点",
                due=t.start + datetime.timedelta(days=10 * k),
                done_on=t.start + datetime.timedelta(days=10 * k + rng.randint(-2, 3)),
            )
            for t in rows
            for k in (1, 2, 3)
        )
        ProgressReport.objects.bulk_create(
            ProgressReport(
                task=t,
                week=QUARTER_START + datetime.timedelta(days=4 + 7 * w),
                text="推进",
                percent=min(100, 8 * w),
                reported_on=QUARTER_START + datetime.timedelta(days=8 + 7 * w),
            )
            for t in rows
            for w in range(12)
        )
        WeeklyConfirmation.objects.bulk_create(
            WeeklyConfirmation(
                region=county,
                week=QUARTER_START + datetime.timedelta(days=4 + 7 * w),
                confirmed_at=local_midnight(
                    QUARTER_START + datetime.timedelta(days=11 + 7 * w + rng.choice([0, 0, 0, 5]))
                ),
            )
            for w in range(13)
            if rng.random() > 0.1
        )
        made = []
        for n in range(alerts):
            deadline = local_midnight(QUARTER_START + datetime.timedelta(days=rng.randint(0, 89)))
            made.append(
                Alert(
                    rule=template.rule,
                    rule_version=template.rule_version,
                    version_number=template.version_number,
                    severity=template.severity,
                    status="resolved",
                    region=county,
                    subject_type="appeal",
                    subject_ref=f"{county.code}-{n}",
                    first_seen=deadline - datetime.timedelta(days=1),
                    last_seen=deadline,
                    deadline=deadline,
                )
            )
        Alert.objects.bulk_create(made)
        AlertEvent.objects.bulk_create(
            AlertEvent(
                alert=a,
                kind="resolved",
                at=a.deadline + datetime.timedelta(hours=rng.choice([-5, 5])),
            )
            for a in made
        )
    return world, scheme


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=40)
    parser.add_argument("--alerts", type=int, default=300)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    fresh_database(url)
    os.environ.setdefault("OL_ALLOWED_HOSTS", "testserver")  # the test client's host
    import django

    django.setup()
    from django.core.management import call_command

    from oreledger.assessment.queries import Period, ranking

    call_command("migrate", verbosity=0, interactive=False)
    began = time.perf_counter()
    world, scheme = seed(args.tasks, args.alerts)
    print(f"seeded 6 counties: {time.perf_counter() - began:.1f} s", flush=True)
    period = Period.parse("quarter", "2026-Q1")
    today = datetime.date(2026, 4, 15)
    for label in ("cold", "warm"):
        began = time.perf_counter()
        scores = ranking(scheme, period, today=today)
        took = time.perf_counter() - began
        print(f"ranking ({label}): {len(scores)} counties, {took * 1000:.0f} ms", flush=True)
    print("  " + ", ".join(f"{s.region.code} {s.total}" for s in scores))
    client = world.client("province_officer")  # type: ignore[attr-defined]
    for path in (
        "/assessment/bench/2026-Q1/",
        "/assessment/bench/2026-Q1/210381/",
        "/api/v1/assessment/schemes/bench/ranking/2026-Q1",
    ):
        use = world.api("province_officer") if path.startswith("/api") else client  # type: ignore[attr-defined]
        p50, p95, status = timed(use, path, args.requests)
        print(f"{path}: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({status})", flush=True)


if __name__ == "__main__":
    main()
