"""The node's side: push the outbox from the hub's acked seq, pull reference data, heartbeat.
Run by the node's job workers; every failure is kept on the HubLink and retried next time."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from oreledger.federation.errors import FederationError
from oreledger.federation.models import HubLink, OutboxChange
from oreledger.federation.services.apply import apply_changes, check_owner
from oreledger.federation.services.checkpoints import pending_checkpoints
from oreledger.federation.services.hub import MAX_BATCH_BYTES, MAX_CHANGES
from oreledger.federation.services.outbox import last_seq
from oreledger.federation.services.relay import from_another_county, is_relayed
from oreledger.weighing.signing import sign

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Answer:
    """The hub's HTTP answer: status and JSON body (status 0: no answer at all)."""

    status: int
    body: dict[str, Any]


def hub_link() -> HubLink:
    """The node's one HubLink row."""
    link, _ = HubLink.objects.get_or_create(pk=1)
    return link


def _secret() -> str:
    path = Path(str(getattr(settings, "OL_HUB_SECRET_FILE", "")))
    return str(json.loads(path.read_text())["secret"])


def call_hub(method: str, path: str, payload: Any = None) -> Answer:
    """One signed request to the hub."""
    body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
    stamp = str(int(timezone.now().timestamp()))
    route = path.split("?", 1)[0]
    headers = {
        "Content-Type": "application/json",
        "X-OL-Node": str(settings.OL_NODE_CODE),
        "X-OL-Timestamp": stamp,
        "X-OL-Signature": sign(_secret(), stamp, method, route, body),
    }
    url = str(settings.OL_HUB_URL).rstrip("/") + path
    if not url.startswith(("http://", "https://")):
        return Answer(0, {"error": {"code": "unreachable", "message": "OL_HUB_URL is not http(s)"}})
    # Checked just above: only http(s) URLs are opened.
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return Answer(response.status, json.loads(response.read() or b"{}"))
    except urllib.error.HTTPError as error:
        try:
            return Answer(error.code, json.loads(error.read() or b"{}"))
        except ValueError:
            return Answer(error.code, {})
    except (OSError, ValueError) as error:
        return Answer(0, {"error": {"code": "unreachable", "message": str(error)[:300]}})


def next_batch(acked_seq: int) -> list[dict[str, Any]]:
    """The outbox changes after `acked_seq`, up to the spec's 1,000 changes and 4 MiB."""
    batch: list[dict[str, Any]] = []
    size = 0
    for row in OutboxChange.objects.filter(seq__gt=acked_seq).order_by("seq")[:MAX_CHANGES]:
        wire = row.as_wire()
        size += len(json.dumps(wire, separators=(",", ":")).encode())
        if batch and size > MAX_BATCH_BYTES - 1024:
            break
        batch.append(wire)
    return batch


def _fail(link: HubLink, answer: Answer) -> None:
    error = answer.body.get("error") or {}
    link.last_error = f"{answer.status} {error.get('code', '')}: {error.get('message', '')}"[:500]
    if error.get("code") == "node_restored":
        link.restored = True
    link.save()


def push() -> int:
    """Send the outbox to the hub from its acked seq until empty or refused; returns how many
    changes the hub acknowledged."""
    link = hub_link()
    sent = 0
    while True:
        batch = next_batch(link.acked_seq)
        if not batch:
            return sent
        payload = {"node": settings.OL_NODE_CODE, "from_seq": batch[0]["seq"], "changes": batch}
        answer = call_hub("POST", "/api/v1/federation/changes", payload)
        link.last_push_at = timezone.now()
        if answer.status == 409 and isinstance(answer.body.get("expected_seq"), int):
            # seq_gap: the hub lost what it had acked (or never got it): resend from there.
            link.acked_seq = answer.body["expected_seq"] - 1
            link.save()
            continue
        if answer.status != 200 or not isinstance(answer.body.get("acked_seq"), int):
            _fail(link, answer)
            return sent
        acked = answer.body["acked_seq"]
        if acked > last_seq():
            # The hub holds changes this node no longer has: restored from an older backup.
            _fail(link, Answer(409, {"error": {"code": "node_restored", "message": str(acked)}}))
            return sent
        sent += max(acked - link.acked_seq, 0)
        link.acked_seq, link.last_error = acked, ""
        link.save()


def heartbeat() -> Answer:
    """Tell the hub the node's last seq (the hub detects a restored node from it), with the
    chain-head checkpoints the hub does not hold yet."""
    link = hub_link()
    payload = {
        "node": settings.OL_NODE_CODE,
        "last_seq": last_seq(),
        "time": timezone.now().isoformat(),
        "checkpoints": pending_checkpoints(link.checkpoint_day),
    }
    answer = call_hub("POST", "/api/v1/federation/heartbeat", payload)
    if answer.status != 200:
        _fail(link, answer)
        return answer
    held = answer.body.get("checkpoint_day")
    with contextlib.suppress(ValueError):
        day = parse_date(held) if isinstance(held, str) else None
        if day is not None:
            HubLink.objects.filter(pk=link.pk).update(checkpoint_day=day)
    return answer


def pull() -> int:
    """Apply the hub's reference changes since the last hub seq applied; returns how many."""
    link = hub_link()
    applied = 0
    while True:
        answer = call_hub("GET", f"/api/v1/federation/reference?since={link.reference_seq}")
        if answer.status != 200:
            _fail(link, answer)
            return applied
        changes, reached = answer.body.get("changes", []), answer.body.get("last_seq")
        if not isinstance(reached, int) or reached <= link.reference_seq:
            return applied
        try:
            with transaction.atomic():
                # Other counties' records the hub passed on keep their owner; this node's own
                # come back too and are left out (only it changes them).
                relayed = [c for c in changes if from_another_county(c)]
                province = [c for c in changes if not is_relayed(c)]
                check_owner(province, str(answer.body.get("hub", "")))
                apply_changes(province + relayed if relayed else province)
                link.reference_seq = reached
                link.save()
        except FederationError as error:
            link.refresh_from_db()
            _fail(link, Answer(422, error.as_payload()))
            return applied
        applied += len(changes)


def sync() -> dict[str, int]:
    """One round: heartbeat, pull reference data, push the outbox."""
    beat = heartbeat()
    pulled = pull() if beat.status == 200 else 0
    pushed = push() if beat.status == 200 else 0
    return {"pulled": pulled, "pushed": pushed}
