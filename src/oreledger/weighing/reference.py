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
go into a snapshot: weighing's own in its typed fields, another app's (alerts' effective
rules, `RuleContext.cache`) under that app's keys in the snapshot's mapping. The threads of
a process share it: never mutate a value taken from it.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection

if TYPE_CHECKING:
    from oreledger.quotas.models import QuotaAccount
    from oreledger.registry.models import Station, Vehicle

# Every distinct plate weighed is a key; start afresh rather than grow without bound.
MAX_ENTRIES = 20_000


@dataclass(eq=False)
class Snapshot(dict[Any, Any]):
    """What a round has read: reference values under one set of table tokens.

    Weighing's reads are typed fields; the mapping itself holds what other apps' rules read
    under the same tokens, by their own keys (alerts' effective rules: `RuleContext.cache`).
    """

    tokens: tuple[tuple[str, str], ...] = ()
    # Enabled stations by code (None: no such station).
    stations: dict[str, Station | None] = field(default_factory=dict)
    # The grade codes of the standard in force on a local day.
    grades: dict[datetime.date, frozenset[str]] = field(default_factory=dict)
    # Registered vehicles by plate (None: unregistered).
    vehicles: dict[str, Vehicle | None] = field(default_factory=dict)
    # The quota account a mine draws on, by (site id, local year) (None: none opened).
    accounts: dict[tuple[int, int], QuotaAccount | None] = field(default_factory=dict)
    # The blocking codes of a region, by region id.
    blocking: dict[int, frozenset[str]] = field(default_factory=dict)
    # The gate permits a site or its enterprise lacks, by (site id, local day).
    permit_problems: dict[tuple[int, datetime.date], list[str]] = field(default_factory=dict)

    def entries(self) -> int:
        """How many values it holds (every distinct plate weighed is one)."""
        typed = (self.stations, self.grades, self.vehicles, self.accounts, self.blocking)
        return len(self) + len(self.permit_problems) + sum(len(values) for values in typed)


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
    if current is not None and current.tokens == tokens and current.entries() < MAX_ENTRIES:
        return current
    with _swap:
        if _current is None or _current.tokens != tokens or _current.entries() >= MAX_ENTRIES:
            _current = Snapshot(tokens)
        return _current


def latest_snapshot() -> Snapshot:
    """The snapshot this process read last, without reading the tokens (may be out of date).

    For a first look only — which station is calling — that is looked at again under
    `reference_snapshot()` before anything is decided or refused.
    """
    current = _current
    if current is not None and current.entries() < MAX_ENTRIES:
        return current
    return reference_snapshot()
