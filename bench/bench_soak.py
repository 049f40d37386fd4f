"""The soak: simulated stations and people browsing against `oreledger serve` on PostgreSQL.

Run from the project root (a scratch database is dropped and created):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_soak nice -n 10 .venv/bin/python \
      bench/bench_soak.py --minutes 60 [--speed 10] [--browsers 3] [--out DIR]

load      the demo province (`oreledger demo --no-serve`: bundle, market, logins), then
          `oreledger serve` (web workers, job worker, scheduler) and
          `oreledger simulate-stations --live --speed S` (every demo station over HTTP,
          signed batches, heartbeats, offline drills) for the whole run, while
          `--browsers` threads, each signed in as a different official or enterprise user,
          walk dashboards and lists with a pause between pages.
memory    every minute the resident set (VmRSS) of every process under `serve` (the
          supervisor, gunicorn's master and workers, the job worker, the scheduler) and of
          the simulator; at the end per process: first, last, and the slope (MiB/hour) of a
          least-squares line over the first and over the last hour (the last half if the
          run is shorter than two hours).
errors    the server's and the simulator's output scanned for ERROR / Traceback / CRITICAL
          lines; every browsing answer other than 200 counted.
totals    tickets the simulator had accepted + held = tickets stored; rejected = rejections
          stored; every consumption entry drawn by a ticket equals that ticket's net weight;
          `verify-ledger` and `verify-chain` clean.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
os.environ.setdefault("OL_VAR_DIR", str(ROOT / "var" / "soak"))
os.environ["OL_DEBUG"] = "false"

BROWSERS = ("province_office", "haicheng_operator", "hc_mine_user", "dashiqiao_operator")
PAGES = (
    "/",
    "/dashboards/",
    "/dashboards/screen/tiles/",
    "/weighing/tickets/",
    "/weighing/waybills/",
    "/weighing/stations/",
    "/registry/enterprises/",
    "/registry/sites/",
    "/quotas/",
    "/alerts/",
    "/trade/listings/",
)
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|Traceback)\b")


def fresh_database(url: str) -> None:
    """Drop and create the scratch database named in the URL."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def oreledger(*args: str) -> list[str]:
    """The command line of one `oreledger` command."""
    return [sys.executable, "-m", "oreledger", *args]


def descendants(root: int) -> list[int]:
    """Every process under `root` (from /proc's parent links), root included."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def process_label(pid: int) -> str | None:
    """A stable name for a process: its role in `serve` (pids change when one restarts)."""
    try:
        argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    line = " ".join(part.decode(errors="replace") for part in argv if part)
    if "simulate-stations" in line:
        return "simulator"
    if "gunicorn" in line or "oreledger.config.wsgi" in line:
        return "gunicorn"
    for role in ("worker", "scheduler", "serve"):
        if f"oreledger {role}" in line:
            return role
    return line[:60]


def rss_kib(pid: int) -> int | None:
    """VmRSS of one process in KiB."""
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def sample_memory(roots: list[int]) -> dict[str, int]:
    """label → RSS (KiB) of every process under the roots; gunicorn's are told apart by age."""
    seen: dict[str, int] = {}
    gunicorn: list[tuple[int, int]] = []
    for root in roots:
        for pid in descendants(root):
            label, rss = process_label(pid), rss_kib(pid)
            if label is None or rss is None:
                continue
            if label == "gunicorn":
                gunicorn.append((pid, rss))
            else:
                seen[label] = rss
    # The lowest pid is the master; its workers follow (a restarted worker takes a new pid
    # and the place of the one it replaced, so the series stays per place).
    for place, (_pid, rss) in enumerate(sorted(gunicorn)):
        seen["gunicorn-master" if place == 0 else f"gunicorn-worker-{place}"] = rss
    return seen


