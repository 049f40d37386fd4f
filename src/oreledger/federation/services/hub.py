"""The hub's side: registering nodes, taking their batches and heartbeats, serving reference."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oreledger.federation.errors import FederationError
from oreledger.federation.models import Node, OutboxChange
from oreledger.federation.records import REFERENCE
from oreledger.federation.services.apply import apply_changes, check_owner
from oreledger.federation.services.checkpoints import keep_checkpoints
from oreledger.federation.services.relay import relay, relayed_owner

MAX_CHANGES = 1000
MAX_BATCH_BYTES = 4 * 1024 * 1024
SECRET_GRACE = datetime.timedelta(days=7)
_FIELDS = {"seq": int, "model": str, "uuid": str, "version": int, "op": str, "at": str}


def _require_hub() -> None:
    if settings.OL_NODE_ROLE != "hub":
        raise FederationError("not_hub", status=404)


def add_node(*, code: str, name: str, rotate: bool = False) -> tuple[Node, str]:
    """Register a county node (or issue a new secret, the old one valid for a grace period)."""
    if not (code.isdigit() and len(code) in (6, 9, 12)):
        raise FederationError("code_invalid")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        node = Node.objects.select_for_update().filter(code=code).first()
        if node is not None and not rotate:
            raise FederationError("node_exists", status=409, node=code)
        if node is None:
            node = Node.objects.create(code=code, name=name or code, secret=secret)
        else:
            node.previous_secret, node.secret = node.secret, secret
            node.previous_secret_until = timezone.now() + SECRET_GRACE
            node.name = name or node.name
            node.save()
    return node, secret


def node_secrets(node: Node, now: datetime.datetime | None = None) -> list[str]:
    """The secrets a node may sign with now: the current one, and the previous in its grace."""
    now = now or timezone.now()
    found = [node.secret]
    if node.previous_secret and node.previous_secret_until and node.previous_secret_until > now:
        found.append(node.previous_secret)
    return found


def parse_batch(node: Node, body: Any) -> tuple[int, list[dict[str, Any]]]:
    """The batch's from_seq and changes, or a 400 `malformed` refusal."""
    if not isinstance(body, dict) or body.get("node") != node.code:
        raise FederationError("malformed", detail="node")
    from_seq, changes = body.get("from_seq"), body.get("changes")
    if not isinstance(from_seq, int) or from_seq < 1 or not isinstance(changes, list):
        raise FederationError("malformed", detail="from_seq, changes")
    if len(changes) > MAX_CHANGES:
        raise FederationError("payload_too_large", status=413)
    for i, change in enumerate(changes):
        if not isinstance(change, dict) or any(
            not isinstance(change.get(k), t) for k, t in _FIELDS.items()
        ):
            raise FederationError("malformed", detail=f"changes[{i}]")
        if change["seq"] != from_seq + i or change["op"] not in ("upsert", "delete"):
            raise FederationError("malformed", detail=f"changes[{i}].seq/op")
        if change["op"] == "upsert" and not isinstance(change.get("data"), dict):
            raise FederationError("malformed", detail=f"changes[{i}].data")
    return from_seq, changes


def receive_batch(*, node: Node, body: Any) -> int:
    """Apply a node's batch in one transaction; returns the hub's acked seq for the node."""
    _require_hub()
    from_seq, changes = parse_batch(node, body)
    try:
        with transaction.atomic():
            locked = Node.objects.select_for_update().get(pk=node.pk)
            if locked.restored_at is not None:
                raise FederationError(
                    "node_restored",
                    status=409,
                    last_seq=locked.node_last_seq,
                    acked=locked.acked_seq,
                )
            if from_seq > locked.acked_seq + 1:
                raise FederationError(
                    "seq_gap", status=409, from_seq=from_seq, expected=locked.acked_seq + 1
                )
            fresh = [c for c in changes if c["seq"] > locked.acked_seq]
            if fresh:
                check_owner(fresh, locked.code, stored=False)
                apply_changes(fresh, owner=locked.code)
                relay(fresh, owner=locked.code)
                newest = parse_datetime(fresh[-1]["at"])
                locked.acked_seq = fresh[-1]["seq"]
                locked.newest_change_at = newest or locked.newest_change_at
                locked.node_last_seq = max(locked.node_last_seq, locked.acked_seq)
            locked.last_contact = timezone.now()
            locked.last_error = ""
            locked.save()
            return int(locked.acked_seq)
    except FederationError as error:
        if error.code != "seq_gap":
            record_refusal(node, error)
        raise


def record_refusal(node: Node, error: FederationError) -> None:
    """Count a refused batch and keep its reason for the province page."""
    Node.objects.filter(pk=node.pk).update(
        refused_batches=F("refused_batches") + 1,
        last_error=f"{error.code}: {error.message_in('zh-hans')}"[:500],
        last_contact=timezone.now(),
    )


