"""Station heartbeats (docs/specs/station-protocol.md): the station is alive, its clock drift."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from oreledger.registry.models import Station
from oreledger.weighing.errors import ProtocolError
from oreledger.weighing.models import StationState
from oreledger.weighing.protocol import _instant, _int


def parse_heartbeat(body: Any) -> tuple[int | None, datetime.datetime | None, str]:
    """(last_seq, device_time, status) of a heartbeat body, or ProtocolError(invalid_body)."""
    if not isinstance(body, dict):
        raise ProtocolError("invalid_body", 400)
    last_seq = body.get("last_seq")
    if last_seq is not None and (_int(last_seq) is None or not 0 <= last_seq < 2**63):
        raise ProtocolError("invalid_body", 400)
    raw_time = body.get("device_time")
    device_time = _instant(raw_time) if raw_time is not None else None
    if raw_time is not None and device_time is None:
        raise ProtocolError("invalid_body", 400)
    status = body.get("status", "")
    if not isinstance(status, str) or len(status) > 40 or "\x00" in status:
        raise ProtocolError("invalid_body", 400)
    return last_seq, device_time, status


def record_heartbeat(
    *,
    station: Station,
    device_time: datetime.datetime | None,
    status: str = "",
    now: datetime.datetime | None = None,
) -> int:
    """Note the station alive, with its clock drift; returns the platform's last_seq."""
    now = now or timezone.now()
    drift = round((device_time - now).total_seconds()) if device_time else None
    with transaction.atomic():
        StationState.objects.get_or_create(station=station)
        StationState.objects.filter(pk=station.pk).update(
            last_heartbeat_at=now,
            last_seen_at=now,
            device_time=device_time,
            drift_seconds=drift,
            device_status=status,
        )
        return int(StationState.objects.values_list("last_seq", flat=True).get(pk=station.pk))
