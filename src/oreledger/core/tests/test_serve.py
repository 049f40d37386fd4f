"""`oreledger serve`: web, worker and scheduler come up together and stop together."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from testkit.processes import child_env, free_port, start


def _children(pid: int) -> list[int]:
    command = ["ps", "-o", "pid=", "--ppid", str(pid)]
    out = subprocess.run(command, capture_output=True, text=True, check=False).stdout  # noqa: S603
    return [int(p) for p in out.split()]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone(pids: list[int], *, within: float) -> list[int]:
    """The processes still running once all have exited or `within` seconds have passed."""
    deadline = time.monotonic() + within
    alive = [pid for pid in pids if _running(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if _running(pid)]
    return alive


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
            return int(response.status)
    except OSError:
        return 0


def _fetch(url: str) -> tuple[int, str]:
    """Status and body, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_serve_runs_web_worker_and_scheduler_and_stops_cleanly_on_sigterm(world_tx) -> None:
    # given the platform started with one command
    port = free_port()
    process = start(
        "serve",
        "--port",
        str(port),
        "--web-workers",
        "1",
        "--workers",
        "1",
        # the embedded mode as `make demo` runs it: no developer switch
        env={k: v for k, v in child_env().items() if k not in ("OL_DEBUG", "OL_MODE")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline and _get(f"http://127.0.0.1:{port}/accounts/login/") != 200
        ):
            time.sleep(0.3)
        # then the login page answers and three supervised children run
        assert _get(f"http://127.0.0.1:{port}/accounts/login/") == 200
        children = _children(process.pid)
        assert len(children) == 3
        # and it runs without debug pages: a 404 is the product's page, not Django's list of
        # URL patterns, while WhiteNoise still serves the static files
        missing, page = _fetch(f"http://127.0.0.1:{port}/no/such/page/")
        assert (missing, "没有此页面。" in page) == (404, True)
        assert "URLconf" not in page and "Django tried these URL patterns" not in page
        assert _get(f"http://127.0.0.1:{port}/static/core/app.css") == 200
        assert _get(f"http://127.0.0.1:{port}/static/vendor/echarts/echarts.min.js") == 200
        # when it is asked to stop
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            # SIGTERM first: a killed supervisor would leave its children running
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    # then it exits cleanly and leaves no child behind
    assert code == 0
    # (an orphan that has exited lingers until init reaps it: wait for that, not a fixed time)
    assert _gone(children, within=10) == []
