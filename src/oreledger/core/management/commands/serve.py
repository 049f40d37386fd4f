"""`oreledger serve`: the whole platform in one command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from oreledger.core.supervisor import (
    WEB_THREADS,
    WEB_WORKERS,
    Child,
    Supervisor,
    platform_children,
)


def add_serve_arguments(parser: CommandParser) -> None:
    """Options shared by `serve` and `demo`."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=WEB_THREADS, help="threads per web process")
    parser.add_argument("--workers", type=int, default=1, help="background job workers")
    parser.add_argument("--no-scheduler", action="store_true", help="run no scheduler here")
    parser.add_argument("--access-log", action="store_true", help="log every request")


def serve(
    options: dict[str, Any],
    extra: list[Child] | None = None,
    until_done: Callable[[], bool] | None = None,
) -> int:
    """Run web + workers + scheduler (and any extra children) until Ctrl-C / SIGTERM."""
    children = platform_children(
        host=options["host"],
        port=options["port"],
        web_workers=options["web_workers"],
        threads=options["threads"],
        task_workers=options["workers"],
        scheduler=not options["no_scheduler"],
        access_log=options["access_log"],
    )
    return Supervisor([*children, *(extra or [])]).run(until_done)


class Command(BaseCommand):
    """Start gunicorn, the job workers and the scheduler as supervised children."""

    help = "Run the platform: web server, background workers and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        add_serve_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"oreledger on http://{options['host']}:{options['port']}/ "
            f"({settings.OL_MODE}, database {engine})"
        )
        serve(options)
