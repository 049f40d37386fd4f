"""What the operator sees and touches: the screen, the printed ticket, the camera's plates,
the indicator on a real serial line or TCP converter, the barrier relay."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import tty
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import streams

from oreledger_station.agent import Agent, heartbeat_status
from oreledger_station.config import IndicatorSettings, Settings, StationSettings
from oreledger_station.devices import CameraDrop, Relay, SerialLine, TcpLine, plate_from_file
from oreledger_station.printer import Printer, qr_code, render
from oreledger_station.screen import Screen

T0 = 1_763_106_000.0


@pytest.fixture
def agent(tmp_path: Path) -> Agent:
    settings = Settings(station=StationSettings(code="HC-ST-0101", operator="王力"),
                        data_dir=tmp_path)  # fmt: skip
    agent = Agent(settings, uplink=False)
    yield agent
    agent.store.close()


def _drive(agent: Agent, script: streams.Script, fmt: str = "xk3190", baud: int = 2400) -> None:
    """Feed a script's capture and events through the agent, as a replay does."""
    data = streams.render(script, fmt, baud)
    rate = baud / 10
    events = sorted(script.events)
    for reading in agent.decoder.feed(data):
        at = T0 + reading.end / rate
        while events and T0 + events[0][0] <= at:
            at_s, plate, waybill = events.pop(0)
            agent.truck(T0 + at_s, plate=plate or None, waybill=waybill or None)
        agent.reading(reading, at, reading.end)


def _two_trucks_at_once() -> streams.Script:
    script = streams.Script()
    script.zero(5)
    script.ramp(0, 14_200)
    start = script.hold(14_200)
    script.say(start + 1, "辽C10004")
    script.ramp(14_200, 9_000, 4.0)
    script.ramp(9_000, 17_500, 4.0)
    start = script.hold(17_500)
    script.say(start + 1, "辽C10005")
    return script


def _open(screen: Screen, path: str, data: Any = None, token: str | None = None) -> Any:
    url = f"http://127.0.0.1:{screen.port}{path}"
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["X-Station-Token"] = token
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            raw = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read().decode(), exc.code
    return status, (json.loads(raw) if raw.startswith("{") else raw)


def test_no_return_to_zero_is_shown_to_the_operator_and_put_in_the_heartbeat(agent) -> None:
    # given the operator's screen
    screen = Screen(agent, port=0)
    screen.start()
    try:
        # when a second truck is named while the first is still on the scale
        _drive(agent, _two_trucks_at_once())
        status, state = _open(screen, "/api/state")
    finally:
        screen.stop()
    # then the screen shows the refusal in Chinese, and the scale as not back at zero
    assert status == 200
    assert state["notice"]["kind"] == "refusal"
    assert "辽C10005" in state["notice"]["text"] and "两车之间磅秤未回零" in state["notice"]["text"]
    assert state["refusals"][0]["plate"] == "辽C10005"
    assert state["refusals"][0]["weight_kg"] == 17_500
    assert state["refusals"][0]["reported"] == "待报平台"
    assert state["zero_text"].startswith("未回零")
    # and the next heartbeat reports it to the platform (its status field, 40 characters)
    line = heartbeat_status(agent.store, T0 + 60)
    assert line.startswith("refused 1/24h: no_zero 辽C10005 ") and len(line) <= 40
    assert heartbeat_status(agent.store, T0 + 2 * 86400) == "ok"


def test_the_screen_takes_plates_only_from_itself(agent) -> None:
    screen = Screen(agent, port=0)
    screen.start()
    try:
        page = _open(screen, "/")[1]
        assert "称重终端" in page and screen.token in page
        # a request without the page's token (another web page on the PC) changes nothing
        assert _open(screen, "/api/truck", {"plate": "辽C12345"})[0] == 403
        assert _open(screen, "/api/truck", {"plate": "辽C12345"}, token="guess")[0] == 403
        # a plate that is not a plate is refused, in Chinese
        status, answer = _open(screen, "/api/truck", {"plate": "ABC"}, token=screen.token)
        assert status == 400 and answer["error"] == "车牌“ABC”格式不正确，例如 辽C12345"
        # a good plate and a scanned waybill reach the scale at its next reading
        status, answer = _open(screen, "/api/truck", {"plate": "辽c·12345", "waybill": "WB1"},
                               token=screen.token)  # fmt: skip
        assert status == 200 and answer["message"] == "已录入 辽C12345 WB1"
        assert agent.scale.state.plate is None
        agent.drain(T0)
        state = _open(screen, "/api/state")[1]
        assert (state["plate"], state["waybill"]) == ("辽C12345", "WB1")
    finally:
        screen.stop()


