"""The few statements every weighed truck runs, prepared once per connection on PostgreSQL.

Django binds parameters client-side, so PostgreSQL parses and plans each of its statements
on every execution; for the statements of the weighing path that planning cost about as
much as the execution, and the ORM's compiling of them as much again. These statements are
written once, in plain SQL, and run through Django's connection (its transaction, its error
wrapping): on PostgreSQL as server-side prepared statements, elsewhere through Django's
cursor. `OL_DB_PREPARE=false` (config.env) turns preparing off behind a pooler.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections


class Ran(NamedTuple):
    """What a statement returned, and how many rows it touched."""

    rows: list[tuple[Any, ...]]
    rowcount: int


def run(sql: str, params: Sequence[Any] | Mapping[str, Any], using: str = DEFAULT_DB_ALIAS) -> Ran:
    """Run one statement in the current transaction (prepared on PostgreSQL)."""
    db = connections[using]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
            return Ran(rows, cursor.rowcount)
    db.ensure_connection()
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as pg:
        pg.execute(sql, params, prepare=True)
        return Ran(pg.fetchall() if pg.description else [], pg.rowcount)
