"""Single-ticket requests that arrive together in one process are recorded together.

A station sends one ticket per truck. Alone, a ticket costs a dozen statements and a commit;
when stations send at the same moment, the first request to arrive leads: it records every
single-ticket request waiting in this process as one round (`tickets.record_round`: one
transaction, every ticket still decided on its own), answers each, and hands the lead to the
first request that arrived meanwhile. A lone request — every request of a test, a quiet
hour — is a round of one and takes the single-ticket path unchanged.

A leader records on its own thread and database connection; the others wait, holding no
transaction. At most `MAX_ROUND` requests are taken at once, so no answer waits behind an
unbounded round.

Right after a round of several, the stations it answered send their next trucks within a
millisecond or two of each other. The first of them would find the lead free and record a
round of one while the rest queue behind it — and every other round would be a round of one.
So a request that finds the lead free within `GATHER_SECONDS` of the end of a round of
several waits, at most until then, for as many as that round answered (as PostgreSQL's
commit_delay gathers commits only when there are commit_siblings); after a quiet moment or
a round of one it leads at once.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oreledger.weighing.reference import Snapshot

MAX_ROUND = 32
# One lead per process: two leads make smaller rounds that queue on the same locks, and
# answered fewer requests (bench_station_throughput; figures in bench/README.md).
MAX_LEADERS = 1
# Long enough for the stations a round answered to send their next ticket, so that the next
# round gathers them (otherwise every other round is a round of one; bench/README.md).
GATHER_SECONDS = 0.003


@dataclass(eq=False)
class SingleRequest:
    """One station's single-ticket request, waiting for its answer."""

    station: Any
    item: Any
    now: datetime.datetime
    # What its station was looked up under (weighing.reference).
    snapshot: Snapshot
    # Who sent it, looked up again under another reference snapshot (None: as given).
    authenticate: Callable[[Any], Any] | None = None
    answer: Any = None
    error: Exception | None = None
    # Set when this request is handed the lead: the round it must record (it is first in it).
    round: list[SingleRequest] | None = None
    ready: threading.Event = field(default_factory=threading.Event)

    def outcome(self) -> Any:
        """The answer, or the error that stopped its round."""
        if self.error is not None:
            raise self.error
        return self.answer


class Intake:
    """Leaders and followers: a leading thread records a round, the others wait for answers.

    Up to `leaders` rounds run at once (one by default, see MAX_LEADERS). A request leads
    when a lead is free; otherwise it waits, and a leader that finishes hands its lead, with
    the next round already taken from the queue, to the request at the head of it. The
    queue is only ever non-empty while every lead is taken.
    """

    def __init__(
        self,
        record_round: Callable[[list[SingleRequest]], None],
        leaders: int = MAX_LEADERS,
        gather: float = GATHER_SECONDS,
    ) -> None:
        self._record_round = record_round
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._waiting: list[SingleRequest] = []
        self._free = leaders
        self._gather = gather
        # When the lead was last freed, and how many the round that freed it answered.
        self._freed_at = 0.0
        self._freed_by = 0

    def record(self, request: SingleRequest) -> Any:
        """Record the request (leading a round, or within another's) and return its answer."""
        with self._lock:
            if self._free:
                self._free -= 1
                self._wait_for_the_returning()
                # The queue holds only those that arrived while this lead was taken.
                batch: list[SingleRequest] | None = [request, *self._take(MAX_ROUND - 1)]
            else:
                self._waiting.append(request)
                self._arrived.notify()
                batch = None
        if batch is None:
            request.ready.wait()
            batch = request.round
            if batch is None:
                return request.outcome()
        self._lead(batch)
        return request.outcome()

    def waiting(self) -> int:
        """How many requests wait for a round."""
        with self._lock:
            return len(self._waiting)

    def _take(self, most: int = MAX_ROUND) -> list[SingleRequest]:
        batch = self._waiting[:most]
        del self._waiting[:most]
        return batch

    def _wait_for_the_returning(self) -> None:
        """Just after a round of several: wait briefly for the others it answered (lock held)."""
        if self._freed_by < 2:
            return
        until = self._freed_at + self._gather
        while len(self._waiting) < self._freed_by - 1:
            left = until - time.monotonic()
            if left <= 0:
                return
            self._arrived.wait(left)

    def _lead(self, batch: list[SingleRequest]) -> None:
        try:
            self._record_round(batch)
        except Exception as exc:  # every request of the round fails with it, visibly
            for request in batch:
                if request.answer is None:
                    request.error = exc
        finally:
            with self._lock:
                following = self._take()
                if not following:
                    self._free += 1
                    self._freed_at, self._freed_by = time.monotonic(), len(batch)
            for request in batch:
                if request.answer is None and request.error is None:  # interrupted
                    request.error = RuntimeError("the round was interrupted")
                request.ready.set()
            if following:
                following[0].round = following
                following[0].ready.set()
