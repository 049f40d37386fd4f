"""False alerts on a clean simulated week: alerts per 1,000 trips with no anomaly injected.

Run from the project root: `.venv/bin/python bench/bench_alerts_clean_week.py [--days 7]`
(a scratch SQLite file). Imports a tiny demo province through the real bundle importer,
serves it, drives `simulate-stations` over the last N days of history with no anomaly, then
runs the scans and every scheduled rule across the week as their jobs would, and prints the
alerts by rule and per 1,000 trips.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
os.environ.setdefault("OL_VAR_DIR", tempfile.mkdtemp(prefix="ol-bench-week-"))
os.environ["OL_DEBUG"] = "false"  # query logging would distort the figures
os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['OL_VAR_DIR']}/week.sqlite3"

TINY = dict(
    mines=3,
    plants=3,
    yards=0,
    traders=0,
    chemical=0,
    hauliers=2,
    others=0,
    trucks=24,
    towns_per_county=(1, 1),
    checkpoints_per_county=(1, 1),
    contracts_per_mine=(1, 2),
)


def main() -> None:
    """Build, simulate, evaluate, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--volume", type=float, default=1.0)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from oreledger.alerts import scans, scheduled
    from oreledger.alerts.models import Alert, ScanCursor
    from oreledger.core.bundle import import_bundle, supported_sheets
    from oreledger.demo.catalogue import DemoScale
    from oreledger.demo.generator import write_bundle
    from oreledger.simulator.management.commands.simulate_stations import Command
    from oreledger.weighing.models import Ticket
    from testkit.processes import free_port

    today = timezone.localdate()
    path = write_bundle(
        Path(os.environ["OL_VAR_DIR"]) / "tiny.xlsx",
        seed=11,
        scale=DemoScale(**TINY),
        today=today,
        sheets=supported_sheets(),
    )
    report = import_bundle(path, actor=None)
    assert report.ok, report.errors[:5]
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (our own command)
        [
            sys.executable,
            "-m",
            "oreledger",
            "serve",
            "--port",
            str(port),
            "--web-workers",
            "1",
            "--workers",
            "1",
            "--no-scheduler",
        ],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(8)
        command, out = Command(), StringIO()
        call_command(
            command,
            url=f"http://127.0.0.1:{port}",
            history_days=args.days,
            history_volume=args.volume,
            seed=3,
            stdout=out,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats = command.simulator.stats
    now = timezone.now()
    started = now - datetime.timedelta(days=args.days + 1)
    ScanCursor.objects.all().delete()
    for name in (
        "ticket_findings",
        "ticket_conflicts",
        "heartbeats",
        "impossible_travel",
        "grade_mismatch",
    ):
        ScanCursor.objects.create(name=name, position=started)
    scans.scan_ticket_findings(now=now)
    scans.scan_conflicts(now=now)
    scans.scan_clock_drift(now=now)
    gate = {
        rule: Alert.objects.filter(rule=rule).count()
        for rule in ("impossible_travel", "grade_mismatch")
    }
    moment = started
    while moment <= now:  # the periodic rules as their jobs would have run through the week
        scheduled.station_seq_gap(now=moment)
        moment += datetime.timedelta(hours=3)
    # The gate rules were decided as each ticket was recorded; their backstop scans read
    # every ticket received since the week began (each pair or ticket counted once).
    scheduled.impossible_travel(now=now)
    scheduled.grade_mismatch(now=now)
    for rule in (
        "waybill_unclosed",
        "station_seq_gap",
        "plant_intake_over_capacity",
        "permit_expiring",
        "mass_balance_gap",
    ):
        scheduled.SCHEDULED_RULES[rule](now=now)
    by_rule: dict[str, int] = {}
    for rule in Alert.objects.values_list("rule", flat=True):
        by_rule[rule] = by_rule.get(rule, 0) + 1
    traffic = sum(n for rule, n in by_rule.items() if rule != "permit_expiring")
    print(
        json.dumps(
            {
                "days": args.days,
                "trips": stats.trips,
                "tickets": Ticket.objects.count(),
                "alerts_by_rule": by_rule,
                "traffic_alerts": traffic,
                "traffic_alerts_per_1000_trips": round(1000 * traffic / max(stats.trips, 1), 2),
                "gate_alerts_at_the_gate": gate,
                "gate_alerts_per_1000_trips": round(
                    1000
                    * sum(by_rule.get(r, 0) for r in ("impossible_travel", "grade_mismatch"))
                    / max(stats.trips, 1),
                    2,
                ),
                "held": dict(stats.held),
                "reasons": dict(stats.reasons),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
