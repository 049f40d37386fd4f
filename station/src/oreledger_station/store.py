"""The station's own database (SQLite, WAL): tickets waiting for the platform, first passes
waiting for their second, local refusals, and where the weighing logic stood.

Every change that matters is one transaction, committed with ``synchronous=FULL`` so that
a power cut loses nothing the operator saw confirmed: a ticket, the seq it was given and
the scale state that produced it are written together, and on restart the agent picks up
exactly there (nothing lost, nothing weighed twice).

Each thread opens its own `Store` on the same file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tickets (
  local_no INTEGER PRIMARY KEY,
  seq INTEGER UNIQUE,
  ticket_no TEXT NOT NULL,
  plate TEXT NOT NULL,
  body TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at REAL NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'answered')),
  status TEXT,
  release INTEGER,
  reasons TEXT,
  ticket_id TEXT,
  answered_at REAL,
  printed_at REAL
);
CREATE INDEX IF NOT EXISTS tickets_queued ON tickets (state, seq);
CREATE TABLE IF NOT EXISTS passes (
  plate TEXT PRIMARY KEY,
  weight_kg INTEGER NOT NULL,
  at REAL NOT NULL,
  waybill TEXT,
  photos TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS refusals (
  id INTEGER PRIMARY KEY,
  at REAL NOT NULL,
  code TEXT NOT NULL,
  plate TEXT,
  weight_kg INTEGER,
  source TEXT NOT NULL,
  reported INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS checkpoints (
  source TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  events INTEGER NOT NULL DEFAULT 0,
  anchor REAL,
  finished INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class TicketRow:
    """A ticket as the station keeps it: what it sends and what the platform answered."""

    local_no: int
    seq: int | None
    ticket_no: str
    plate: str
    body: dict[str, Any]
    source: str
    created_at: float
    state: str
    status: str | None
    release: bool | None
    reasons: list[dict[str, Any]]
    ticket_id: str | None
    answered_at: float | None

    def item(self) -> dict[str, Any]:
        """The protocol's ticket object (the same bytes on every resend)."""
        assert self.seq is not None
        return {"seq": self.seq, **self.body}


@dataclass(frozen=True)
class Checkpoint:
    """Where the weighing logic stood for one input (live line or a replayed capture)."""

    state: dict[str, Any]
    position: int
    events: int
    anchor: float | None
    finished: bool


_TICKET_COLUMNS = (
    "local_no, seq, ticket_no, plate, body, source, created_at, state, status, release, "
    "reasons, ticket_id, answered_at"
)


def _ticket(row: tuple[Any, ...]) -> TicketRow:
    return TicketRow(
        local_no=row[0],
        seq=row[1],
        ticket_no=row[2],
        plate=row[3],
        body=json.loads(row[4]),
        source=row[5],
        created_at=row[6],
        state=row[7],
        status=row[8],
        release=None if row[9] is None else bool(row[9]),
        reasons=json.loads(row[10]) if row[10] else [],
        ticket_id=row[11],
        answered_at=row[12],
    )