def slope_mib_per_hour(points: list[tuple[float, int]]) -> float:
    """Least-squares slope of (seconds, KiB) points, in MiB per hour."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if not var:
        return 0.0
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600 / 1024


class Browser(threading.Thread):
    """One person signed in, walking the pages with a pause between them."""

    def __init__(self, base: str, username: str, password: str, pause: float) -> None:
        super().__init__(daemon=True)
        self.base, self.username, self.password, self.pause = base, username, password, pause
        self.statuses: Counter[str] = Counter()
        self.stopping = threading.Event()

    def run(self) -> None:
        import requests

        session = requests.Session()
        session.headers["Accept-Language"] = "zh-CN"
        if not self.sign_in(session):
            return
        while not self.stopping.is_set():
            for page in PAGES:
                if self.stopping.is_set():
                    break
                try:
                    answer = session.get(self.base + page, timeout=60, allow_redirects=False)
                    self.statuses[f"{page} {answer.status_code}"] += 1
                except requests.RequestException as exc:
                    self.statuses[f"{page} {type(exc).__name__}"] += 1
                self.stopping.wait(self.pause)

    def sign_in(self, session: Any) -> bool:
        """The login form, as a browser fills it (CSRF cookie and field, Referer)."""
        login = self.base + "/accounts/login/"
        session.get(login, timeout=60)
        answer = session.post(
            login,
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
            },
            headers={"Referer": login},
            timeout=60,
            allow_redirects=False,
        )
        self.statuses[f"sign-in {answer.status_code}"] += 1
        return answer.status_code == 302


def wait_for(base: str, seconds: float) -> None:
    """Until the web server answers the sign-in page."""
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/accounts/login/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("oreledger serve did not come up")


def stop(process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """SIGTERM, then SIGKILL to its group if it hangs."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def scan(path: Path) -> list[str]:
    """Error lines of one log."""
    return [
        line for line in path.read_text(errors="replace").splitlines() if ERROR_LINE.search(line)
    ]


def last_progress(path: Path) -> dict[str, int]:
    """The simulator's last progress line, as counts."""
    lines = [
        line for line in path.read_text(errors="replace").splitlines() if "tickets sent" in line
    ]
    if not lines:
        return {}
    line = lines[-1]
    counts = {}
    for key, pattern in (
        ("sent", r"tickets sent (\d+)"),
        ("accepted", r"· accepted (\d+)"),
        ("held", r"· held (\d+)"),
        ("rejected", r"· rejected (\d+)"),
        ("buffered", r"· buffered (\d+)"),
        ("waybills", r"· waybills (\d+)"),
    ):
        match = re.search(pattern, line)
        counts[key] = int(match.group(1)) if match else -1
    return counts


def counts() -> dict[str, int]:
    """Tickets and rejections stored so far."""
    from oreledger.weighing.models import Ticket, TicketRejection

    return {"tickets": Ticket.objects.count(), "rejections": TicketRejection.objects.count()}


