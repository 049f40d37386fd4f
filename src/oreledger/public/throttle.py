"""Rate limit per client address, kept in the database so every worker process shares it.

Each request moves its address's window with conditional UPDATEs (no read-modify-write in
Python), so concurrent workers count every request exactly once.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from oreledger.public.errors import RateLimited
from oreledger.public.models import ClientWindow


def client_address(request: HttpRequest) -> str:
    """The caller's address (the proxy sets REMOTE_ADDR correctly in production)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def admit(request: HttpRequest) -> None:
    """Count this request against its address; RateLimited past OL_PUBLIC_RATE_LIMIT."""
    address = client_address(request)
    now = timezone.now()
    window = settings.OL_PUBLIC_RATE_WINDOW_SECONDS
    opened = now - datetime.timedelta(seconds=window)
    rows = ClientWindow.objects.filter(address=address)
    counted = rows.filter(started_at__gt=opened).update(count=F("count") + 1)
    # A window that ended starts again with this request.
    if not counted and not rows.filter(started_at__lte=opened).update(started_at=now, count=1):
        try:
            with transaction.atomic():
                ClientWindow.objects.create(address=address, started_at=now, count=1)
        except IntegrityError:
            # Another worker opened the window between our statements.
            rows.update(count=F("count") + 1)
    started_at, count = rows.values_list("started_at", "count").get()
    if count > settings.OL_PUBLIC_RATE_LIMIT:
        remaining = (started_at - opened).total_seconds()
        raise RateLimited(retry_after=max(1, math.ceil(remaining)))


def prune_windows(*, now: datetime.datetime | None = None) -> int:
    """Forget windows that ended; returns how many were removed."""
    now = now or timezone.now()
    opened = now - datetime.timedelta(seconds=settings.OL_PUBLIC_RATE_WINDOW_SECONDS)
    deleted, _ = ClientWindow.objects.filter(started_at__lte=opened).delete()
    return deleted
