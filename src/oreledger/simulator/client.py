"""The station side of the station protocol: signing, seq, outbox, batches, resend.

A `StationClient` behaves like a weighbridge's uploader: every weighing gets the next seq
and waits in the outbox until the platform answers for it; a network failure or a 5xx
keeps the outbox and backs off; on reconnecting the station heartbeats and resends what
the platform does not hold. Only the standard library's HTTP client is used.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from oreledger.core.localtime import LOCAL as SHANGHAI

TICKETS_PATH = "/api/v1/station/tickets"
HEARTBEAT_PATH = "/api/v1/station/heartbeat"
MAX_BACKOFF_SECONDS = 60.0


class TransportError(Exception):
    """The request did not get an HTTP answer (refused, reset, timed out, offline)."""


class Transport(Protocol):
    """Sends one HTTP request and returns (status, body); raises TransportError."""

    def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]: ...


def body_digest(body: bytes) -> str:
    """Hex SHA-256 of the raw body."""
    return hashlib.sha256(body).hexdigest()


def sign_request(secret: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>\\n<METHOD>\\n<path>\\n<hex sha256(body)>` (spec, v1)."""
    path = path.split("?", 1)[0]
    message = f"{timestamp}\n{method.upper()}\n{path}\n{body_digest(body)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    code: str, secret: str, timestamp: int, method: str, path: str, body: bytes
) -> dict[str, str]:
    """The three authentication headers and the content type of a station request."""
    return {
        "Content-Type": "application/json",
        "X-OL-Station": code,
        "X-OL-Timestamp": str(timestamp),
        "X-OL-Signature": sign_request(secret, timestamp, method, path, body),
    }


def encode_json(data: Any) -> bytes:
    """Compact UTF-8 JSON (Chinese plates and names stay readable on the wire)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def local_iso(moment: datetime.datetime) -> str:
    """ISO 8601 in Asia/Shanghai with its offset, as a station prints it."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