def receive_heartbeat(*, node: Node, body: Any) -> dict[str, Any]:
    """Note the node's last seq and keep the checkpoints it carries; a node behind what the
    hub holds was restored: refused. Answers the acked seq and the newest checkpoint day."""
    _require_hub()
    if not isinstance(body, dict) or not isinstance(body.get("last_seq"), int):
        raise FederationError("malformed", detail="last_seq")
    last_seq = body["last_seq"]
    with transaction.atomic():
        locked = Node.objects.select_for_update().get(pk=node.pk)
        # Kept even from a restored node: a signed checkpoint is evidence, not a change.
        newest = keep_checkpoints(locked, body.get("checkpoints"))
        locked.node_last_seq = last_seq
        locked.last_contact = timezone.now()
        if last_seq < locked.acked_seq and locked.restored_at is None:
            locked.restored_at = timezone.now()
        if locked.restored_at is not None:
            error = FederationError(
                "node_restored", status=409, last_seq=last_seq, acked=locked.acked_seq
            )
            locked.last_error = f"{error.code}: {error.message_in('zh-hans')}"[:500]
            locked.save()
        else:
            locked.save()
            return {
                "acked_seq": int(locked.acked_seq),
                "checkpoint_day": newest.isoformat() if newest else None,
            }
    raise error


def node_regions() -> list[str]:
    """On the hub, the county nodes' region codes: their record rules run on the node (the
    alerts arrive federated), so the hub's do not scan them. None elsewhere."""
    if settings.OL_NODE_ROLE != "hub":
        return []
    return list(Node.objects.values_list("code", flat=True))


def _allocation_regions(node: Node) -> set[str]:
    """UUIDs of the regions whose quota accounts concern the node: its county and below, and
    the accounts above it that its allocation hangs from (never another county's)."""
    from oreledger.accounts.models import Region

    own = Region.objects.filter(code=node.code).first()
    if own is None:
        return set()
    above = [p for p in own.path.strip("/").split("/") if p]
    rows = Region.objects.filter(
        models.Q(path__startswith=own.path) | models.Q(code__in=above)
    ).values_list("uuid", flat=True)
    return {str(u) for u in rows}


def _allocation_accounts(rows: list[OutboxChange], regions: set[str]) -> set[str]:
    """UUIDs of the accounts, among those the rows' ledger entries are on, that go down with
    the regions (an entry goes wherever its account goes)."""
    from oreledger.quotas.models import QuotaAccount

    named = {
        str(r.data.get("account"))
        for r in rows
        if r.model == "quotas.ledgerentry" and r.data is not None
    }
    if not named:
        return set()
    found = QuotaAccount.objects.filter(uuid__in=named, region__uuid__in=regions)
    return {str(u) for u in found.values_list("uuid", flat=True)}


def _concerns(change: OutboxChange, regions: set[str], accounts: set[str]) -> bool:
    """Whether a province-owned change goes down to the node (a quota account and the entries
    on it, a rule version: only its own region's and those above)."""
    if change.model not in REFERENCE:
        return False
    if change.model == "quotas.quotaaccount" and change.data is not None:
        return str(change.data.get("region")) in regions
    if change.model == "quotas.ledgerentry" and change.data is not None:
        return str(change.data.get("account")) in accounts
    if change.model == "alerts.ruleversion" and change.data is not None:
        # The province's thresholds and those of the node's own region (never a sibling's).
        region = change.data.get("region")
        return region is None or str(region) in regions
    return True


def reference_changes(
    *, node: Node, since: int, limit: int = MAX_CHANGES
) -> tuple[list[dict[str, Any]], int]:
    """The province-owned changes after hub seq `since` that concern the node, and the hub
    seq reached (past changes that do not concern it, so that it never asks for them again)."""
    _require_hub()
    rows = list(OutboxChange.objects.filter(seq__gt=since).order_by("seq")[:limit])
    reached = rows[-1].seq if rows else since
    regions = _allocation_regions(node)
    accounts = _allocation_accounts(rows, regions)
    return [r.as_wire() for r in rows if _goes_down(r, node, regions, accounts)], int(reached)


def _goes_down(change: OutboxChange, node: Node, regions: set[str], accounts: set[str]) -> bool:
    """A county's relayed change goes to every other county; a province change if it concerns
    the node."""
    county = relayed_owner(change)
    if county is not None:
        return county != node.code
    return _concerns(change, regions, accounts)


def resume_node(*, node: Node) -> Node:
    """Accept a restored node again once its outbox was moved past the hub's acked seq."""
    Node.objects.filter(pk=node.pk).update(restored_at=None, last_error="")
    node.refresh_from_db()
    return node


def flag_silent_nodes(*, now: datetime.datetime | None = None) -> int:
    """Raise node_silent for each node not heard from for the threshold; returns how many."""
    from oreledger.accounts.models import Region
    from oreledger.alerts.choices import SubjectType
    from oreledger.alerts.engine import effective_rules, raise_alert

    now = now or timezone.now()
    cache: dict[Any, Any] = {}
    raised = 0
    regions = {r.code: r for r in Region.objects.filter(code__in=Node.objects.values("code"))}
    province = Region.objects.filter(code=settings.OL_NODE_CODE).first()
    for node in Node.objects.all():
        region = regions.get(node.code, province)
        rule = effective_rules(region, cache).get("node_silent")
        if region is None or rule is None or not rule.enabled:
            continue
        since = node.last_contact or node.created_at
        limit = float(rule.params.get("minutes", 60))
        if since > now - datetime.timedelta(minutes=limit):
            continue
        alert = raise_alert(
            rule="node_silent",
            region=region,
            subject_type=SubjectType.NODE,
            subject_ref=node.code,
            at=now,
            refs={"node": node.code},
            evidence={
                "last_contact": node.last_contact.isoformat() if node.last_contact else None,
                "silent_min": round((now - since).total_seconds() / 60),
                "threshold_min": limit,
                "backlog": node.backlog,
            },
            occurrence=f"node_silent|{node.code}|{since.isoformat()}",
            cache=cache,
        )
        raised += alert is not None
    return raised
