"""Rate limits shared by every web process: one counting row per client, in the database.

The deployments run several gunicorn processes (and the embedded mode runs on SQLite), so a
per-process cache would let each process grant the whole allowance again: the count lives
in `RateWindow`. A request is counted by ONE statement for all of its clients (an upsert
that opens a new window when the old one ended and returns the counts), in autocommit, so
concurrent processes count every request exactly once and no lock is held beyond the
statement. Fixed windows: a client may send `requests` in each `seconds` long window that
its first request opened; past that it is refused with 429 and `Retry-After` until the
window ends. Refused requests count too, so a client hammering on does not get in sooner.

Scopes (settings in config/settings.py, numbers and reasoning in docs/specs/api-essentials.md):
station         the station protocol per authenticated station
station_address the station protocol per client address (before the signature is checked)
token           the API per token
anonymous       the public portal's pages, downloads and API per client address
"""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError
from oreledger.core.models import RateWindow

SCOPES = ("station", "station_address", "token", "anonymous")


def clock() -> float:
    """Now, in Unix seconds (tests put the clock forward here)."""
    return time.time()


class RateLimited(DomainError):
    """Too many requests from one client inside its window."""

    status = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            "rate_limited",
            _("Too many requests; try again in %(seconds)s seconds."),
            params={"seconds": retry_after},
        )


@dataclass(frozen=True)
class Limit:
    """How many requests one client of a scope may send per window."""

    scope: str
    requests: int
    seconds: int


def limit_of(scope: str) -> Limit:
    """The scope's limit as configured now (read per call so tests can override settings)."""
    if scope == "anonymous":
        # The portal's names predate the shared mechanism and stay as deployed.
        return Limit(scope, settings.OL_PUBLIC_RATE_LIMIT, settings.OL_PUBLIC_RATE_WINDOW_SECONDS)
    name = scope.upper()
    return Limit(
        scope,
        getattr(settings, f"OL_RATE_{name}_LIMIT"),
        getattr(settings, f"OL_RATE_{name}_WINDOW_SECONDS"),
    )


def client_address(request: HttpRequest) -> str:
    """The caller's address (the proxy sets REMOTE_ADDR correctly in production)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def admit(*clients: tuple[str, str], now: float | None = None) -> None:
    """Count one request against each (scope, subject); RateLimited if any is past its limit.

    Run outside a transaction (the views that call it hold none): the rows' locks then last
    one statement, and clients behind one address do not wait for each other's requests.
    """
    if not clients:
        return
    now = clock() if now is None else now
    limits = {scope: limit_of(scope) for scope, _subject in clients}
    # Sorted, so that two statements upserting the same keys lock them in the same order.
    keys = sorted({f"{scope}:{subject}"[:100]: limits[scope] for scope, subject in clients}.items())
    quote = connection.ops.quote_name
    table, key_, ends, count = (
        quote(n) for n in (RateWindow._meta.db_table, "key", "ends_at", "count")
    )
    rows = ", ".join(["(%s, %s, 1)"] * len(keys))
    params: list[str | float] = []
    for key, limit in keys:
        params += [key, now + limit.seconds]
    with connection.cursor() as cursor:
        # Every SET expression reads the row as it was, so both columns see the old window.
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {ends}, {count}) VALUES {rows} "  # noqa: S608 (ours)
            f"ON CONFLICT ({key_}) DO UPDATE SET "
            f"{count} = CASE WHEN {table}.{ends} > %s THEN {table}.{count} + 1 ELSE 1 END, "
            f"{ends} = CASE WHEN {table}.{ends} > %s THEN {table}.{ends} "
            f"ELSE excluded.{ends} END "
            f"RETURNING {key_}, {count}, {ends}",
            [*params, now, now],
        )
        counted = cursor.fetchall()
    by_key = dict(keys)
    waits = [ends_at - now for key, seen, ends_at in counted if seen > by_key[key].requests]
    if waits:
        raise RateLimited(retry_after=max(1, math.ceil(max(waits))))


def admit_address(scope: str, request: HttpRequest) -> None:
    """Count one request of this scope against the caller's address."""
    admit((scope, client_address(request)))


def prune_windows(*, now: datetime.datetime | None = None) -> int:
    """Forget windows that ended; returns how many were removed."""
    ended = now.timestamp() if now is not None else clock()
    deleted, _ = RateWindow.objects.filter(ends_at__lte=ended).delete()
    return deleted
