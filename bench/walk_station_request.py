"""The walk of one station request through the code: places visited, returns to a file left.

Run with pytest from the project root (it needs the test database and the `world` fixture):

    PYTHONPATH=src:station/src .venv/bin/pytest -q -s -p no:randomly bench/walk_station_request.py

One released exit ticket (waybill, quota draw, contract delivery) is POSTed to the station
endpoint, warm (a first request fills the reference snapshot). Every call into the domain
apps' code (src/oreledger, not core, not tests; comprehensions and lambdas left out) made
from the recording path's own modules (`PATH`) is a stop; a return is a stop in a file
that the walk had already left for another one.
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any

import pytest
from django.test import Client

import oreledger
from oreledger.weighing.tests.support import (
    body,
    build_chain,
    exit_gate,
    plate,
    post,
    ticket,
    waybills_for,
)

pytestmark = pytest.mark.django_db
ROOT = os.path.dirname(oreledger.__file__)
# The recording path's own modules.
PATH = ("weighing/api/station.py", "weighing/services/", "weighing/rules.py")
SKIP = {"<listcomp>", "<genexpr>", "<lambda>", "<dictcomp>", "<setcomp>"}


def _walk(send: Any) -> list[tuple[str, str]]:
    stops: list[tuple[str, str]] = []

    def profile(frame: Any, event: str, _arg: Any) -> None:
        if event != "call":
            return
        code = frame.f_code
        path = code.co_filename
        if not path.startswith(ROOT) or code.co_name in SKIP:
            return
        rel = os.path.relpath(path, ROOT)
        if rel.startswith(("core/", "config/")) or "/tests/" in rel or "/migrations/" in rel:
            return
        # The walk as a reader of the recording path follows it: every function the path's
        # own modules call (theirs, and the first function of any other module or app), not
        # the insides of what they call.
        caller = frame.f_back
        while caller is not None and caller.f_code.co_name in SKIP:
            caller = caller.f_back
        by = os.path.relpath(caller.f_code.co_filename, ROOT) if caller is not None else ""
        if not by.startswith(PATH):
            return
        stops.append((rel, code.co_name))

    sys.setprofile(profile)
    try:
        send()
    finally:
        sys.setprofile(None)
    return stops


def test_walk_of_one_released_exit_ticket(world) -> None:
    chain = build_chain(world)
    mine, code, secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(1), plate(2)])
    first = post(Client(), code, secret, body([ticket(1, plate(1), waybill=waybills[0].number)]))
    assert first.status_code == 200
    item = ticket(2, plate(2), waybill=waybills[1].number)
    answer: list[Any] = []
    stops = _walk(lambda: answer.append(post(Client(), code, secret, body([item]))))
    assert answer[0].status_code == 200 and answer[0].json()["results"][0]["release"] is True
    left: set[str] = set()
    returns = 0
    for (before, _), (after, _) in itertools.pairwise(stops):
        if after != before:
            left.add(before)
            returns += after in left
    files = sorted({f for f, _ in stops})
    places = sorted(set(stops))
    print()
    for f, name in stops:
        print(f"  {f}:{name}")
    print(f"stops {len(stops)}, places {len(places)}, files {len(files)}, returns {returns}")
