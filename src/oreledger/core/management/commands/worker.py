"""`oreledger worker`: run background jobs until stopped."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oreledger.core.worker import make_worker


class Command(BaseCommand):
    """Claim and run jobs; a job of a worker that died is retried after its lease lapses."""

    help = "Run background jobs (any number of workers may run at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--queue", action="append", dest="queues", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        worker = make_worker(
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            queues=options["queues"],
        )
        worker.configure_signals()
        self.stdout.write(f"worker {worker.worker_id} started")
        worker.run()
