"""Station agent bench: frames parsed per second on one core, and the agent's resident memory
over a replayed week.

    .venv/bin/python station/bench/bench_station.py [--days 7] [--trucks-per-day 100]

1. Parsing: the committed captures' scenario rendered long (noise, broken checks, cut
   frames included), decoded in one thread; then the same bytes through the whole scale
   logic (decoder + stability + zero + pairing + the local database), without the uplink.
2. A week: `oreledger-station replay` (a separate process, unpaced) of a week of XK3190
   traffic at 1200 baud (10 frames a second, ~6 million frames), sending to a small
   endpoint in this script that checks every signature and answers like the protocol
   (accepted, release, last_seq). The agent's RSS is sampled from /proc as it goes.

A real indicator sends 10–50 frames a second: the goal is ≥ 100× that (5 000 frames/s) and
a flat RSS under 100 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import streams  # noqa: E402  (the tests' capture generator)

from oreledger_station.agent import Agent  # noqa: E402
from oreledger_station.config import IndicatorSettings, Settings, StationSettings  # noqa: E402
from oreledger_station.frames import make_decoder  # noqa: E402

SECRET = "bench-secret"  # noqa: S105 (the bench endpoint's own)
CODE = "BENCH-ST-01"


def parse_rate(fmt: str, baud: int, repeat: int) -> tuple[int, float, float]:
    """(frames, decoder frames/s, whole-logic frames/s) over the scenario repeated."""
    script = streams.Script()
    for n in range(repeat):
        part = streams.recorded(f"辽C{n % 10}", ("WB1", "WB2"))
        script.pieces += part.pieces
        script.duration += part.duration
    data = streams.render(script, fmt, baud)
    decoder = make_decoder(fmt)
    began = time.process_time()
    readings = decoder.feed(data)
    decode = time.process_time() - began
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            station=StationSettings(code=CODE),
            indicator=IndicatorSettings(format=fmt),
            data_dir=Path(folder),
        )
        agent = Agent(settings, uplink=False)
        rate = baud / 10
        began = time.process_time()
        agent.feed(data, lambda end: 1_763_106_000.0 + end / rate)
        whole = time.process_time() - began
        agent.store.close()
    return len(readings), len(readings) / decode, len(readings) / whole


class Platform(BaseHTTPRequestHandler):
    """Checks the signature; answers tickets as accepted and released, with last_seq."""

    last_seq = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        stamp = self.headers["X-OL-Timestamp"]
        digest = hashlib.sha256(body).hexdigest()
        message = f"{stamp}\nPOST\n{self.path}\n{digest}".encode()
        expected = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers["X-OL-Signature"]):
            self.send_response(401)
            self.end_headers()
            return
        data = json.loads(body)
        with self.lock:
            if self.path.endswith("/tickets"):
                results = []
                for ticket in data["tickets"]:
                    Platform.last_seq = max(Platform.last_seq, ticket["seq"])
                    results.append({"seq": ticket["seq"], "status": "accepted",
                                    "ticket_id": f"t{ticket['seq']}", "release": True,
                                    "reasons": []})  # fmt: skip
                answer = {"results": results, "last_seq": Platform.last_seq}
            else:
                answer = {"last_seq": Platform.last_seq, "server_time": "now"}
        raw = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def week_script(days: int, trucks_per_day: int) -> streams.Script:
    """Trucks weighed empty then loaded, spread over each day with the scale idle between."""
    script = streams.Script()
    script.zero(10.0)
    per_truck = 86_400 / trucks_per_day
    for day in range(days):
        for n in range(trucks_per_day):
            plate = f"辽C{(day * trucks_per_day + n) % 100_000:05d}"
            start = script.duration
            script.weigh(plate, 16_000 + 20 * (n % 50))
            script.weigh(plate, 48_000 - 20 * (n % 40), waybill=f"WB{day:02d}{n:06d}")
            script.zero(max(1.0, per_truck - (script.duration - start)))
    return script


def rss_kb(pid: int) -> int:
    """The process's resident set (kB), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def week(days: int, trucks_per_day: int) -> None:
    """Replay `days` of traffic; print RSS as the days go by."""
    script = week_script(days, trucks_per_day)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        capture = root / "week.bin"
        with capture.open("wb") as handle:
            for frame in streams.stream(script, "xk3190", 1200, seed=9):
                handle.write(frame)
        events = root / "events.csv"
        events.write_bytes(streams.events_csv(script))
        (root / "secret").write_text(SECRET)
        size = capture.stat().st_size
        days = script.duration / 86400
        print(f"a week: {len(script.tickets)} tickets, capture {size / 1e6:.1f} MB "
              f"({size // 12:,} frames at 1200 baud, {days:.1f} days)")  # fmt: skip
        command = [
            sys.executable, "-m", "oreledger_station", "replay", str(capture), "--format",
            "xk3190", "--baud", "1200", "--events", str(events), "--station", CODE,
            "--server", f"http://127.0.0.1:{server.server_address[1]}",
            "--secret-file", str(root / "secret"), "--data-dir", str(root / "data"),
            "--speed", "0",
        ]  # fmt: skip
        began = time.monotonic()
        agent = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # noqa: S603
        samples: list[tuple[float, int]] = []
        while agent.poll() is None:
            samples.append((time.monotonic() - began, rss_kb(agent.pid)))
            time.sleep(0.5)
        out = agent.stdout.read().decode() if agent.stdout else ""
        elapsed = time.monotonic() - began
    server.shutdown()
    lines = out.splitlines()
    print(f"replayed in {elapsed:.1f} s: {len(lines)} tickets answered, "
          f"{size / 12 / elapsed:,.0f} frames/s end to end")  # fmt: skip
    marks = [samples[int(len(samples) * k / 7)] for k in range(1, 7)] + [samples[-1]]
    print("RSS over the replay (s → MB): "
          + ", ".join(f"{t:.0f}s→{kb / 1024:.1f}" for t, kb in marks))  # fmt: skip
    print(f"peak RSS {max(kb for _t, kb in samples) / 1024:.1f} MB")
    assert len(lines) == len(script.tickets), "not every ticket was answered"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--trucks-per-day", type=int, default=100)
    parser.add_argument("--skip-week", action="store_true")
    args = parser.parse_args()
    logging.getLogger("oreledger_station").setLevel(logging.ERROR)  # refusals: no plates here
    print(f"one core: {os.cpu_count()} cores on this machine, the bench uses one thread")
    for fmt, baud in (("xk3190", 2400), ("toledo", 4800)):
        frames, decode, whole = parse_rate(fmt, baud, repeat=10)
        print(f"{fmt}: {frames:,} frames; decoder {decode:,.0f} frames/s; "
              f"decoder + scale logic + database {whole:,.0f} frames/s")  # fmt: skip
    if not args.skip_week:
        week(args.days, args.trucks_per_day)


if __name__ == "__main__":
    main()
