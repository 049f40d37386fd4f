"""What the province reads about its nodes: contact, backlog, lag, refusals and the newest
chain-head checkpoint each sent; and whether a county's node is in step with the hub (the
county assessment's `node_in_step` indicator reads `in_step`)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from oreledger.federation.models import Node, NodeCheckpoint
from oreledger.federation.services.hub import MAX_CHANGES

# In step: at most what one push sends is waiting (the node's sync job pushes every minute),
# and nothing waits longer than an hour, the node_silent alert's default. A node not heard
# from within the hour is in step in neither: its backlog is as old as its last heartbeat.
IN_STEP_BACKLOG = MAX_CHANGES
IN_STEP_SECONDS = 3600

# A refusal is kept as "code: sentence" (services.hub.record_refusal); people read the sentence.
_CODE_PREFIX = re.compile(r"^[a-z_]+: ")


@dataclass(frozen=True)
class NodeState:
    """One node as the province sees it (the API's row and the page's)."""

    code: str
    name: str
    last_contact: datetime.datetime | None
    node_last_seq: int
    acked_seq: int
    backlog: int
    lag_seconds: int | None
    refused_batches: int
    last_error: str
    restored: bool
    checkpoint_day: datetime.date | None
    checkpoint_heads: int

    def as_api(self) -> dict[str, Any]:
        """The row of GET /api/v1/federation/nodes (times as ISO 8601 text)."""
        return {
            "code": self.code,
            "name": self.name,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "node_last_seq": self.node_last_seq,
            "acked_seq": self.acked_seq,
            "backlog": self.backlog,
            "lag_seconds": self.lag_seconds,
            "refused_batches": self.refused_batches,
            "last_error": self.last_error,
            "restored": self.restored,
            "checkpoint_day": self.checkpoint_day.isoformat() if self.checkpoint_day else None,
            "checkpoint_heads": self.checkpoint_heads,
        }

    @property
    def error_sentence(self) -> str:
        """The last refusal as people read it: the sentence, without its code."""
        return _CODE_PREFIX.sub("", self.last_error)

    @property
    def needs_attention(self) -> bool:
        """Restored, refused, erring or behind: something for the province to look at."""
        return self.restored or bool(self.last_error) or self.backlog > 0

    @property
    def state_class(self) -> str:
        """The badge's colour: red when the county must act, amber while it catches up."""
        if self.restored or self.last_error:
            return "state-expired"
        return "state-expiring" if self.backlog > 0 else "state-valid"

    @property
    def state(self) -> str:
        """The node's state in a few words."""
        if self.restored:
            return _("Restored from an older backup")
        if self.last_error:
            return _("Refusing batches")
        if self.backlog > 0:
            return _("Catching up")
        return _("Up to date")


def lag_seconds(node: Node, now: datetime.datetime) -> int | None:
    """Now minus the time of the newest change applied from the node (None: nothing yet)."""
    if node.newest_change_at is None:
        return None
    return max(int((now - node.newest_change_at).total_seconds()), 0)


def lag_in_words(seconds: int | None) -> str:
    """A lag as people say it: "45 秒", "3 分钟", "2 小时 5 分钟", "1 天 4 小时"."""
    if seconds is None:
        return ""
    if seconds < 60:
        return _("%(seconds)d s") % {"seconds": seconds}
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
    if seconds < 3600:
        return _("%(minutes)d min") % {"minutes": minutes}
    if seconds < 86400:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}


def node_states(nodes: QuerySet[Node], now: datetime.datetime | None = None) -> list[NodeState]:
    """One state per node, by code."""
    now = now or timezone.now()
    newest = Subquery(
        NodeCheckpoint.objects.filter(node=OuterRef("pk")).order_by("-day").values("pk")[:1]
    )
    listed = list(nodes.annotate(newest_checkpoint=newest).order_by("code"))
    checkpoints = NodeCheckpoint.objects.in_bulk([n.newest_checkpoint for n in listed])
    states = []
    for n in listed:
        checkpoint = checkpoints.get(n.newest_checkpoint)
        states.append(
            NodeState(
                code=n.code,
                name=n.name,
                last_contact=n.last_contact,
                node_last_seq=n.node_last_seq,
                acked_seq=n.acked_seq,
                backlog=n.backlog,
                lag_seconds=lag_seconds(n, now),
                refused_batches=n.refused_batches,
                last_error=n.last_error,
                restored=n.restored_at is not None,
                checkpoint_day=checkpoint.day if checkpoint else None,
                checkpoint_heads=checkpoint.heads if checkpoint else 0,
            )
        )
    return states


def node_rows(nodes: QuerySet[Node], now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """One row per node as GET /api/v1/federation/nodes gives it."""
    return [state.as_api() for state in node_states(nodes, now)]


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
