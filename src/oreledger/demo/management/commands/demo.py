"""`oreledger demo`: migrate, load the demo province once, run the platform, print logins.

The address and logins are printed once the stations' history is in and the dashboards
show it (`Announcement`), not before.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oreledger.core.management.commands.serve import add_serve_arguments, serve
from oreledger.core.supervisor import Child
from oreledger.dashboards.rollups import refresh_rollups
from oreledger.demo.anomalies import demo_specs
from oreledger.demo.briefings import create_demo_briefings
from oreledger.demo.services import (
    DEMO_SEED,
    DemoLogin,
    demo_is_loaded,
    ensure_demo_logins,
    load_demo_province,
    open_demo_appeals,
    open_demo_fieldwork,
    open_demo_market,
    open_demo_worklist,
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
            appeals = open_demo_appeals(seed=options["seed"])
            self.stdout.write("  appeals: " + ", ".join(f"{k} {v}" for k, v in appeals.items()))
            fieldwork = open_demo_fieldwork(seed=options["seed"])
            self.stdout.write(
                "  inspections: " + ", ".join(f"{k} {v}" for k, v in fieldwork.items())
            )
            joint = open_demo_worklist(seed=options["seed"])
            self.stdout.write("  joint action: " + ", ".join(f"{k} {v}" for k, v in joint.items()))
            briefed = create_demo_briefings(now=timezone.now())
            self.stdout.write("  briefings: " + ", ".join(f"{k} {v}" for k, v in briefed.items()))
        logins = ensure_demo_logins()
        url = f"http://{options['host']}:{options['port']}/"
        announce = Announcement(self, url, logins)
        if options["no_serve"]:
            announce()
            return
        extra = []
        if not options["no_stations"]:
            announce.ready_file = Path(settings.VAR_DIR) / "demo-history.ready"
            announce.ready_file.unlink(missing_ok=True)
            extra.append(station_simulator(options, announce.ready_file))
            self.stdout.write(
                "the stations send their history first; the address follows once the "
                "dashboards show it | 计量站正在补传历史磅单，完成后显示访问地址"
            )
        serve(options, extra, until_done=announce)


class Announcement:
    """Prints the address and logins once the dashboards show the history, and only then.

    The station simulator writes `ready_file` when its history is in the platform; the
    daily rollups are then brought up to date here (the job would only run within the
    minute), so that today's tiles agree with the lists the moment someone looks.
    """

    def __init__(self, command: BaseCommand, url: str, logins: list[DemoLogin]) -> None:
        self.command = command
        self.url = url
        self.logins = logins
        self.ready_file: Path | None = None

    def __call__(self) -> bool:
        """Announce if the history is in; whether it was announced."""
        if self.ready_file is not None and not self.ready_file.exists():
            return False

        refresh_rollups()
        out, style = self.command.stdout, self.command.style
        width = max(len(login.username) for login in self.logins)
        out.write("")
        out.write(style.SUCCESS(f"oreledger demo: {self.url}"))
        out.write("logins (username / password):")
        for login in self.logins:
            out.write(
                f"  {login.username.ljust(width)}  {login.password}  "
                f"{login.description_zh} · {login.description_en}"
            )
        if settings.OL_REQUIRE_SECOND_FACTOR:
            # Officials and admin are obliged to use an authenticator (accounts.signin), so a
            # first sign-in without one ends on the QR code page: say so before anyone tries.
            out.write(
                "officials and admin set up an authenticator app (the QR code page) at their "
                "first sign-in · 官员和 admin 首次登录时用身份验证器扫码绑定"
            )
            out.write("for a look without a phone: OL_REQUIRE_SECOND_FACTOR=false make demo")
        out.write("")
        return True


def station_simulator(options: dict[str, Any], ready_file: Path) -> Child:
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
            "--ready-file",
            str(ready_file),
            # A small realistic share of cheating, so that the demo shows real alerts.
            *[arg for spec in demo_specs() for arg in ("--anomaly", spec)],
        ],
    )