class HttpTransport:
    """One keep-alive HTTP/1.1 connection to the platform, reopened when the server drops it."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url}")
        if parts.path not in ("", "/"):
            raise ValueError("the platform URL must not have a path")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=self.timeout)

    def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Send and read the answer; one silent retry when a reused connection was closed."""
        for attempt in (1, 2):
            reused = self._conn is not None
            conn = self._conn or self._connect()
            self._conn = None
            try:
                conn.request(method, path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                # The server closes idle keep-alive connections; the request never reached it.
                stale = isinstance(
                    exc, http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError
                )
                if reused and stale and attempt == 1:
                    continue
                raise TransportError(f"{type(exc).__name__}: {exc}") from exc
            if response.will_close:
                conn.close()
            else:
                self._conn = conn
            return response.status, data
        raise TransportError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Close the connection, if one is open."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class Unplugged:
    """A transport with a cable that can be pulled: offline, it fails like a dead network."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.offline = False

    def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Pass through, or fail while unplugged."""
        if self.offline:
            raise TransportError("station offline")
        return self.inner.request(method, path, body, headers)


@dataclass
class Outcome:
    """The platform's final word on one ticket the station sent."""

    ticket: dict[str, Any]
    status: str  # accepted | duplicate | rejected | confirmed (held per heartbeat last_seq)
    release: bool
    reasons: list[dict[str, Any]]


class StationClient:
    """One weighbridge's uploader: seq, outbox, signed batches, back-off, resend."""

    def __init__(
        self,
        code: str,
        secret: str,
        transport: Transport,
        *,
        clock: Callable[[], float] = time.time,
        max_batch: int = 100,
        on_outcome: Callable[[StationClient, Outcome], None] | None = None,
    ) -> None:
        if not 1 <= max_batch <= 500:
            raise ValueError("a batch holds 1–500 tickets")
        self.code = code
        self._secret = secret
        self.transport = transport
        self.clock = clock
        self.max_batch = max_batch
        self.on_outcome = on_outcome
        self.next_seq = 1
        self.outbox: deque[dict[str, Any]] = deque()
        self.platform_last_seq: int | None = None
        self.failures = 0
        self.retry_at = 0.0
        self.last_error = ""
        self.resent = 0
        self._tried: set[int] = set()

    def __repr__(self) -> str:
        return f"StationClient({self.code!r}, next_seq={self.next_seq}, outbox={len(self.outbox)})"

    # --- signing and transport -----------------------------------------------------------

    def post(self, path: str, data: Any) -> tuple[int, Any]:
        """A signed POST; returns (status, parsed JSON or None). Raises TransportError."""
        body = encode_json(data)
        timestamp = int(self.clock())
        headers = signed_headers(self.code, self._secret, timestamp, "POST", path, body)
        status, raw = self.transport.request("POST", path, body, headers)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, parsed

    @property
    def online(self) -> bool:
        """Whether the last exchange with the platform succeeded."""
        return self.failures == 0

    def _failed(self, why: str) -> None:
        self.failures += 1
        self.last_error = why
        self.retry_at = self.clock() + min(MAX_BACKOFF_SECONDS, 2.0 ** (self.failures - 1))

    # --- protocol -------------------------------------------------------------------------

    def heartbeat(self, status: str = "ok") -> int | None:
        """POST heartbeat; returns the platform's last_seq, or None if it did not answer."""
        acked = self.platform_last_seq or 0
        now = datetime.datetime.fromtimestamp(self.clock(), tz=datetime.UTC)
        payload = {"last_seq": acked, "device_time": local_iso(now), "status": status}
        try:
            code, answer = self.post(HEARTBEAT_PATH, payload)
        except TransportError as exc:
            self._failed(str(exc))
            return None
        if code != 200 or not isinstance(answer, dict) or "last_seq" not in answer:
            self._failed(f"heartbeat answered {code}: {_error_text(answer)}")
            return None
        last_seq = int(answer["last_seq"] or 0)
        self.platform_last_seq = last_seq
        self.next_seq = max(self.next_seq, last_seq + 1)
        return last_seq

    def enqueue(self, ticket: dict[str, Any]) -> dict[str, Any]:
        """Give a weighing the next seq (and a printed number if it has none) and buffer it."""
        item = dict(ticket)
        item["seq"] = self.next_seq
        self.next_seq += 1
        if not item.get("ticket_no"):
            item["ticket_no"] = f"{self.code}-{item['seq']:07d}"

        self.outbox.append(item)
        return item

    def due(self) -> bool:
        """Whether there is something to send and the back-off allows trying now."""
        return bool(self.outbox) and self.clock() >= self.retry_at

    def flush(self, *, force: bool = False) -> int:
        """Send the outbox in batches until empty or a failure; returns tickets answered."""
        if not self.outbox or (not force and self.clock() < self.retry_at):
            return 0
        answered = 0
        if self.failures and not self._reconnect():
            return 0
        while self.outbox:
            batch = [self.outbox[i] for i in range(min(self.max_batch, len(self.outbox)))]
            for ticket in batch:
                if ticket["seq"] in self._tried:
                    self.resent += 1
                self._tried.add(ticket["seq"])
            try:
                code, answer = self.post(TICKETS_PATH, {"tickets": batch})
            except TransportError as exc:
                self._failed(str(exc))
                return answered
            results = answer.get("results") if isinstance(answer, dict) else None
            if code != 200 or not isinstance(results, list) or len(results) != len(batch):
                # 5xx: the platform's fault; 4xx: nothing was stored. Either way keep the
                # tickets and try again later rather than drop evidence.
                self._failed(f"tickets answered {code}: {_error_text(answer)}")
                return answered
            self.failures = 0
            self.last_error = ""
            for ticket, result in zip(batch, results, strict=True):
                if result.get("seq") != ticket["seq"]:
                    raise RuntimeError(f"{self.code}: result for seq {result.get('seq')} "
                                       f"answers ticket {ticket['seq']}")  # fmt: skip
                self.outbox.popleft()
                self._tried.discard(ticket["seq"])
                answered += 1
                self._report(
                    Outcome(ticket, str(result.get("status")), bool(result.get("release")),
                            list(result.get("reasons") or []))
                )  # fmt: skip
            if isinstance(answer.get("last_seq"), int):
                self.platform_last_seq = answer["last_seq"]
        return answered

    def _reconnect(self) -> bool:
        """After an outage: heartbeat, then drop what the platform already holds."""
        last_seq = self.heartbeat(status="reconnected")
        if last_seq is None:
            return False
        self.failures = 0
        while self.outbox and self.outbox[0]["seq"] <= last_seq:
            # Stored before the answer was lost: the platform's last_seq vouches for it.
            ticket = self.outbox.popleft()
            self._tried.discard(ticket["seq"])
            self._report(Outcome(ticket, "confirmed", True, []))
        return True

    def _report(self, outcome: Outcome) -> None:
        if self.on_outcome is not None:
            self.on_outcome(self, outcome)


def _error_text(answer: Any) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        return f"{error.get('code')}: {error.get('message')}"
    return str(answer)[:200]
