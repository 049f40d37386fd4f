"""Reading in-app notifications."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from oreledger.trade.models import Notification


def unread_count(user: Any) -> int:
    """How many of the person's notifications are unread."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return int(Notification.objects.for_user(user).filter(read_at__isnull=True).count())


def mark_read(*, actor: Any, ids: list[int] | None = None) -> int:
    """Mark the person's notifications read (all when `ids` is None); returns how many."""
    rows = Notification.objects.for_user(actor).filter(read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return int(rows.update(read_at=timezone.now()))
