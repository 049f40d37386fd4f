"""The printed ticket (磅单): ESC/POS for the receipt printers found at weighbridges.

The text is GB18030 (Chinese ESC/POS printers print it in their Chinese mode, with their
own font: nothing to embed), and the ticket's id is a QR code the printer draws itself
(GS ( k, model 2), so an inspector's phone reads the platform's ticket id off the paper.
Before the platform has answered, the QR code carries the station's ticket number.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from oreledger_station.store import TicketRow
from oreledger_station.texts import STATUSES, local_time, reason_text

log = logging.getLogger("oreledger_station.printer")

INIT = b"\x1b@"
CHINESE = b"\x1c&"  # FS &: Chinese character mode (GB18030)
CENTER, LEFT = b"\x1ba\x01", b"\x1ba\x00"
BIG, NORMAL = b"\x1d!\x11", b"\x1d!\x00"
CUT = b"\x1dVB\x00"  # feed and cut


def qr_code(data: str, size: int = 6) -> bytes:
    """GS ( k: select model 2, module size, error level M, store the data, print it."""
    payload = data.encode("ascii")
    length = len(payload) + 3
    return b"".join(
        [
            b"\x1d(k\x04\x001A2\x00",
            b"\x1d(k\x03\x001C" + bytes([size]),
            b"\x1d(k\x03\x001E1",
            b"\x1d(k" + bytes([length & 0xFF, length >> 8]) + b"1P0" + payload,
            b"\x1d(k\x03\x001Q0",
        ]
    )


def ticket_lines(ticket: TicketRow, station_name: str) -> list[str]:
    """The ticket's text lines (also shown on screen for a reprint)."""
    body = ticket.body
    lines = [
        f"计量站：{station_name}",
        f"磅单号：{ticket.ticket_no}",
        f"序  号：{ticket.seq if ticket.seq is not None else '待编号'}",
        f"车  牌：{ticket.plate}",
        f"运单号：{body.get('waybill') or '无'}",
        f"方  向：{'出场' if body.get('direction') == 'out' else '进场'}",
        f"毛  重：{body['gross_kg']} kg",
        f"皮  重：{body['tare_kg']} kg",
        f"净  重：{body['net_kg']} kg",
        f"毛重时间：{body['gross_at'][:19].replace('T', ' ')}",
        f"皮重时间：{body['tare_at'][:19].replace('T', ' ')}",
    ]
    if body.get("operator"):
        lines.append(f"司磅员：{body['operator']}")
    lines.append(f"平台状态：{STATUSES.get(ticket.status, ticket.status)}")
    if ticket.state == "answered":
        lines.append(f"放行：{'放行' if ticket.release else '禁止放行'}")
        lines.extend(f"  · {reason_text(r)}" for r in ticket.reasons)
    if ticket.ticket_id:
        lines.append(f"平台单据：{ticket.ticket_id}")
    return lines


def render(ticket: TicketRow, station_name: str, printed_at: float) -> bytes:
    """The ESC/POS bytes of one ticket."""
    out = [INIT, CHINESE, CENTER, BIG, "过磅单".encode("gb18030"), b"\n", NORMAL, LEFT]
    for line in ticket_lines(ticket, station_name):
        out.append(line.encode("gb18030", errors="replace") + b"\n")
    out.append(f"打印时间：{local_time(printed_at)}\n".encode("gb18030"))
    out += [CENTER, qr_code(ticket.ticket_id or ticket.ticket_no), b"\n", LEFT, b"\n\n\n", CUT]
    return b"".join(out)


class Printer:
    """Where the bytes go: a network printer (tcp://host:9100), a folder, or a device file
    (/dev/usb/lp0 on Linux; a shared printer \\\\localhost\\POS80 on Windows)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def send(self, data: bytes, name: str) -> None:
        """Print; a printer that is off is logged, never stops the weighing."""
        target = self.target
        try:
            if target.startswith("tcp://"):
                host, _, port = target[6:].rpartition(":")
                with socket.create_connection((host, int(port or 9100)), timeout=5) as sock:
                    sock.sendall(data)
            elif target.startswith("folder:"):
                folder = Path(target[7:])
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{name}.bin").write_bytes(data)
            else:
                with open(target, "ab") as device:
                    device.write(data)
        except OSError as exc:
            log.error("打印失败（%s）：%s", target, exc)
