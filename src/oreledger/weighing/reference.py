"""The reference data a weighing reads, kept by each process from one request to the next.

A station's request reads the station, the grading standard in force, the gate permits of
the mine, the rule versions, the blocking set and which quota account the mine draws on:
ten statements of a single ticket's twenty-two, for data that changes a few times a day.

Every table that data comes from has a trigger (migration weighing 0003; the assays, which
decide grade_mismatch at the gate, weighing 0005) that replaces the
table's token in `weighing_referencetoken` on any write — service, import, bulk or raw — in
the writer's own transaction. A request reads all tokens in one statement and reuses the
process's snapshot only if it was started under exactly those tokens; otherwise it starts an
empty one and fills it as it reads. Tokens are random, never counters, so a write that was
rolled back can never leave its data under a token other transactions see; and a snapshot
is filled only after its tokens were read, so what it holds is never older than its tokens.

Only values computed from those tables (and immutable facts such as a contract's number)
go into a snapshot: `weighing.rules`, `weighing.services.tickets` and `alerts.engine` use it
as their `cache`. The threads of a process share it: never mutate a value taken from it.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection

# Every distinct plate weighed is a key; start afresh rather than grow without bound.
MAX_ENTRIES = 20_000


class Snapshot(dict[Any, Any]):
    """Reference values read under one set of table tokens."""

    def __init__(self, tokens: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        self.tokens = tokens


_current: Snapshot | None = None
_swap = threading.Lock()


def reference_tokens() -> tuple[tuple[str, str], ...]:
    """Every reference table's token, as this connection sees them now (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, token FROM weighing_referencetoken ORDER BY name")
        return tuple(cursor.fetchall())


def reference_snapshot() -> Snapshot:
    """The process's snapshot if the reference data is unchanged since it began, else a new one."""
    global _current
    tokens = reference_tokens()
    current = _current
    if current is not None and current.tokens == tokens and len(current) < MAX_ENTRIES:
        return current
    with _swap:
        if _current is None or _current.tokens != tokens or len(_current) >= MAX_ENTRIES:
            _current = Snapshot(tokens)
        return _current


def latest_snapshot() -> Snapshot:
    """The snapshot this process read last, without reading the tokens (may be out of date).

    For a first look only — which station is calling — that is looked at again under
    `reference_snapshot()` before anything is decided or refused.
    """
    current = _current
    if current is not None and len(current) < MAX_ENTRIES:
        return current
    return reference_snapshot()
