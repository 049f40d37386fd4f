"""gunicorn hooks for bench_station_load.py --sample: a wall-clock sampler in each web worker.

Loaded only by the bench (GUNICORN_CMD_ARGS="--config bench/sampling_gunicorn.py"). Every
5 ms it takes the stacks of the threads that are handling a request (idle pool threads are
left out), counted per phase as named in $OL_BENCH_SAMPLE_DIR/phase; when the worker exits it
appends them as collapsed stacks to <phase>.folded. Wall time, so a thread waiting on
PostgreSQL or on a lock is counted where it waits.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

_DIR = Path(os.environ.get("OL_BENCH_SAMPLE_DIR", "."))
_samples: dict[str, Counter[str]] = {}


def _frame_name(code: Any) -> str:
    path = code.co_filename
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{code.co_name}"


def _sample(me: int) -> None:
    phase, looked = "", 0.0
    while True:
        now = time.monotonic()
        if now - looked > 0.1:
            try:
                phase = (_DIR / "phase").read_text().strip()
            except OSError:
                phase = ""
            looked = now
        if phase:
            counts = _samples.setdefault(phase, Counter())
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                names = []
                walk = frame
                while walk is not None:
                    name = _frame_name(walk.f_code)
                    # The line within the platform's own functions: which statement waits.
                    if name.startswith("oreledger/"):
                        name = f"{name}:{walk.f_lineno}"
                    names.append(name)
                    walk = walk.f_back
                names.reverse()
                # Only threads inside a request; the rest wait for work in the pool.
                if any(n.endswith(":handle_request") for n in names):
                    start = next(i for i, n in enumerate(names) if n.endswith(":handle_request"))
                    counts[";".join(names[start:])] += 1
        time.sleep(0.005)


def post_worker_init(worker: Any) -> None:
    thread = threading.Thread(target=lambda: _sample(threading.get_ident()), daemon=True)
    thread.start()


def worker_exit(server: Any, worker: Any) -> None:
    for phase, counts in _samples.items():
        with (_DIR / f"{phase}.folded").open("a") as out:
            out.write("".join(f"{stack} {n}\n" for stack, n in counts.items()))
