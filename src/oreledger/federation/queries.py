"""What the province reads about its nodes: contact, backlog, lag and refusals."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from oreledger.federation.models import Node


def lag_seconds(node: Node, now: datetime.datetime) -> int | None:
    """Now minus the time of the newest change applied from the node (None: nothing yet)."""
    if node.newest_change_at is None:
        return None
    return max(int((now - node.newest_change_at).total_seconds()), 0)


def node_rows(nodes: QuerySet[Node], now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """One row per node as GET /api/v1/federation/nodes gives it."""
    now = now or timezone.now()
    return [
        {
            "code": n.code,
            "name": n.name,
            "last_contact": n.last_contact.isoformat() if n.last_contact else None,
            "node_last_seq": n.node_last_seq,
            "acked_seq": n.acked_seq,
            "backlog": n.backlog,
            "lag_seconds": lag_seconds(n, now),
            "refused_batches": n.refused_batches,
            "last_error": n.last_error,
            "restored": n.restored_at is not None,
        }
        for n in nodes.order_by("code")
    ]
