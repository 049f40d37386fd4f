"""What the province reads about its nodes: contact, backlog, lag, refusals and the newest
chain-head checkpoint each sent."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from oreledger.federation.models import Node, NodeCheckpoint


def lag_seconds(node: Node, now: datetime.datetime) -> int | None:
    """Now minus the time of the newest change applied from the node (None: nothing yet)."""
    if node.newest_change_at is None:
        return None
    return max(int((now - node.newest_change_at).total_seconds()), 0)


def node_rows(nodes: QuerySet[Node], now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """One row per node as GET /api/v1/federation/nodes gives it."""
    now = now or timezone.now()
    newest = Subquery(
        NodeCheckpoint.objects.filter(node=OuterRef("pk")).order_by("-day").values("pk")[:1]
    )
    listed = list(nodes.annotate(newest_checkpoint=newest).order_by("code"))
    checkpoints = NodeCheckpoint.objects.in_bulk([n.newest_checkpoint for n in listed])
    rows = []
    for n in listed:
        checkpoint = checkpoints.get(n.newest_checkpoint)
        rows.append(
            {
                **_row(n, now),
                "checkpoint_day": checkpoint.day.isoformat() if checkpoint else None,
                "checkpoint_heads": checkpoint.heads if checkpoint else 0,
            }
        )
    return rows


def _row(n: Node, now: datetime.datetime) -> dict[str, Any]:
    return {
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
