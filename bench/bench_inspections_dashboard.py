"""Campaign dashboard latency with 10,000 enterprises and 50,000 inspections on PostgreSQL.

Run from the project root (the scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_bench_insp .venv/bin/python \
      bench/bench_inspections_dashboard.py [--enterprises 10000] [--inspections 50000]
      [--requests 30] [--explain]

1. the test province (personas), 20 towns under Haicheng, `--enterprises` mine operators
   spread over them (one mine each), five departments' checklists of four items, and one
   campaign over Haicheng with two targets;
2. `--inspections` visits (every item answered: COPY into inspections_inspectionresult),
   about 3 % of the answers failed (a finding each), an order for the findings of every
   other visit that found something (a third closed, some overdue), each order's
   department signatures;
3. p50/p95 of `queries.campaign_dashboard` by town and by department, and of the two
   dashboard pages and a drill-down page for the province officer through the Django test
   client (in-process, no network), with the number of queries; `--explain` prints the
   plan of every statement of one dashboard (EXPLAIN ANALYZE).
"""

from __future__ import annotations

import argparse
import datetime
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["OL_DEBUG"] = "false"  # query logging would distort the figures

DEPARTMENTS = [
    "natural_resources",
    "ecology_environment",
    "emergency_management",
    "fire_rescue",
    "development_reform",
]
FAIL_SHARE = 0.03


def fresh_database(url: str) -> None:
    """Drop and create the scratch database named in the URL."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def build(enterprises: int, inspections: int) -> Any:
    """The province, its registry and one campaign with its visits; returns the campaign."""
    from django.db import connection
    from django.utils import timezone

    from oreledger.accounts.models import DepartmentKind, Region
    from oreledger.inspections.models import Inspection, RectificationOrder
    from oreledger.inspections.queries import checklists_for, items_for
    from oreledger.inspections.services import add_target, create_campaign, publish_checklist
    from oreledger.registry.identifiers import make_uscc
    from oreledger.registry.models import Enterprise, Site
    from testkit.personas import build_province

    rnd = random.Random(18)
    world = build_province()
    towns = [
        Region.objects.create(code=f"210381{100 + n}", name_zh=f"测试镇{n}", name_en="",
                              level="town", parent=world.haicheng)
        for n in range(20)
    ]  # fmt: skip
    firms = Enterprise.objects.bulk_create(
        Enterprise(uscc=make_uscc("210381", 100_000 + n), name=f"基准镁矿有限公司{n}",
                   kind="mine_operator", region=towns[n % len(towns)], legal_rep="张三")
        for n in range(enterprises)
    )  # fmt: skip
    sites = Site.objects.bulk_create(
        Site(code=f"B-M-{n:05d}", enterprise=e, kind="mine", name=f"基准矿{n}", region=e.region,
             lat="40.88", lon="122.68", capacity_t=600_000)
        for n, e in enumerate(firms)
    )  # fmt: skip
    kinds = {k.code: k for k in DepartmentKind.objects.filter(code__in=DEPARTMENTS)}
    for code in DEPARTMENTS:
        publish_checklist(actor=None, department_kind=kinds[code], industry="magnesite",
                          name=f"{code} 检查表",
                          items=[{"text": f"{code} 第{i}项", "severity": rnd.choice(
                              ["low", "medium", "high"])} for i in range(1, 5)])  # fmt: skip
    today = timezone.localdate()
    campaign = create_campaign(
        actor=None, name="菱镁行业联合执法专项行动（基准）", region=world.haicheng,
        starts_on=today - datetime.timedelta(days=120), ends_on=today + datetime.timedelta(60),
        departments=list(kinds.values()),
    )  # fmt: skip
    add_target(actor=None, campaign=campaign, kind="inspected", goal_pct=90,
               due_on=today + datetime.timedelta(days=30))  # fmt: skip
    add_target(actor=None, campaign=campaign, kind="findings_closed", goal_pct=80,
               due_on=today + datetime.timedelta(days=60))  # fmt: skip
    items = list(items_for(checklists_for(campaign, "magnesite")))
    began = time.perf_counter()
    visits = Inspection.objects.bulk_create(
        (
            Inspection(campaign=campaign, site=site, enterprise_id=site.enterprise_id,
                       region_id=site.region_id, submission_key=uuid.uuid4(),
                       inspected_on=today - datetime.timedelta(days=rnd.randint(0, 119)))
            for site in (sites[rnd.randrange(len(sites))] for _ in range(inspections))
        ),
        batch_size=5000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        sql = "COPY inspections_inspectionresult (inspection_id, item_id, outcome, note) FROM STDIN"
        with cursor.connection.cursor().copy(sql) as copy:
            for visit in visits:
                for item in items:
                    failed = rnd.random() < FAIL_SHARE
                    copy.write_row((visit.pk, item.pk, "fail" if failed else "pass",
                                    "基准问题" if failed else ""))  # fmt: skip
        # A finding per failed answer, with the checklist's department and severity.
        cursor.execute("""
            INSERT INTO inspections_finding (created_at, updated_at, inspection_id, result_id,
                campaign_id, enterprise_id, region_id, department_kind_id, text, severity,
                stops_production)
            SELECT now(), now(), r.inspection_id, r.id, i.campaign_id, i.enterprise_id, i.region_id,
                   c.department_kind_id, it.text, it.severity, it.stops_production
            FROM inspections_inspectionresult r
            JOIN inspections_inspection i ON i.id = r.inspection_id
            JOIN inspections_checklistitem it ON it.id = r.item_id
            JOIN inspections_checklist c ON c.id = it.checklist_id
            WHERE r.outcome = 'fail'
        """)
    found = sorted(
        {v for v in Inspection.objects.filter(findings__isnull=False).values_list("pk", flat=True)}
    )
    with_orders = found[::2]
    by_pk = {v.pk: v for v in visits}
    orders = RectificationOrder.objects.bulk_create(
        (
            RectificationOrder(
                number=f"B{pk:09d}", campaign=campaign, enterprise_id=by_pk[pk].enterprise_id,
                site_id=by_pk[pk].site_id, region_id=by_pk[pk].region_id, target="基准整改",
                measures="基准措施", responsible_person="李工",
                deadline=today + datetime.timedelta(days=rnd.randint(-30, 40)),
                status=rnd.choice(["issued", "answered", "closed"]),
            )
            for pk in with_orders
        ),
        batch_size=5000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE inspections_finding f SET order_id = o.id
            FROM inspections_rectificationorder o
            WHERE o.number = 'B' || lpad(f.inspection_id::text, 9, '0')
        """)
        cursor.execute("""
            INSERT INTO inspections_ordersignoff (order_id, department_kind_id, note)
            SELECT DISTINCT order_id, department_kind_id, '' FROM inspections_finding
            WHERE order_id IS NOT NULL
        """)
        cursor.execute("ANALYZE")
    print(
        f"built {len(firms):,} enterprises, {len(visits):,} inspections, "
        f"{len(visits) * len(items):,} answers, {len(orders):,} orders "
        f"in {time.perf_counter() - began:.1f} s"
    )
    return campaign


