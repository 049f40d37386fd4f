"""What the hub passes on from one county to the others: a county's blacklisting of a plate.

Only the owner changes a record, so a county cannot blacklist the province's vehicle record or
another county's; it keeps its own blacklisting (`registry.VehicleBlacklisting`, owned by the
node). The hub applies it like any change of that node and, in the same transaction, writes
it to its own outbox as received — owner unchanged — so it goes down with the reference data
to every other county, read-only there like any received record.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oreledger.federation.models import OutboxChange
from oreledger.federation.services.outbox import next_seqs

# Records of one county that every county must hold.
RELAYED = frozenset({"registry.vehicleblacklisting"})


def relay(changes: list[dict[str, Any]], *, owner: str) -> int:
    """On the hub, inside the batch's transaction: the node's relayed changes into the hub's
    outbox (their owner kept), for the other nodes' reference pull; returns how many."""
    passed = [c for c in changes if c["model"] in RELAYED]
    if not passed:
        return 0
    first = next_seqs(len(passed))
    OutboxChange.objects.bulk_create(
        OutboxChange(
            seq=first + i,
            model=change["model"],
            uuid=change["uuid"],
            version=change["version"],
            op=change["op"],
            at=parse_datetime(change["at"]) or timezone.now(),
            data=None if change["op"] == "delete" else {**change["data"], "owner_node": owner},
        )
        for i, change in enumerate(passed)
    )
    return len(passed)


def is_relayed(change: dict[str, Any]) -> bool:
    """Whether a reference change is a county's record the hub passed on."""
    return change.get("model") in RELAYED


def relayed_owner(change: OutboxChange | dict[str, Any]) -> str | None:
    """The county that owns a relayed change (None: a province record)."""
    model = change.model if isinstance(change, OutboxChange) else change.get("model")
    data = change.data if isinstance(change, OutboxChange) else change.get("data")
    if model not in RELAYED:
        return None
    return str((data or {}).get("owner_node", "")) or None


def from_another_county(change: dict[str, Any]) -> bool:
    """On a node: a relayed change of another county (its own come back: left out)."""
    return is_relayed(change) and relayed_owner(change) != settings.OL_NODE_CODE
