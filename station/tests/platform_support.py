"""A real platform for the agent's tests: `oreledger serve` on the test database, a small
province (a mine with two exit stations and their secrets, a plant, quota, contract), and
the agent run as its own process, exactly as a technician runs it.

Only the tests know the server: the agent's package imports nothing of it.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from oreledger.weighing.models import Waybill
from testkit.processes import child_env, start

DATA = Path(__file__).parent / "data"


@dataclass
class Site:
    """The provisioned mine: its stations (code → secret), contract and site."""

    mine: Any
    stations: dict[str, str]


def provision(world: Any) -> Site:
    """A Haicheng mine with two exit stations, permits, quota and a contract to a plant."""
    from oreledger.weighing.tests.support import build_chain

    chain = build_chain(world, stations_per_mine=2, quota_kg=50_000_000, contract_kg=50_000_000)
    mine = chain.mines[0]
    return Site(mine, dict(mine.stations))


def issue_waybills(site: Site, plates_numbers: list[tuple[str, str]]) -> None:
    """Waybills with the given numbers, one per (plate, number), valid for a day."""
    mine = site.mine
    now = timezone.now()
    Waybill.objects.bulk_create(
        Waybill(
            number=number,
            contract=mine.contract,
            seller_id=mine.contract.seller_id,
            buyer_id=mine.contract.buyer_id,
            origin_site=mine.site,
            destination_site=mine.contract.destination_site,
            region=mine.site.region,
            plate=plate,
            planned_net_kg=34000,
            issued_at=now - datetime.timedelta(hours=3),
            expires_at=now + datetime.timedelta(hours=24),
        )
        for plate, number in plates_numbers
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving() -> Iterator[int]:
    """`oreledger serve` on the test database; yields its port."""
    port = free_port()
    server = start("serve", "--port", str(port), "--web-workers", "1", "--workers", "1",
                   "--no-scheduler", env=child_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(lambda: _up(port, server), "the platform did not come up", timeout=60)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _up(port: int, server: subprocess.Popen[bytes]) -> bool:
    assert server.poll() is None, "the platform died"
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def wait_for(condition: Callable[[], Any], message: str, timeout: float = 60.0) -> Any:
    """Poll until `condition()` is truthy (processes run on their own clocks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(message)


class Cable:
    """A TCP forwarder between the agent and the platform whose cable can be pulled.

    Unplugged, it still accepts connections but drops them at once, as a dead uplink does;
    connections open when it is unplugged are cut.
    """

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.plugged = True
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def unplug(self) -> None:
        """Cut the line (and every connection on it)."""
        self.plugged = False
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def plug(self) -> None:
        """Reconnect the line."""
        self.plugged = True

    def close(self) -> None:
        """Stop forwarding."""
        self.unplug()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.plugged:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def agent_command(
    capture: Path,
    *,
    fmt: str,
    baud: int,
    events: Path,
    station: str,
    server_port: int,
    secret_file: Path,
    data_dir: Path,
    speed: float,
    config: Path | None = None,
) -> list[str]:
    """The replay command line, as a technician types it."""
    command = [
        sys.executable, "-m", "oreledger_station", "replay", str(capture),
        "--format", fmt, "--baud", str(baud), "--events", str(events),
        "--station", station, "--server", f"http://127.0.0.1:{server_port}",
        "--secret-file", str(secret_file), "--data-dir", str(data_dir), "--speed", str(speed),
    ]  # fmt: skip
    if config is not None:
        command += ["--config", str(config)]
    return command


def agent_env() -> dict[str, str]:
    """The agent's environment: nothing of the platform's."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE_URL", "OL_"))
    }


def start_agent(command: list[str], log: Path) -> subprocess.Popen[str]:
    """Start the agent; its log (stderr) goes to a file."""
    return subprocess.Popen(  # noqa: S603 (our own command)
        command, stdout=subprocess.PIPE, stderr=log.open("a"), text=True, env=agent_env()
    )


def finish(agent: subprocess.Popen[str], log: Path, timeout: float = 90.0) -> list[list[str]]:
    """Wait for the replay to end; its output lines, split at tabs."""
    try:
        out, _ = agent.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        agent.kill()
        agent.communicate()
        raise AssertionError(f"the replay did not finish:\n{log.read_text()[-3000:]}") from None
    assert agent.returncode == 0, log.read_text()[-3000:]
    return [line.split("\t") for line in out.splitlines()]


def kill(agent: subprocess.Popen[str]) -> None:
    """SIGKILL: no goodbye, no flush, like pulling the PC's power cord."""
    agent.send_signal(signal.SIGKILL)
    agent.wait(timeout=10)


def local_db(data_dir: Path) -> Callable[[str], Any]:
    """Read the agent's own database (read-only, while it runs)."""

    def query(sql: str) -> Any:
        path = data_dir / "station.sqlite3"
        if not path.exists():
            return None
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                return db.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:
            return None

    return query
