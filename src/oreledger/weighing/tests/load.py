"""Real-process load helpers: a gunicorn on the test database, and stations sending to it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterable
from typing import Any

from oreledger.core.supervisor import WEB_THREADS, WEB_WORKERS, web_command
from oreledger.weighing.signing import signed_headers
from testkit.processes import child_env, free_port


def start_gunicorn(
    port: int | None = None, *, workers: int = WEB_WORKERS, threads: int = WEB_THREADS
) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn (the production server) on the test database, in its own process group."""
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603 (our own server)
        [
            *web_command(f"127.0.0.1:{port}", workers=workers, threads=threads),
            "--log-level",
            "warning",
        ],
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    kill(process)
    raise RuntimeError("gunicorn did not come up")


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Signal the server's whole process group (master and workers) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


class Station:
    """One weighbridge: signs, sends batches over a kept-alive connection, resends on failure."""

    def __init__(self, port: int, code: str, secret: str) -> None:
        self.port, self.code, self.secret = port, code, secret
        self.connection: http.client.HTTPConnection | None = None

    def call(self, path: str, payload: bytes) -> tuple[int, Any]:
        """POST signed bytes; (status, JSON) or raises OSError when the server is gone."""
        headers = signed_headers(self.code, self.secret, "POST", path, payload)
        headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request("POST", path, body=payload, headers=headers)
                response = self.connection.getresponse()
                return response.status, json.loads(response.read() or b"null")
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def send(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Send one batch; the answer body."""
        status, answer = self.call(
            "/api/v1/station/tickets", json.dumps({"tickets": items}).encode()
        )
        assert status == 200, (status, answer)
        result: dict[str, Any] = answer
        return result

    def last_seq(self) -> int:
        """The platform's last_seq, by heartbeat."""
        status, answer = self.call("/api/v1/station/heartbeat", b'{"status": "ok"}')
        assert status == 200, (status, answer)
        return int(answer["last_seq"])


def batches(items: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    """Consecutive batches of `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
