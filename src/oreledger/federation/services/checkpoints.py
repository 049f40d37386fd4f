"""Chain-head checkpoints through the federation: the node's heartbeat carries its daily
signed checkpoint files (core.checkpoints) that the hub does not hold yet; the hub keeps them
per node, out of reach of the node's database (issue 22, item 0)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oreledger.core.checkpoints import checkpoint_files
from oreledger.core.localtime import local_day
from oreledger.federation.errors import FederationError
from oreledger.federation.models import Node, NodeCheckpoint

# Per heartbeat; a node back after a long silence sends the rest with the next ones.
MAX_CHECKPOINTS = 30


def pending_checkpoints(held_day: datetime.date | None) -> list[dict[str, Any]]:
    """The node's checkpoint files from the newest day the hub holds on (that day again: a
    day's file is rewritten when its checkpoint is taken again), oldest first, as stored."""
    files = [
        path for path in checkpoint_files() if held_day is None or path.stem >= held_day.isoformat()
    ]
    return [json.loads(path.read_text(encoding="utf-8")) for path in files[:MAX_CHECKPOINTS]]


def _parsed(node: Node, item: Any, i: int) -> tuple[datetime.date, dict[str, Any]]:
    """One carried checkpoint's day and columns, or a 400 `malformed` refusal."""
    body = item.get("checkpoint") if isinstance(item, dict) else None
    signature = item.get("signature") if isinstance(item, dict) else None
    taken = parse_datetime(str(body.get("taken_at", ""))) if isinstance(body, dict) else None
    chains = body.get("chains") if isinstance(body, dict) else None
    if (
        not isinstance(body, dict)
        or body.get("node") != node.code
        or taken is None
        or timezone.is_naive(taken)
        or not isinstance(chains, dict)
        or not all(isinstance(heads, dict) for heads in chains.values())
        or not isinstance(signature, str)
        or not 0 < len(signature) <= 128
    ):
        raise FederationError("malformed", detail=f"checkpoints[{i}]")
    return local_day(taken), {"taken_at": taken, "chains": chains, "signature": signature}


def keep_checkpoints(node: Node, items: Any) -> datetime.date | None:
    """Keep the carried checkpoints (one per node and day, the newest taken wins); returns
    the newest day the hub holds for the node. All are checked before any is kept."""
    if items is None:
        items = []
    if not isinstance(items, list) or len(items) > MAX_CHECKPOINTS:
        raise FederationError("malformed", detail="checkpoints")
    parsed = [_parsed(node, item, i) for i, item in enumerate(items)]
    now = timezone.now()
    for day, columns in parsed:
        held = NodeCheckpoint.objects.filter(node=node, day=day).first()
        if held is None:
            NodeCheckpoint.objects.create(node=node, day=day, received_at=now, **columns)
        elif held.taken_at < columns["taken_at"]:
            NodeCheckpoint.objects.filter(pk=held.pk).update(received_at=now, **columns)
    newest = NodeCheckpoint.objects.filter(node=node).order_by("-day").first()
    return newest.day if newest else None
