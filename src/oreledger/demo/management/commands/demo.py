"""`oreledger demo`: migrate, load the demo province once, print logins, run the platform."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.alerts.demo_anomalies import demo_specs
from oreledger.core.management.commands.serve import add_serve_arguments, serve
from oreledger.core.supervisor import Child
from oreledger.demo.services import (
    DEMO_SEED,
    demo_is_loaded,
    ensure_demo_logins,
    load_demo_province,
    open_demo_market,
)


class Command(BaseCommand):
    """Bring up the demo province on this machine in one command."""

    help = "Run oreledger with the demo province (loads it on first run)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_serve_arguments(parser)
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument("--no-serve", action="store_true", help="load and print, then exit")
        parser.add_argument(
            "--no-stations", action="store_true", help="do not run the station simulator"
        )
        parser.add_argument(
            "--history-days", type=int, default=2, help="days of weighings simulated at first start"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if demo_is_loaded():
            self.stdout.write("demo province already loaded")
        else:
            self.stdout.write("loading the demo province through the bundle importer…")
            report = load_demo_province(seed=options["seed"])
            if not report.ok:
                for line in report.errors[:50]:
                    self.stderr.write(str(line))
                raise CommandError(f"the demo bundle has {len(report.errors)} errors")
            for sheet, outcome in report.outcomes.items():
                self.stdout.write(f"  {sheet}: {outcome.created} created")
            market = open_demo_market(seed=options["seed"])
            self.stdout.write("  market: " + ", ".join(f"{k} {v}" for k, v in market.items()))
        logins = ensure_demo_logins()
        url = f"http://{options['host']}:{options['port']}/"
        width = max(len(login.username) for login in logins)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"oreledger demo: {url}"))
        self.stdout.write("logins (username / password):")
        for login in logins:
            self.stdout.write(
                f"  {login.username.ljust(width)}  {login.password}  "
                f"{login.description_zh} · {login.description_en}"
            )
        self.stdout.write("")
        if not options["no_serve"]:
            extra = [] if options["no_stations"] else [station_simulator(options)]
            serve(options, extra)


def station_simulator(options: dict[str, Any]) -> Child:
    """Weighbridges of the demo province: history at first start, then a live trickle."""
    host = options["host"] if options["host"] not in ("0.0.0.0", "", "::") else "127.0.0.1"  # noqa: S104
    return Child(
        "stations",
        [
            sys.executable,
            "-m",
            "oreledger",
            "simulate-stations",
            "--url",
            f"http://{host}:{options['port']}",
            "--history-days",
            str(options["history_days"]),
            "--live",
            "--speed",
            "3",
            "--seed",
            str(options["seed"]),
            "--offline-drill",
            # A small realistic share of cheating, so that the demo shows real alerts.
            *[arg for spec in demo_specs() for arg in ("--anomaly", spec)],
        ],
    )
