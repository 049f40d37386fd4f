"""A small process supervisor: web, workers and scheduler as children of one command.

Children that die are restarted with a back-off; SIGINT or SIGTERM stops them all
(SIGTERM first, SIGKILL after a grace period) and the supervisor exits cleanly.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class Child:
    """One supervised program."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)
    # The program's whole environment (None: this process's); the federation demo runs
    # three platforms, each with its own database and role.
    env: dict[str, str] | None = None

    def start(self) -> None:
        """Start (or restart) the program."""
        self.process = subprocess.Popen(self.argv, env=self.env)  # noqa: S603 (our own argv)
        self.started_at = time.monotonic()
        logger.info("started %s (pid %s)", self.name, self.process.pid)


class Supervisor:
    """Keeps its children running until asked to stop."""

    def __init__(self, children: list[Child], *, grace_seconds: float = 10.0) -> None:
        self.children = children
        self.grace_seconds = grace_seconds
        self.stopping = False

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def run(self, until_done: Callable[[], bool] | None = None) -> int:
        """Start every child, restart the ones that die, stop all on a signal.

        `until_done` is called on every round until it returns True (the demo announces
        itself there once its history is in).
        """
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for child in self.children:
            # One started before (the federation demo's hub, needed by the nodes' setup)
            # is kept, not started twice.
            if child.process is None:
                child.start()
        while not self.stopping:
            if until_done is not None and until_done():
                until_done = None
            now = time.monotonic()
            for child in self.children:
                process = child.process
                if process is None:
                    if now >= child.next_start:
                        child.start()
                    continue
                code = process.poll()
                if code is None:
                    continue
                # A child that lived a while gets an immediate restart; a crash loop backs off.
                lived = now - child.started_at
                child.restarts = 0 if lived > 60 else child.restarts + 1
                delay = min(30.0, 0.5 * 2 ** min(child.restarts, 6))
                logger.warning("%s exited with %s; restarting in %.1fs", child.name, code, delay)
                child.process = None
                child.next_start = now + delay
            time.sleep(0.2)
        return self.stop()

    def stop(self) -> int:
        """SIGTERM every child, wait for the grace period, SIGKILL what remains."""
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in time; killing it", child.name)
                child.process.kill()
                child.process.wait()
        return 0


# Many threads per process, so that single tickets waiting in one process are recorded
# together (weighing intake); the numbers were chosen with bench_station_throughput on the
# development machine (bench/README.md): measure again on a bigger one.
WEB_WORKERS = 2
WEB_THREADS = 16


def web_command(bind: str, *, workers: int, threads: int) -> list[str]:
    """The production web server: gunicorn, threaded workers (load tests run the same)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "oreledger.config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        # A gthread worker accepts every connection it can: kept-alive station connections
        # all ended up in one process while the other idled. Closing each connection after
        # its answer lets every request go to a free process. A cap on connections per
        # process spread them as well but would leave stations waiting behind idle
        # kept-alive connections once a county has a few hundred of them (bench/README.md).
        "--keep-alive",
        "0",
        "--graceful-timeout",
        "10",
    ]


def platform_children(
    *,
    host: str,
    port: int,
    web_workers: int,
    threads: int,
    task_workers: int,
    scheduler: bool,
    access_log: bool = False,
) -> list[Child]:
    """The embedded platform: gunicorn, task workers and the scheduler."""
    python = sys.executable
    web = web_command(f"{host}:{port}", workers=web_workers, threads=threads)
    children = [Child("web", [*web, *(["--access-logfile", "-"] if access_log else [])])]
    children += [
        Child(f"worker-{n + 1}", [python, "-m", "oreledger", "worker"]) for n in range(task_workers)
    ]
    if scheduler:
        children.append(Child("scheduler", [python, "-m", "oreledger", "scheduler"]))
    return children