def test_the_printed_ticket_is_gb18030_text_with_the_ticket_id_as_qr(agent) -> None:
    # given a ticket the platform answered
    script = streams.Script()
    script.zero(5)
    script.weigh("辽C12345", 15_040)
    script.weigh("辽C12345", 49_020, waybill="WB2025111400017")
    _drive(agent, script)
    ticket = agent.store.latest(1)[0]
    agent.store.number_waiting(0)
    ticket_id = "c0a8e2b4-0000-4000-8000-000000000001"
    reason = {"code": "quota_exhausted", "message": "矿山 2025 年度开采指标已用完 / quota used up"}
    answer = {"status": "accepted", "ticket_id": ticket_id, "release": False, "reasons": [reason]}
    with agent.store.transaction():
        agent.store.answer(1, answer, T0)
    ticket = agent.store.ticket(ticket.local_no)
    data = render(ticket, "HC-ST-0101", T0)
    # then the printer gets Chinese text in GB18030, the weights, the answer and its reason
    text = data.decode("gb18030", errors="replace")
    for expected in (
        "过磅单", "辽C12345", "毛  重：49020 kg", "皮  重：15040 kg", "净  重：33980 kg",
        "禁止放行", "矿山 2025 年度开采指标已用完", "司磅员：王力",
    ):  # fmt: skip
        assert expected in text
    # and a QR code (GS ( k, model 2) that stores exactly the platform's ticket id
    assert qr_code("c0a8e2b4-0000-4000-8000-000000000001") in data
    assert b"\x1d(k\x27\x001P0c0a8e2b4-0000-4000-8000-000000000001" in data
    # and a printer that is a folder receives the file
    Printer(f"folder:{agent.settings.data_dir / 'printed'}").send(data, ticket.ticket_no)
    assert (agent.settings.data_dir / "printed" / f"{ticket.ticket_no}.bin").read_bytes() == data


def test_the_camera_drop_names_the_truck_with_its_photo_hash(tmp_path: Path) -> None:
    folder = tmp_path / "plates"
    folder.mkdir()
    (folder / "辽C99999_20251114150000.jpg").write_bytes(b"old")  # before the agent started
    seen: list[tuple[str, str]] = []
    camera = CameraDrop(folder, lambda plate, digest: seen.append((plate, digest)))
    camera._seen = {p.name for p in folder.iterdir()}
    (folder / "辽C12345_20251114154210.jpg").write_bytes(b"jpeg bytes")
    (folder / "无车牌_20251114154300.jpg").write_bytes(b"unreadable")
    (folder / "notes.txt").write_text("x")
    assert camera.poll() == ["辽C12345"]

    assert seen == [("辽C12345", hashlib.sha256(b"jpeg bytes").hexdigest())]
    assert camera.poll() == []
    assert plate_from_file(Path("辽B12_20251114154210.png")) is None
    assert plate_from_file(Path("辽BD12345_20251114154210.png")) == "辽BD12345"


def test_the_indicator_on_a_serial_port_and_on_a_tcp_converter() -> None:
    # a serial port (a pseudo-terminal stands in for the USB adapter) through pyserial
    master, slave = os.openpty()
    tty.setraw(slave)
    line = SerialLine(IndicatorSettings(port=os.ttyname(slave), baud=9600))
    frame = streams.xk3190_frame(49_020)
    assert line.read(0.05) == b""  # opens the port (which drops what came before)
    os.write(master, frame * 3)
    got = b""
    for _ in range(20):
        got += line.read(0.2)
        if len(got) >= len(frame) * 3:
            break
    line.close()
    assert got == frame * 3
    # a serial-to-Ethernet converter in TCP server mode
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    threading.Thread(target=lambda: server.accept()[0].sendall(frame * 2), daemon=True).start()
    tcp = TcpLine(f"127.0.0.1:{port}")
    got = b""
    for _ in range(20):
        got += tcp.read(0.2)
        if len(got) >= len(frame) * 2:
            break
    tcp.close()
    server.close()
    assert got == frame * 2


def test_the_relay_closes_on_release_and_opens_after_its_seconds() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    relay = Relay(os.ttyname(slave), 9600, bytes.fromhex("A00101A2"), bytes.fromhex("A00100A1"),
                  0.05)  # fmt: skip
    relay.pulse()
    assert os.read(master, 4) == bytes.fromhex("A00101A2")
    assert os.read(master, 4) == bytes.fromhex("A00100A1")


@pytest.mark.browser
def test_the_operator_types_a_plate_on_the_screen(agent, chromium, tmp_path: Path) -> None:
    # given the screen after a refusal (the refused truck has driven off), in a Chinese browser
    script = _two_trucks_at_once()
    script.ramp(17_500, 0, 5.0)
    script.zero(5.0)
    _drive(agent, script)
    screen = Screen(agent, port=0)
    screen.start()
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{screen.port}/")
        page.wait_for_selector("#refusal-rows tr")
        assert "两车之间磅秤未回零" in page.inner_text("#notice")
        assert page.inner_text("#zero") == "已回零"
        # when the operator types a plate and scans a waybill (the scanner ends with Enter)
        page.fill("#plate", "辽C12345")
        page.fill("#waybill", "WB2025111400017")
        page.press("#waybill", "Enter")
        page.wait_for_selector("#message:has-text('已录入')")
        agent.drain(T0)
        # then the screen shows them as the truck on the scale
        page.wait_for_function("document.querySelector('#cur-plate').textContent === '辽C12345'")
        assert page.inner_text("#cur-waybill") == "WB2025111400017"
        shots = Path(os.environ.get("OL_STATION_SHOTS", tmp_path))
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "station-screen.png"), full_page=True)
    finally:
        context.close()
        screen.stop()
