"""A hub and a node as separate processes for the federation benches: the hub served by
`oreledger serve` on a scratch PostgreSQL database, the node on a SQLite file pushing its
outbox to it over real HTTP with its own `push()` (federation/services/node.py).

The node's outbox is written as given (`Node.fill`): the benches generate its changes, so a
week of a county is not recorded ticket by ticket first. What a push costs the hub is read
from /proc: CPU seconds of the `serve` process tree (supervisor, gunicorn) and of the hub
database's PostgreSQL backends, so a figure can be read apart from the machine's load.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
NODE = "210381"
_TICK = os.sysconf("SC_CLK_TCK")

# Run in the node: its outbox, from a JSON file of changes, seq by seq as the protocol has them.
_FILL = """
import json, datetime
from oreledger.federation.models import OutboxChange, OutboxCounter
changes = json.load(open({path!r}))
OutboxChange.objects.bulk_create(
    [OutboxChange(seq=c["seq"], model=c["model"], uuid=c["uuid"], version=c["version"],
                  op=c["op"], at=datetime.datetime.fromisoformat(c["at"]), data=c["data"])
     for c in changes], batch_size=2000)
counter, _ = OutboxCounter.objects.get_or_create(pk=1)
OutboxCounter.objects.filter(pk=1).update(last_seq=changes[-1]["seq"])
"""

# Run in the node: push until the outbox is empty; the seconds it took and the node's CPU.
_PUSH = """
import json, resource, time
from oreledger.federation.services.node import hub_link, push
started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
pushed = push()
done = resource.getrusage(resource.RUSAGE_SELF)
print("PUSHED" + json.dumps({"pushed": pushed, "seconds": time.perf_counter() - started,
      "cpu": done.ru_utime + done.ru_stime - cpu.ru_utime - cpu.ru_stime,
      "error": hub_link().last_error}))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OL_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "station" / "src")])
    env["DJANGO_SETTINGS_MODULE"] = "oreledger.config.settings"
    env["OL_DEBUG"] = "false"  # query logging would distort the figures
    return {**env, **extra}


def run(env: dict[str, str], *args: str, code: str | None = None) -> str:
    """An `oreledger` command (or `shell -c code`) in that environment; its output."""
    command = [sys.executable, "-m", "oreledger", *(("shell", "-c", code) if code else args)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (our own command)
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return done.stdout


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _tree(root: int) -> list[int]:
    """The process and all its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except OSError:
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


@dataclass
class Cpu:
    """CPU seconds spent so far by the hub's processes and its database's backends."""

    hub: float
    postgres: float


class Hub:
    """The hub: a scratch PostgreSQL database, migrated, and `oreledger serve` on it."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.server, self.name = database_url.rsplit("/", 1)
        self.port = 8190 + os.getpid() % 500
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret = workdir / "node.secret.json"
        self.env = _env(
            DATABASE_URL=database_url,
            OL_NODE_ROLE="hub",
            OL_NODE_CODE="210000",
            OL_VAR_DIR=str(workdir / "hub"),
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.backends: dict[int, float] = {}
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        run(self.env, "migrate", "--verbosity", "0")

    def register_node(self) -> None:
        """Register the node and write its secret file."""
        run(
            self.env,
            "federation-add-node",
            NODE,
            "--name",
            "海城市",
            "--secret-out",
            str(self.secret),
        )
        with psycopg.connect(f"{self.server}/{self.name}", autocommit=True) as conn:
            conn.execute("ANALYZE")

    def start(self) -> None:
        """`oreledger serve`: one gunicorn process, one thread, no job worker, no scheduler."""
        lean = ["--web-workers", "1", "--threads", "1", "--workers", "0", "--no-scheduler"]
        self.process = subprocess.Popen(  # noqa: S603 (our own command)
            [sys.executable, "-m", "oreledger", "serve", "--port", str(self.port), *lean],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2)  # noqa: S310 (the local hub)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise SystemExit("the hub did not come up")

    def cpu(self) -> Cpu:
        """CPU seconds of the serve tree and of the database's backends seen so far (a
        backend's last reading is kept once it ends: Django reconnects every 60 s)."""
        assert self.process is not None
        hub = sum(_cpu_seconds(pid) for pid in _tree(self.process.pid))
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name]
                )
            ]
        for pid in pids:
            with contextlib.suppress(OSError):
                self.backends[pid] = _cpu_seconds(pid)
        return Cpu(hub=hub, postgres=sum(self.backends.values()))

    @contextlib.contextmanager
    def watched(self) -> Iterator[None]:
        """Read the backends' CPU every half second meanwhile, so none is missed."""
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.5):
                self.cpu()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()

    def stop(self) -> None:
        """End `serve` (its supervisor ends its children)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


class Node:
    """The node: a SQLite file migrated, its outbox filled, pushing to the hub."""

    def __init__(self, hub: Hub, workdir: Path) -> None:
        self.workdir = workdir
        self.env = _env(
            DATABASE_URL=f"sqlite:///{workdir / 'node.sqlite3'}",
            OL_NODE_ROLE="node",
            OL_NODE_CODE=NODE,
            OL_HUB_URL=hub.url,
            OL_HUB_SECRET_FILE=str(hub.secret),
            OL_VAR_DIR=str(workdir / "node"),
        )
        run(self.env, "migrate", "--verbosity", "0")

    def fill(self, changes: list[dict[str, Any]]) -> None:
        """Write these changes to the node's outbox as committed changes waiting to be sent."""
        path = self.workdir / "changes.json"
        path.write_text(json.dumps(changes))
        run(self.env, code=_FILL.format(path=str(path)))

    def push(self) -> dict[str, Any]:
        """Push until the outbox is empty: pushed, seconds, the node's CPU, last error."""
        out = run(self.env, code=_PUSH)
        answer: dict[str, Any] = json.loads(out.split("PUSHED", 1)[1])
        return answer


def workdir() -> Path:
    """A temporary folder for the node's database, the secret and the var dirs."""
    return Path(tempfile.mkdtemp(prefix="ol-fed-bench-"))


def measure(hub: Hub, node: Node) -> dict[str, Any]:
    """One push of the node's backlog: seconds, changes/s, CPU per 1,000 changes, load."""
    before = hub.cpu()
    with hub.watched():
        pushed = node.push()
    after = hub.cpu()
    if pushed["error"]:
        raise SystemExit(f"the push was refused: {pushed['error']}")
    per = 1000 / max(pushed["pushed"], 1)
    return {
        "changes": pushed["pushed"],
        "seconds": pushed["seconds"],
        "rate": pushed["pushed"] / pushed["seconds"],
        "hub_ms": (after.hub - before.hub) * per * 1000,
        "postgres_ms": (after.postgres - before.postgres) * per * 1000,
        "node_ms": pushed["cpu"] * per * 1000,
        "load": os.getloadavg()[0],
    }


def describe(figure: dict[str, Any]) -> str:
    """One line of a measure."""
    return (
        f"{figure['changes']:,} changes in {figure['seconds']:.1f} s: {figure['rate']:,.0f}"
        f" changes/s; CPU per 1,000 changes: hub {figure['hub_ms']:.0f} ms, PostgreSQL"
        f" {figure['postgres_ms']:.0f} ms, node {figure['node_ms']:.0f} ms;"
        f" load {figure['load']:.1f}"
    )
