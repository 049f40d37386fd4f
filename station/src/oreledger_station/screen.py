"""The operator's screen: a small web page served on 127.0.0.1 only.

Why a local page and not a terminal UI: the weighbridge PC is usually Windows, where a
console renders Chinese unevenly, while any browser shows it well and can show the release
answer large enough to read from the cab; barcode scanners type into a page's field like a
keyboard; and the page needs nothing beyond the standard library. It listens on the
loopback address only, and every change it asks for carries a per-run token and must come
from the page itself (Host and Origin checked), so another web page open on the same PC
cannot type a plate.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from oreledger_station.printer import render, ticket_lines
from oreledger_station.store import Store, TicketRow
from oreledger_station.texts import REFUSALS, STATUSES, local_time, normal_plate, reason_text

log = logging.getLogger("oreledger_station.screen")
STATIC = {"app.js": "text/javascript", "style.css": "text/css", "index.html": "text/html"}


def ticket_view(ticket: TicketRow) -> dict[str, Any]:
    """One ticket as the screen lists it."""
    body = ticket.body
    answered = ticket.state == "answered"
    return {
        "local_no": ticket.local_no,
        "time": local_time(ticket.created_at, "%m-%d %H:%M:%S"),
        "ticket_no": ticket.ticket_no,
        "seq": ticket.seq,
        "plate": ticket.plate,
        "waybill": body.get("waybill") or "",
        "gross_kg": body["gross_kg"],
        "tare_kg": body["tare_kg"],
        "net_kg": body["net_kg"],
        "status": STATUSES.get(ticket.status, ticket.status or ""),
        "answered": answered,
        "release": bool(ticket.release) if answered else None,
        "release_text": ("放行" if ticket.release else "禁止放行") if answered else "等待平台",
        "reasons": [reason_text(r) for r in ticket.reasons],
        "ticket_id": ticket.ticket_id,
    }


def state_view(agent: Any, store: Store) -> dict[str, Any]:
    """Everything the screen shows, in Chinese, times in Asia/Shanghai."""
    scale = agent.scale
    rule = scale.rule
    weight = scale.weight_kg
    stable = scale.stable
    at_zero = stable and weight is not None and abs(weight) <= rule.zero_band_kg
    if weight is None:
        scale_text = "无仪表数据"
    elif scale.out_of_range:
        scale_text = "超量程"
    elif at_zero:
        scale_text = "零点"
    elif stable:
        scale_text = "稳定"
    else:
        scale_text = "不稳定"
    state = scale.state
    zero_text = "已回零" if state.zero_seen else "未回零（上一车称重后磅秤尚未回零）"
    uplink = agent.uplink
    link = uplink.link if uplink is not None else None
    answer = agent.last_answer
    notice = agent.notice
    counts = agent.decoder.counts
    return {
        "station": agent.settings.station.code,
        "direction": "出场称重" if agent.settings.station.direction == "out" else "进场称重",
        "weighing": "两次称重" if agent.settings.station.weighing == "twice" else "单次称重",
        "weight_kg": weight,
        "scale_text": scale_text,
        "stable": stable,
        "zero_text": zero_text,
        "zero_seen": state.zero_seen,
        "plate": state.plate or "",
        "waybill": state.waybill or "",
        "notice": None
        if notice is None
        else {"kind": notice.kind, "text": notice.text, "time": local_time(notice.at, "%H:%M:%S")},
        "answer": None if answer is None else ticket_view(store.ticket(answer.local_no)),
        "tickets": [ticket_view(t) for t in store.latest(10)],
        "refusals": [
            {
                "time": local_time(r["at"], "%m-%d %H:%M:%S"),
                "plate": r["plate"] or "未知车辆",
                "weight_kg": r["weight_kg"],
                "text": REFUSALS.get(r["code"], r["code"]),
                "reported": "已报平台" if r["reported"] else "待报平台",
            }
            for r in store.refusals(5)
        ],
        "queue": store.queued(),
        "passes": store.waiting_passes(),
        "link": link.text() if link else "未连接平台",
        "link_state": link.state if link else "none",
        "last_seq": link.platform_last_seq if link else None,
        "frames": counts.frames,
        "bad_frames": counts.bad,
        "clock": local_time(time.time()),
    }


class Screen:
    """The local web server of the operator's screen."""

    def __init__(self, agent: Any, *, port: int = 8765, host: str = "127.0.0.1") -> None:
        self.agent = agent
        self.token = secrets.token_urlsafe(24)
        self.store = Store(agent.db_path, shared=True)
        self.lock = threading.Lock()
        screen = self

        class Handler(_Handler):
            owner = screen

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.server.serve_forever, name="screen",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            self.store.close()

    def state(self) -> dict[str, Any]:
        """The screen's state (one reader of the database at a time)."""
        with self.lock:
            return state_view(self.agent, self.store)

    def truck(self, plate_text: str, waybill_text: str) -> tuple[bool, str]:
        """The operator confirms the truck: checked here, applied by the agent's thread."""
        plate_text, waybill_text = plate_text.strip(), waybill_text.strip()
        plate = normal_plate(plate_text) if plate_text else None
        if plate_text and plate is None:
            return False, f"车牌“{plate_text}”格式不正确，例如 辽C12345"
        if len(waybill_text) > 40 or any(ord(c) < 32 for c in waybill_text):
            return False, "运单号格式不正确"
        if plate is None and not waybill_text:
            return False, "请录入车牌或扫描运单"
        waybill = waybill_text or None
        self.agent.inputs.put(lambda at: self.agent.truck(at, plate=plate, waybill=waybill))
        return True, f"已录入 {plate or ''} {waybill or ''}".strip()

    def reprint(self, local_no: int) -> tuple[bool, str]:
        """Print a ticket again."""
        printer = self.agent.printer
        if printer is None:
            return False, "未配置打印机"
        with self.lock:
            ticket = self.store.ticket(local_no)
        printer.send(render(ticket, self.agent.settings.station.code, time.time()),
                     ticket.ticket_no)  # fmt: skip
        log.info("补打磅单 %s", ticket.ticket_no)
        return True, f"已补打 {ticket.ticket_no}"

    def ticket_text(self, local_no: int) -> str:
        """The ticket as printed, as text."""
        with self.lock:
            ticket = self.store.ticket(local_no)
        return "\n".join(["过磅单", *ticket_lines(ticket, self.agent.settings.station.code)])