def totals(out: Path, baseline: dict[str, int]) -> dict[str, Any]:
    """What the database holds (beyond the baseline), and the verify commands' verdicts."""
    from django.db.models import F, Sum

    from oreledger.quotas.models import LedgerEntry
    from oreledger.weighing.models import Ticket

    drawn = Ticket.objects.filter(quota_entry__isnull=False)
    mismatched = drawn.exclude(quota_entry__amount_kg=F("net_kg")).count()
    now = counts()
    result: dict[str, Any] = {
        "tickets_stored": now["tickets"] - baseline["tickets"],
        "rejections_stored": now["rejections"] - baseline["rejections"],
        "tickets_drawing_quota": drawn.count(),
        "net_kg_of_drawing_tickets": drawn.aggregate(s=Sum("net_kg"))["s"] or 0,
        "consumption_entries_kg": LedgerEntry.objects.filter(
            pk__in=drawn.values("quota_entry")
        ).aggregate(s=Sum("amount_kg"))["s"]
        or 0,
        "entries_unequal_to_their_ticket": mismatched,
    }
    for command in ("verify-ledger", "verify-chain"):
        done = subprocess.run(  # noqa: S603 (our own command)
            oreledger(command), capture_output=True, text=True, env=os.environ.copy()
        )
        (out / f"{command}.txt").write_text(done.stdout + done.stderr)
        result[command] = {
            "exit": done.returncode,
            "last": (done.stdout.strip().splitlines() or [""])[-1],
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--speed", type=float, default=10.0, help="live traffic multiple")
    parser.add_argument("--browsers", type=int, default=3)
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between pages")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "soak-out")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database (the demo province loaded in it)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OL_DEBUG": "false"}
    started = time.monotonic()
    if not args.reuse:
        fresh_database(url)
    with open(args.out / "demo.log", "wb") as demo_log:
        # Loads the province on an empty database; on a reused one it migrates and says so.
        subprocess.run(oreledger("demo", "--no-serve"), env=env, check=True,  # noqa: S603
                       stdout=demo_log, stderr=subprocess.STDOUT)  # fmt: skip
    print(f"demo province ready in {time.monotonic() - started:.0f} s", flush=True)
    import django

    django.setup()
    baseline = counts()

    from testkit.processes import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = args.out / "serve.log"
    simulator_log = args.out / "simulator.log"
    server_out = open(server_log, "wb")  # noqa: SIM115 (open while the child runs)
    simulator_out = open(simulator_log, "wb")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 (our own command)
        oreledger("serve", "--port", str(port)), env=env, start_new_session=True,
        stdout=server_out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for(base, 120)
    simulator = subprocess.Popen(  # noqa: S603 (our own command)
        oreledger("simulate-stations", "--url", base, "--live", "--speed", str(args.speed),
                  "--offline-drill", "--progress-every", "60"),
        env=env, start_new_session=True,
        stdout=simulator_out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    from oreledger.demo.services import DEMO_PASSWORD

    browsers = [
        Browser(base, BROWSERS[n % len(BROWSERS)], DEMO_PASSWORD, args.pause)
        for n in range(args.browsers)
    ]
    for browser in browsers:
        browser.start()

    samples: list[tuple[float, dict[str, int]]] = []
    began = time.monotonic()
    with open(args.out / "memory.jsonl", "w") as memory:
        while time.monotonic() - began < args.minutes * 60:
            if server.poll() is not None or simulator.poll() is not None:
                print("a process ended early", server.returncode, simulator.returncode)
                break
            sample = sample_memory([server.pid, simulator.pid])
            at = time.monotonic() - began
            samples.append((at, sample))
            memory.write(json.dumps({"t": round(at), **sample}) + "\n")
            memory.flush()
            print(f"{at / 60:6.1f} min  " + "  ".join(
                f"{k} {v // 1024}M" for k, v in sorted(sample.items())), flush=True)  # fmt: skip
            time.sleep(args.every)

    for browser in browsers:
        browser.stopping.set()
    for browser in browsers:
        browser.join(timeout=90)
    stop(simulator, 90)  # it sends what its outboxes hold first
    time.sleep(5)  # the last batches' jobs
    stop(server)

    from django.db import connections

    connections.close_all()
    report: dict[str, Any] = {
        "minutes": round((time.monotonic() - began) / 60, 1),
        "speed": args.speed,
        "simulator": last_progress(simulator_log),
        "totals": totals(args.out, baseline),
        "errors": {"serve": scan(server_log)[:40], "simulator": scan(simulator_log)[:40]},
        "browsing": dict(sum((b.statuses for b in browsers), Counter())),
        "memory": memory_report(samples),
    }
    (args.out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report, indent=1, ensure_ascii=False))


def memory_report(samples: list[tuple[float, dict[str, int]]]) -> dict[str, Any]:
    """Per process: first and last RSS (MiB), and the slope over the first and last hour."""
    if not samples:
        return {}
    end = samples[-1][0]
    hour = 3600.0 if end >= 7200 else end / 2
    labels = sorted({label for _, sample in samples for label in sample})
    report = {"window_minutes": round(hour / 60, 1)}
    for label in labels:
        series = [(t, s[label]) for t, s in samples if label in s]
        first = [(t, v) for t, v in series if t <= hour]
        last = [(t, v) for t, v in series if t >= end - hour]
        report[label] = {
            "first_mib": round(series[0][1] / 1024, 1),
            "last_mib": round(series[-1][1] / 1024, 1),
            "max_mib": round(max(v for _, v in series) / 1024, 1),
            "slope_first_mib_h": round(slope_mib_per_hour(first), 2),
            "slope_last_mib_h": round(slope_mib_per_hour(last), 2),
            "samples": len(series),
        }
    return report


if __name__ == "__main__":
    main()
