"""The station protocol (version 1), station side: signed requests, tickets in seq order,
heartbeats, and the resend that follows an outage.

Every request carries X-OL-Station, X-OL-Timestamp (the PC's clock, unix seconds) and
X-OL-Signature: hex HMAC-SHA256, keyed by the station secret, over
``<timestamp>\\n<METHOD>\\n<path>\\n<hex SHA-256 of the body>``.

The uplink runs in its own thread with its own database connection. It sends what the
database holds, so an answer lost on the way (the platform stored the batch, the cable was
pulled before the reply) is simply sent again: the platform answers ``duplicate`` with the
stored ticket's id and decision. A heartbeat tells the platform's ``last_seq``: a freshly
installed station numbers its tickets after it, and a platform that lost tickets it had
answered (restored from a backup) gets everything after it again.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from oreledger_station.store import Store, TicketRow
from oreledger_station.texts import SHANGHAI, STATUSES, reason_text

TICKETS_PATH = "/api/v1/station/tickets"
HEARTBEAT_PATH = "/api/v1/station/heartbeat"
log = logging.getLogger("oreledger_station.uplink")

LINK_TEXT = {
    "starting": "正在连接平台",
    "online": "在线",
    "offline": "离线（网络不通，磅单已存本地，恢复后自动补传）",
    "refused": "平台拒绝连接",
}
REFUSED_TEXT = {
    "station_unknown": "平台不认识本计量站（编码错误或已停用）",
    "bad_signature": "签名校验失败（密钥错误）",
    "stale_timestamp": "本机时钟与平台相差超过 5 分钟，请校准时间",
    "payload_too_large": "上传数据过大",
}


class LinkDown(Exception):
    """No HTTP answer: refused, reset, timed out, or no network."""


def signature(secret: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    """The X-OL-Signature of a request (docs/specs/station-protocol.md)."""
    digest = hashlib.sha256(body).hexdigest()
    message = f"{timestamp}\n{method.upper()}\n{path.split('?', 1)[0]}\n{digest}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Http:
    """HTTP(S) to the platform; one connection, reopened after any failure."""

    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url}")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Send and read the answer; LinkDown when none comes."""
        for attempt in (1, 2):
            reused = self._conn is not None
            if self._conn is None:
                cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
                self._conn = cls(self.host, self.port, timeout=self.timeout)
            conn = self._conn
            try:
                conn.request(method, path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                self._conn = None
                # A kept-alive connection the server had closed: the request never got there.
                if (
                    reused
                    and attempt == 1
                    and isinstance(
                        exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError
                    )
                ):
                    continue
                raise LinkDown(f"{type(exc).__name__}: {exc}") from None
            if response.will_close:
                conn.close()
                self._conn = None
            return response.status, data
        raise LinkDown("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Drop the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass
class LinkState:
    """What the operator sees of the link."""

    state: str = "starting"
    detail: str = ""
    platform_last_seq: int | None = None
    last_contact: float | None = None
    server_time: str | None = None

    def text(self) -> str:
        """The link status in Chinese."""
        text = LINK_TEXT.get(self.state, self.state)
        return f"{text}：{self.detail}" if self.detail and self.state != "online" else text


class Uplink:
    """Sends the queue, heartbeats, and tells the agent about every answer."""

    def __init__(
        self,
        *,
        store_path: Any,
        code: str,
        secret: str,
        url: str,
        heartbeat_seconds: float = 60.0,
        batch_size: int = 50,
        timeout: float = 15.0,
        retry_max: float = 60.0,
        status: Callable[[Store], str] = lambda store: "ok",
        on_answer: Callable[[TicketRow], None] = lambda ticket: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store_path = store_path
        self.code = code
        self._secret = secret
        self.http = Http(url, timeout)
        self.heartbeat_seconds = heartbeat_seconds
        self.batch_size = batch_size
        self.retry_max = retry_max
        self.status = status
        self.on_answer = on_answer
        self.clock = clock
        self.link = LinkState()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.failures = 0
        self._retry_at = 0.0
        self._next_heartbeat = 0.0
        self._heartbeat_now = True
        self._thread: threading.Thread | None = None
        self.store: Store | None = None

    # --- the thread ------------------------------------------------------------------------

    def start(self) -> None:
        """Run in a background thread."""
        self._thread = threading.Thread(target=self.run, name="uplink", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (after its current request)."""
        self.stopping.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def nudge(self, *, heartbeat: bool = False) -> None:
        """Something to send: a new ticket, or a refusal to report in a heartbeat now."""
        if heartbeat:
            self._heartbeat_now = True
        self.wake.set()

    def run(self) -> None:
        """Loop until stopped: heartbeat when due, send what is queued, sleep."""
        self.store = Store(self.store_path)
        try:
            while not self.stopping.is_set():
                self.step()
                self.wake.wait(timeout=self._sleep())
                self.wake.clear()
        finally:
            self.http.close()
            self.store.close()

    def _sleep(self) -> float:
        now = self.clock()
        until = self._next_heartbeat
        if self.failures:
            until = min(until, self._retry_at)
        return max(0.02, min(until - now, self.heartbeat_seconds))

    def step(self) -> None:
        """One round: heartbeat if due (or after a failure), then send the queue."""
        assert self.store is not None
        now = self.clock()
        if self.failures and now < self._retry_at:
            return
        due = self.failures or self._heartbeat_now or now >= self._next_heartbeat
        if due and not self.heartbeat():
            return
        while not self.stopping.is_set() and self.send_batch():
            pass

    # --- protocol --------------------------------------------------------------------------

    def _post(self, path: str, payload: Any) -> tuple[int, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-OL-Station": self.code,
            "X-OL-Timestamp": str(stamp),
            "X-OL-Signature": signature(self._secret, stamp, "POST", path, body),
        }
        status, raw = self.http.request("POST", path, body, headers)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def _failed(self, state: str, detail: str) -> None:
        if self.failures == 0 or self.link.state != state:
            log.warning("平台连接失败（%s）：%s", LINK_TEXT.get(state, state), detail)
        self.failures += 1
        self.link.state = state
        self.link.detail = detail
        self._retry_at = self.clock() + min(self.retry_max, 0.5 * 2 ** min(self.failures, 16))

    def _answered(self, status: int, answer: Any) -> bool:
        """False (and the link marked) unless the platform answered 200."""
        if status == 200:
            if self.failures:
                log.info("平台连接恢复")
            self.failures = 0
            self.link.state = "online"
            self.link.detail = ""
            self.link.last_contact = time.time()
            return True
        code = answer.get("error", {}).get("code") if isinstance(answer, dict) else None
        if status == 401:
            self._failed("refused", REFUSED_TEXT.get(str(code), str(code)))
        elif status == 413:
            self.batch_size = max(1, self.batch_size // 2)
            self._failed("refused", REFUSED_TEXT["payload_too_large"])
        else:
            self._failed("offline", f"HTTP {status} {code or ''}".strip())
        return False

    def heartbeat(self) -> bool:
        """POST heartbeat with the device time; learn the platform's last_seq."""
        assert self.store is not None
        answered_up_to = self.store.highest_answered()
        reported = self.store.last_refusal_id()
        device_time = datetime.datetime.now(tz=SHANGHAI).isoformat(timespec="seconds")
        payload = {
            "last_seq": answered_up_to,
            "device_time": device_time,
            "status": self.status(self.store)[:40],
        }
        try:
            status, answer = self._post(HEARTBEAT_PATH, payload)
        except LinkDown as exc:
            self._failed("offline", str(exc))
            return False
        if not self._answered(status, answer):
            return False
        if not isinstance(answer, dict) or not isinstance(answer.get("last_seq"), int):
            self._failed("offline", "心跳应答格式不正确")
            return False
        last_seq = answer["last_seq"]
        self.link.platform_last_seq = last_seq
        self.link.server_time = answer.get("server_time")
        self._heartbeat_now = False
        self._next_heartbeat = self.clock() + self.heartbeat_seconds
        if reported:
            self.store.mark_reported(reported)
        numbered = self.store.number_waiting(last_seq)
        if numbered:
            log.info("已为 %d 张待编号磅单编号（平台最后序号 %d）", numbered, last_seq)
        if answered_up_to > last_seq:
            again = self.store.requeue_after(last_seq)
            log.warning("平台只有到 %d 号的磅单：%d 张重新上传", last_seq, again)
        return True

    def send_batch(self) -> bool:
        """Send the oldest queued tickets; True when some were answered."""
        assert self.store is not None
        batch = self.store.due(self.batch_size)
        if not batch:
            return False
        try:
            status, answer = self._post(TICKETS_PATH, {"tickets": [t.item() for t in batch]})
        except LinkDown as exc:
            self._failed("offline", str(exc))
            return False
        if not self._answered(status, answer):
            return False
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(batch):
            self._failed("offline", "磅单应答格式不正确")
            return False
        now = time.time()
        warned: dict[Any, list[Any]] = {}
        with self.store.transaction():
            for ticket, result in zip(batch, results, strict=True):
                if not isinstance(result, dict) or result.get("seq") != ticket.seq:
                    raise RuntimeError(f"answer for seq {result!r} does not match {ticket.seq}")
                self.store.answer(ticket.seq or 0, result, now)
                # Platforms before 2026-12 send no warnings; any other unknown field is ignored.
                found = result.get("warnings")
                if isinstance(found, list):
                    warned[ticket.local_no] = [w for w in found if isinstance(w, dict)]
        if isinstance(answer.get("last_seq"), int):
            self.link.platform_last_seq = answer["last_seq"]
        for ticket in batch:
            row = self.store.ticket(ticket.local_no)
            log.info(
                "磅单 %s（序号 %s，%s）%s，%s",
                row.ticket_no,
                row.seq,
                row.plate,
                STATUSES.get(row.status, row.status),
                "放行" if row.release else "禁止放行",
            )
            if warned.get(ticket.local_no):
                texts = "；".join(reason_text(w) for w in warned[ticket.local_no])
                log.warning("%s 平台预警：%s", row.plate, texts)
            self.on_answer(row)
        return True