class _Handler(BaseHTTPRequestHandler):
    owner: Screen
    server_version = "oreledger-station"

    def log_message(self, format: str, *args: Any) -> None:
        return  # the screen polls twice a second: not worth a log line each

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _local(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return host in ("127.0.0.1", "localhost")

    def do_GET(self) -> None:
        """The page, its two files, the state, a ticket's text."""
        if not self._local():
            self._json(HTTPStatus.FORBIDDEN, {"error": "只允许本机访问"})
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            page = _static("index.html").replace("{{TOKEN}}", self.owner.token)
            self._send(HTTPStatus.OK, page.encode(), "text/html")
        elif path.startswith("/static/") and path[8:] in STATIC:
            self._send(HTTPStatus.OK, _static(path[8:]).encode(), STATIC[path[8:]])
        elif path == "/api/state":
            self._json(HTTPStatus.OK, self.owner.state())
        elif path.startswith("/api/tickets/") and path[13:].isdigit():
            try:
                text = self.owner.ticket_text(int(path[13:]))
            except KeyError:
                self._json(HTTPStatus.NOT_FOUND, {"error": "没有这张磅单"})
                return
            self._send(HTTPStatus.OK, text.encode(), "text/plain")
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "页面不存在"})

    def do_POST(self) -> None:
        """Name the truck, clear it, or reprint a ticket."""
        origin = self.headers.get("Origin")
        expected = {f"http://127.0.0.1:{self.owner.port}", f"http://localhost:{self.owner.port}"}
        token = self.headers.get("X-Station-Token", "")
        if (
            not self._local()
            or (origin is not None and origin not in expected)
            or not secrets.compare_digest(token, self.owner.token)
        ):
            self._json(HTTPStatus.FORBIDDEN, {"error": "请求来源不可信，请刷新操作界面"})
            return
        try:
            length = min(int(self.headers.get("Content-Length") or 0), 10_000)
            data = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "请求格式不正确"})
            return
        if self.path == "/api/truck":
            ok, message = self.owner.truck(str(data.get("plate") or ""),
                                           str(data.get("waybill") or ""))  # fmt: skip
        elif self.path == "/api/clear":
            self.owner.agent.inputs.put(self.owner.agent.clear)
            ok, message = True, "已清除当前车辆"
        elif self.path == "/api/reprint" and isinstance(data.get("local_no"), int):
            try:
                ok, message = self.owner.reprint(data["local_no"])
            except KeyError:
                ok, message = False, "没有这张磅单"
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "操作不存在"})
            return
        self._json(HTTPStatus.OK if ok else HTTPStatus.BAD_REQUEST,
                   {"ok": ok, "message": message} if ok else {"error": message})  # fmt: skip


def _static(name: str) -> str:
    return resources.files("oreledger_station").joinpath("static", name).read_text("utf-8")
