"""`oreledger scheduler`: enqueue periodic jobs once per period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oreledger.core.scheduler import enqueue_due, periodic_jobs, run_forever


class Command(BaseCommand):
    """Tick until stopped; safe to run more than one (each period is enqueued once)."""

    help = "Enqueue periodic jobs once per period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=15.0)
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
            return
        jobs = ", ".join(job.name for job in periodic_jobs())
        self.stdout.write(f"scheduler started: {jobs}")
        run_forever(interval=options["interval"])