class Store:
    """One connection to the station database."""

    def __init__(self, path: Path | str, *, shared: bool = False) -> None:
        """Open (and create) the database; `shared` lets several threads use the connection
        one at a time (the caller locks)."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(
            str(self.path), isolation_level=None, timeout=30.0, check_same_thread=not shared
        )
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed ticket survives a power cut, not only a crash of the program.
        self.db.execute("PRAGMA synchronous=FULL")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: one writer at a time, all or nothing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- meta ------------------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        """A value of the meta table."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value (inside the caller's transaction if there is one)."""
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- tickets ---------------------------------------------------------------------------

    def add_ticket(self, code: str, body: dict[str, Any], source: str, at: float) -> TicketRow:
        """Queue a ticket (inside the caller's transaction): the next seq if it is known.

        The seq is the station's highest plus one: gap-free and never reused, because the
        ticket and its seq are committed together or not at all. Until the platform has
        told a freshly installed station its `last_seq`, tickets wait unnumbered.
        """
        local_no = self.db.execute("SELECT COALESCE(MAX(local_no), 0) + 1 FROM tickets").fetchone()[
            0
        ]
        ticket_no = f"{code}-{local_no:06d}"
        seq = self._next_seq() if self.meta("seq_base") is not None else None
        full = {"ticket_no": ticket_no, **body}
        self.db.execute(
            "INSERT INTO tickets (local_no, seq, ticket_no, plate, body, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (local_no, seq, ticket_no, body["plate"], _dumps(full), source, at),
        )
        return self.ticket(local_no)

    def _next_seq(self) -> int:
        base = int(self.meta("seq_base") or 0)
        highest = self.db.execute("SELECT MAX(seq) FROM tickets").fetchone()[0]
        return max(base, highest or 0) + 1

    def number_waiting(self, platform_last_seq: int) -> int:
        """Learn the platform's last_seq once; number the tickets that waited for it."""
        with self.transaction():
            if self.meta("seq_base") is None:
                self.set_meta("seq_base", str(platform_last_seq))
            waiting = self.db.execute(
                "SELECT local_no FROM tickets WHERE seq IS NULL ORDER BY local_no"
            ).fetchall()
            for (local_no,) in waiting:
                self.db.execute(
                    "UPDATE tickets SET seq = ? WHERE local_no = ?", (self._next_seq(), local_no)
                )
        return len(waiting)

    def ticket(self, local_no: int) -> TicketRow:
        """One ticket by its local number."""
        row = self.db.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE local_no = ?",  # noqa: S608
            (local_no,),
        ).fetchone()
        if row is None:
            raise KeyError(local_no)
        return _ticket(row)

    def ticket_by_seq(self, seq: int) -> TicketRow | None:
        """One ticket by seq."""
        row = self.db.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE seq = ?",  # noqa: S608
            (seq,),
        ).fetchone()
        return None if row is None else _ticket(row)

    def due(self, limit: int) -> list[TicketRow]:
        """The numbered tickets the platform has not answered yet, lowest seq first."""
        rows = self.db.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets "  # noqa: S608
            "WHERE state = 'queued' AND seq IS NOT NULL ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        return [_ticket(row) for row in rows]

    def queued(self) -> int:
        """How many tickets wait for an answer (numbered or not)."""
        return int(
            self.db.execute("SELECT COUNT(*) FROM tickets WHERE state = 'queued'").fetchone()[0]
        )

    def answer(self, seq: int, result: dict[str, Any], at: float) -> None:
        """Store the platform's answer for one ticket (inside the caller's transaction)."""
        self.db.execute(
            "UPDATE tickets SET state = 'answered', status = ?, release = ?, reasons = ?, "
            "ticket_id = ?, answered_at = ? WHERE seq = ?",
            (
                str(result.get("status")),
                1 if result.get("release") else 0,
                _dumps(list(result.get("reasons") or [])),
                result.get("ticket_id"),
                at,
                seq,
            ),
        )

    def requeue_after(self, platform_last_seq: int) -> int:
        """The platform lost what it had answered after `last_seq`: send those again."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE tickets SET state = 'queued' WHERE state = 'answered' AND seq > ?",
                (platform_last_seq,),
            )
        return int(cursor.rowcount)

    def highest_answered(self) -> int:
        """The highest seq the platform has answered."""
        value = self.db.execute("SELECT MAX(seq) FROM tickets WHERE state = 'answered'").fetchone()[
            0
        ]
        return int(value or 0)

    def latest(self, limit: int = 10) -> list[TicketRow]:
        """The most recent tickets, newest first."""
        rows = self.db.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets ORDER BY local_no DESC LIMIT ?",  # noqa: S608
            (limit,),
        ).fetchall()
        return [_ticket(row) for row in rows]

    def tickets_of(self, source: str) -> list[TicketRow]:
        """Every ticket an input produced, in seq order."""
        rows = self.db.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE source = ? "  # noqa: S608
            "ORDER BY seq IS NULL, seq, local_no",
            (source,),
        ).fetchall()
        return [_ticket(row) for row in rows]

    def mark_printed(self, local_no: int, at: float) -> None:
        """Note that the ticket was printed."""
        self.db.execute("UPDATE tickets SET printed_at = ? WHERE local_no = ?", (at, local_no))

    # --- first passes ----------------------------------------------------------------------

    def first_pass(self, plate: str) -> dict[str, Any] | None:
        """The truck's first weighing, if it waits for its second."""
        row = self.db.execute(
            "SELECT weight_kg, at, waybill, photos FROM passes WHERE plate = ?", (plate,)
        ).fetchone()
        if row is None:
            return None
        return {"weight_kg": row[0], "at": row[1], "waybill": row[2], "photos": json.loads(row[3])}

    def keep_pass(
        self, plate: str, weight_kg: int, at: float, waybill: str | None, photos: list[Any]
    ) -> None:
        """Keep a first weighing until the same truck comes back (replaces an older one)."""
        self.db.execute(
            "INSERT INTO passes (plate, weight_kg, at, waybill, photos) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (plate) DO UPDATE SET weight_kg = excluded.weight_kg, "
            "at = excluded.at, waybill = excluded.waybill, photos = excluded.photos",
            (plate, weight_kg, at, waybill, _dumps(photos)),
        )

    def drop_pass(self, plate: str) -> None:
        """Forget a truck's first weighing (paired, or too old)."""
        self.db.execute("DELETE FROM passes WHERE plate = ?", (plate,))

    def waiting_passes(self) -> int:
        """How many first weighings wait for their truck."""
        return int(self.db.execute("SELECT COUNT(*) FROM passes").fetchone()[0])

    # --- refusals --------------------------------------------------------------------------

    def add_refusal(
        self, code: str, plate: str | None, weight_kg: int | None, source: str, at: float
    ) -> int:
        """Record a local refusal (inside the caller's transaction)."""
        cursor = self.db.execute(
            "INSERT INTO refusals (at, code, plate, weight_kg, source) VALUES (?, ?, ?, ?, ?)",
            (at, code, plate, weight_kg, source),
        )
        return int(cursor.lastrowid or 0)

    def refusals(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest local refusals, newest first."""
        rows = self.db.execute(
            "SELECT id, at, code, plate, weight_kg, reported FROM refusals "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        keys = ("id", "at", "code", "plate", "weight_kg", "reported")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def refusals_since(self, since: float) -> list[dict[str, Any]]:
        """Local refusals at or after a moment, oldest first."""
        rows = self.db.execute(
            "SELECT id, at, code, plate, weight_kg, reported FROM refusals WHERE at >= ? "
            "ORDER BY id",
            (since,),
        ).fetchall()
        keys = ("id", "at", "code", "plate", "weight_kg", "reported")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def unreported_refusals(self) -> int:
        """Refusals the platform has not heard of yet."""
        return int(
            self.db.execute("SELECT COUNT(*) FROM refusals WHERE reported = 0").fetchone()[0]
        )

    def mark_reported(self, up_to_id: int) -> None:
        """The platform has heard of every refusal up to this one."""
        with self.transaction():
            self.db.execute("UPDATE refusals SET reported = 1 WHERE id <= ?", (up_to_id,))

    def last_refusal_id(self) -> int:
        """The id of the latest refusal (0 when none)."""
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM refusals").fetchone()[0])

    # --- checkpoints -----------------------------------------------------------------------

    def checkpoint(self, source: str) -> Checkpoint | None:
        """Where the input stood when last saved."""
        row = self.db.execute(
            "SELECT state, position, events, anchor, finished FROM checkpoints WHERE source = ?",
            (source,),
        ).fetchone()
        if row is None:
            return None
        return Checkpoint(json.loads(row[0]), row[1], row[2], row[3], bool(row[4]))

    def save_checkpoint(
        self,
        source: str,
        state: dict[str, Any],
        *,
        position: int = 0,
        events: int = 0,
        anchor: float | None = None,
        finished: bool = False,
    ) -> None:
        """Save where the input stands (inside the caller's transaction)."""
        self.db.execute(
            "INSERT INTO checkpoints (source, state, position, events, anchor, finished) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET "
            "state = excluded.state, position = excluded.position, events = excluded.events, "
            "anchor = COALESCE(excluded.anchor, checkpoints.anchor), finished = excluded.finished",
            (source, _dumps(state), position, events, anchor, 1 if finished else 0),
        )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