def timed(call: Any, rounds: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds over `rounds` calls (after two warm-ups), and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        call()
    with CaptureQueriesContext(connection) as captured:
        call()
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    return statistics.median(timings), p95, len(captured.captured_queries)


def explain(campaign: Any, by: str) -> None:
    """The plan of every statement of one dashboard, slowest first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oreledger.inspections.queries import campaign_dashboard

    with CaptureQueriesContext(connection) as captured:
        campaign_dashboard(campaign, by)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            lines = [row[0] for row in cursor.fetchall()]
            ms = float(lines[-1].split(":")[1].split()[0])
            plans.append((ms, query["sql"], lines))
    for ms, sql, lines in sorted(plans, key=lambda p: -p[0])[:4]:
        print(f"\n--- {ms:.1f} ms: {sql[:160]}")
        print("\n".join(lines))


def main() -> None:
    """Build the scratch province, then time the dashboard."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--inspections", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a scratch PostgreSQL database (it is dropped)")
    fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from oreledger.accounts.models import User
    from oreledger.inspections.queries import campaign_dashboard

    call_command("migrate", verbosity=0)
    campaign = build(args.enterprises, args.inspections)
    client = Client()
    client.force_login(User.objects.get(username="province_officer"))
    print(f"{'what':44s} {'p50 ms':>8s} {'p95 ms':>8s} {'queries':>8s}")
    for by in ("town", "department"):
        p50, p95, n = timed(lambda by=by: campaign_dashboard(campaign, by), args.requests)
        print(f"{'campaign_dashboard by ' + by:44s} {p50:8.1f} {p95:8.1f} {n:8d}")
    for label, url_ in (
        ("page by town", reverse("inspections:dashboard", args=[campaign.pk, "town"])),
        ("page by department", reverse("inspections:dashboard", args=[campaign.pk, "department"])),
        ("drill-down: a town's findings, page 1",
         reverse("inspections:dashboard_drill", args=[campaign.pk, "town", "210381100"])
         + "?show=findings"),
        ("campaign page", reverse("inspections:campaign_detail", args=[campaign.pk])),
    ):  # fmt: skip

        def get(url_: str = url_) -> None:
            response = client.get(url_)
            assert response.status_code == 200, response.status_code

        p50, p95, n = timed(get, args.requests)
        print(f"{label:44s} {p50:8.1f} {p95:8.1f} {n:8d}")
    if args.explain:
        for by in ("town", "department"):
            explain(campaign, by)
    one, five, fifteen = os.getloadavg()
    print(f"load average (1, 5, 15 min, as uptime shows it): {one:.2f} {five:.2f} {fifteen:.2f}")


if __name__ == "__main__":
    main()
