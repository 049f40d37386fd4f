"""The API fuzzed at length: schemathesis over every operation of the OpenAPI document.

Run from the project root: `.venv/bin/python bench/fuzz_api.py [--examples 100] [--strict]`
(a scratch SQLite file unless DATABASE_URL is set). It runs core/tests/test_api_fuzz.py with
more generated requests per operation than CI does and prints, per operation, its time and
outcome, then the totals. `--strict` also counts requests outside the document that were
answered 2xx (the lists read an empty filter as no filter).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run the fuzz test with the chosen bound and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="requests per operation")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="ol-bench-fuzz-"))
    report = scratch / "junit.xml"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("src", "station/src")),
        "OL_VAR_DIR": str(scratch),
        "OL_FUZZ_EXAMPLES": str(args.examples),
        "OL_FUZZ_STRICT": "1" if args.strict else "0",
    }
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own test run
        [
            sys.executable,
            "-m",
            "pytest",
            "src/oreledger/core/tests/test_api_fuzz.py",
            "-k",
            "every_operation",
            f"--junitxml={report}",
            "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    cases = ET.parse(report).getroot().iter("testcase")  # noqa: S314 - the file we wrote
    rows = []
    for case in cases:
        name = case.get("name", "")
        failed = case.find("failure") is not None or case.find("error") is not None
        rows.append((name, float(case.get("time", 0)), failed))
    for name, seconds, failed in sorted(rows, key=lambda row: -row[1]):
        print(f"{'FAIL' if failed else 'ok  '} {seconds:7.2f}s  {name}")
    failures = sum(failed for *_rest, failed in rows)
    print(
        f"\n{len(rows)} operations × up to {args.examples} requests"
        f"{' (strict)' if args.strict else ''}: {failures} failing, {wall:.0f} s wall"
    )
    if failures:
        print(done.stdout[-20000:])
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
