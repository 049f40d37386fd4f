"""What the province reads about its nodes: contact, backlog, lag, refusals and the newest
chain-head checkpoint each sent; and whether a county's node is in step with the hub (the
county assessment's `node_in_step` indicator reads `in_step`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from oreledger.federation.models import Node, NodeCheckpoint
from oreledger.federation.services.hub import MAX_CHANGES

# In step: at most what one push sends is waiting (the node's sync job pushes every minute),
# and nothing waits longer than an hour, the node_silent alert's default. A node not heard
# from within the hour is in step in neither: its backlog is as old as its last heartbeat.
IN_STEP_BACKLOG = MAX_CHANGES
IN_STEP_SECONDS = 3600


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


@dataclass(frozen=True)
class Standing:
    """A county node's backlog and lag as the hub holds them now, each judged in step or not."""

    node: Node
    backlog: int
    lag_seconds: int | None
    heard: bool
    backlog_in_step: bool
    lag_in_step: bool


def in_step(code: str, now: datetime.datetime | None = None) -> Standing | None:
    """The standing of the node registered for region `code` (None: the region runs none).

    Backlog in step: heard from within the hour and at most IN_STEP_BACKLOG changes waiting.
    Lag in step: heard from within the hour, and either nothing waits (an idle county's newest
    change may be old) or the newest change applied is at most an hour old. The figures are
    the node page's (`Node.backlog`, `lag_seconds`); the hub keeps only their present."""
    node = Node.objects.filter(code=code).first()
    if node is None:
        return None
    now = now or timezone.now()
    lag = lag_seconds(node, now)
    limit = datetime.timedelta(seconds=IN_STEP_SECONDS)
    heard = node.last_contact is not None and now - node.last_contact <= limit
    backlog = node.backlog
    fresh = backlog == 0 or (lag is not None and lag <= IN_STEP_SECONDS)
    return Standing(
        node=node,
        backlog=backlog,
        lag_seconds=lag,
        heard=heard,
        backlog_in_step=heard and backlog <= IN_STEP_BACKLOG,
        lag_in_step=heard and fresh,
    )
