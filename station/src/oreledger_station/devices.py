"""The hardware around the scale: the indicator's line (serial port or TCP converter), the
barrier relay, and the plate camera's file drop."""

from __future__ import annotations

import hashlib
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import serial

from oreledger_station.config import IndicatorSettings
from oreledger_station.texts import normal_plate

log = logging.getLogger("oreledger_station.devices")


class SerialLine:
    """The indicator on a serial port (COM3, /dev/ttyUSB0), reopened when it fails."""

    def __init__(self, settings: IndicatorSettings) -> None:
        self.settings = settings
        self._port: Any = None

    def read(self, timeout: float = 0.2) -> bytes:
        """What arrived (possibly nothing); b"" while the port cannot be opened."""
        if self._port is None:
            try:
                self._port = serial.Serial(
                    self.settings.port,
                    self.settings.baud,
                    bytesize=self.settings.bytesize,
                    parity=self.settings.parity,
                    stopbits=self.settings.stopbits,
                    timeout=timeout,
                )
                log.info("已打开仪表串口 %s（%d 波特）", self.settings.port, self.settings.baud)
            except (serial.SerialException, OSError) as exc:
                log.error("无法打开仪表串口 %s：%s", self.settings.port, exc)
                time.sleep(2)
                return b""
        try:
            waiting = max(1, self._port.in_waiting)
            return bytes(self._port.read(waiting))
        except (serial.SerialException, OSError) as exc:
            log.error("仪表串口读取失败：%s", exc)
            self.close()
            return b""

    def close(self) -> None:
        """Close the port."""
        if self._port is not None:
            self._port.close()
            self._port = None


class TcpLine:
    """The indicator behind a serial-to-Ethernet converter in TCP server mode (host:port)."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.address = (host, int(port))
        self._sock: socket.socket | None = None

    def read(self, timeout: float = 0.2) -> bytes:
        """What arrived (possibly nothing); reconnects after a failure."""
        if self._sock is None:
            try:
                self._sock = socket.create_connection(self.address, timeout=5)
                log.info("已连接仪表转换器 %s:%d", *self.address)
            except OSError as exc:
                log.error("无法连接仪表转换器 %s:%d：%s", *self.address, exc)
                time.sleep(2)
                return b""
        self._sock.settimeout(timeout)
        try:
            data = self._sock.recv(4096)
        except TimeoutError:
            return b""
        except OSError as exc:
            log.error("仪表转换器连接中断：%s", exc)
            self.close()
            return b""
        if not data:
            log.error("仪表转换器关闭了连接")
            self.close()
        return data

    def close(self) -> None:
        """Close the connection."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def open_line(settings: IndicatorSettings) -> SerialLine | TcpLine:
    """The configured indicator input."""
    if settings.tcp:
        return TcpLine(settings.tcp)
    if not settings.port:
        raise ValueError("indicator.port 或 indicator.tcp 必须设置一个 / set a port or tcp")
    return SerialLine(settings)


class Relay:
    """The barrier: a relay board on a serial port, closed for a few seconds on release."""

    def __init__(self, port: str, baud: int, on: bytes, off: bytes, seconds: float) -> None:
        self.port, self.baud, self.on, self.off, self.seconds = port, baud, on, off, seconds
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def _write(self, data: bytes) -> None:
        try:
            with self._lock, serial.Serial(self.port, self.baud, timeout=1) as line:
                line.write(data)
                line.flush()
        except (serial.SerialException, OSError) as exc:
            log.error("道闸继电器 %s 无法控制：%s", self.port, exc)

    def pulse(self) -> None:
        """Raise the barrier: relay on now, off after `seconds`."""
        if self._timer is not None:
            self._timer.cancel()
        self._write(self.on)
        log.info("道闸抬杆（继电器 %s）", self.port)
        self._timer = threading.Timer(self.seconds, self._write, args=(self.off,))
        self._timer.daemon = True
        self._timer.start()


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}
_CAMERA_NAME = re.compile(r"^(?P<plate>[^_\s]+?)[_\-](?P<time>\d{14})")


def plate_from_file(path: Path) -> str | None:
    """The plate in a camera image's name: ``辽C12345_20251114154210.jpg``."""
    match = _CAMERA_NAME.match(path.stem)
    return normal_plate(match["plate"]) if match else None


class CameraDrop:
    """Watches the plate camera's folder; each new image names the truck on the scale."""

    def __init__(
        self,
        folder: Path,
        on_plate: Callable[[str, str], None],
        *,
        interval: float = 0.5,
    ) -> None:
        self.folder = folder
        self.on_plate = on_plate
        self.interval = interval
        self._seen: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Ignore what is already there; watch for new images in the background."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._seen = {p.name for p in self.folder.iterdir()}
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def poll(self) -> list[str]:
        """Look once: the plates of new images, oldest first (also handed to `on_plate`)."""
        try:
            entries = sorted(self.folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            log.error("无法读取车牌识别目录 %s：%s", self.folder, exc)
            return []
        plates = []
        for path in entries:
            if path.name in self._seen or path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            self._seen.add(path.name)
            plate = plate_from_file(path)
            if plate is None:
                log.warning("车牌识别图片 %s 的文件名中没有有效车牌，已忽略", path.name)
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            log.info("车牌识别：%s（%s）", plate, path.name)
            self.on_plate(plate, digest)
            plates.append(plate)
        return plates
