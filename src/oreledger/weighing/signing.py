"""Signed station requests (docs/specs/station-protocol.md): who is calling, and is it really them.

Signature: hex HMAC-SHA256, keyed by a station secret, over
`<timestamp>\\n<METHOD>\\n<path>\\n<hex sha256 of the raw body>`. Every currently accepted
secret (the current one, and the previous one during its grace period) is tried with a
constant-time comparison. Secrets are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from django.core.exceptions import RequestDataTooBig

from oreledger.registry.models import Station
from oreledger.registry.services import station_secrets
from oreledger.weighing.errors import ProtocolError
from oreledger.weighing.protocol import MAX_BODY_BYTES
from oreledger.weighing.reference import Snapshot

MAX_SKEW_SECONDS = 300


def signing_bytes(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    """The bytes a station signs."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{timestamp}\n{method.upper()}\n{path}\n{digest}".encode()


def sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """The signature a station sends (used by the simulator, tests and benchmarks)."""
    message = signing_bytes(timestamp, method, path, body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    station: str, secret: str, method: str, path: str, body: bytes, at: float | None = None
) -> dict[str, str]:
    """The three X-OL-* headers of a request, for clients of the protocol."""
    timestamp = str(int(time.time() if at is None else at))
    return {
        "X-OL-Station": station,
        "X-OL-Timestamp": timestamp,
        "X-OL-Signature": sign(secret, timestamp, method, path, body),
    }


def read_body(request: Any) -> bytes:
    """The raw body, refusing more than 1 MiB with 413 before reading it where possible."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise ProtocolError("payload_too_large", 413)
    try:
        body: bytes = request.body
    except RequestDataTooBig:
        raise ProtocolError("payload_too_large", 413) from None
    if len(body) > MAX_BODY_BYTES:
        raise ProtocolError("payload_too_large", 413)
    return body


def authenticate_station(
    request: Any, body: bytes, now: float | None = None, cache: Snapshot | None = None
) -> Station:
    """The station that signed this request, or a 401 ProtocolError; nothing is stored.

    `cache` is the reference snapshot (weighing.reference), if the caller holds one.
    """
    code = request.META.get("HTTP_X_OL_STATION", "")
    station = None
    if code and len(code) <= 30 and "\x00" not in code:
        stations = Snapshot().stations if cache is None else cache.stations
        if code not in stations:
            stations[code] = (
                Station.objects.select_related("site__enterprise", "region")
                .filter(code=code, disabled_at__isnull=True)
                .first()
            )
        station = stations[code]
    secrets = station_secrets(station) if station is not None else []
    if station is None or not secrets:
        raise ProtocolError("station_unknown", 401)
    timestamp = request.META.get("HTTP_X_OL_TIMESTAMP", "")
    signature = str(request.META.get("HTTP_X_OL_SIGNATURE", "")).lower()
    message = signing_bytes(timestamp, request.method, request.path, body)
    if not any(
        hmac.compare_digest(
            hmac.new(secret.encode(), message, hashlib.sha256).hexdigest(), signature
        )
        for secret in secrets
    ):
        raise ProtocolError("bad_signature", 401)
    try:
        stamp = int(timestamp)
    except ValueError:
        raise ProtocolError("stale_timestamp", 401) from None
    if abs((time.time() if now is None else now) - stamp) > MAX_SKEW_SECONDS:
        raise ProtocolError("stale_timestamp", 401)
    return station
