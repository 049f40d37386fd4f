"""`oreledger-station`: run the station, replay a capture, record one, check the setup."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from oreledger_station import __version__
from oreledger_station.agent import Agent
from oreledger_station.config import ConfigError, Settings, load, with_overrides
from oreledger_station.devices import CameraDrop, Relay, open_line
from oreledger_station.frames import FORMATS
from oreledger_station.printer import Printer
from oreledger_station.replay import EventsError, replay
from oreledger_station.screen import Screen
from oreledger_station.store import Store
from oreledger_station.uplink import Uplink

LEVELS = {"DEBUG": "调试", "INFO": "信息", "WARNING": "警告", "ERROR": "错误", "CRITICAL": "严重"}


class ChineseFormatter(logging.Formatter):
    """``2025-11-14 15:42:10 信息 message``: local time, level in Chinese, no module paths."""

    def format(self, record: logging.LogRecord) -> str:
        record.level_zh = LEVELS.get(record.levelname, record.levelname)
        return super().format(record)


def setup_logging(log_dir: Path | None, *, verbose: bool = False) -> None:
    """Log to the console and, when given a folder, to station.log (10 × 5 MB, UTF-8)."""
    formatter = ChineseFormatter("%(asctime)s %(level_zh)s %(message)s", "%Y-%m-%d %H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / "station.log", maxBytes=5_000_000, backupCount=10, encoding="utf-8"
            )
        )
    root = logging.getLogger("oreledger_station")
    root.handlers.clear()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oreledger-station",
        description="称重终端：读取地磅仪表，生成磅单，按计量站协议上传平台。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="运行称重终端（读仪表、操作界面、上传）")
    run.add_argument("--config", type=Path, required=True, help="配置文件 station.toml")

    check = commands.add_parser("check", help="检查配置并与平台握手（心跳）")
    check.add_argument("--config", type=Path, required=True)

    record = commands.add_parser("record", help="录制仪表原始字节，供回放和调试")
    record.add_argument("--config", type=Path, required=True)
    record.add_argument("--out", type=Path, required=True, help="输出文件")
    record.add_argument("--seconds", type=float, default=600.0, help="录制时长（秒）")

    replay = commands.add_parser("replay", help="回放仪表原始字节（调试和验收）")
    replay.add_argument("capture", type=Path, help="仪表原始字节文件")
    replay.add_argument("--format", choices=FORMATS, required=True)
    replay.add_argument("--baud", type=int, default=9600)
    replay.add_argument("--events", type=Path, help="EVENTS.csv：at_s, plate, waybill")
    replay.add_argument("--station", help="计量站编码")
    replay.add_argument("--server", help="平台地址 http(s)://主机[:端口]")
    replay.add_argument("--secret-file", type=Path, help="计量站密钥文件")
    replay.add_argument("--config", type=Path, help="配置文件（称重参数等）")
    replay.add_argument("--data-dir", type=Path, help="本地数据库目录")
    replay.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="回放倍速（默认 1：按波特率实时；0：不限速）",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "replay":
            return _replay(args)
        settings = load(args.config)
        if args.command == "check":
            setup_logging(None)
            return _check(settings)
        if args.command == "record":
            setup_logging(None)
            return _record(settings, args.out, args.seconds)
        setup_logging(settings.log_dir)
        return _run(settings)
    except ConfigError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2


def _replay(args: Any) -> int:
    settings = load(args.config) if args.config else Settings()
    settings = with_overrides(
        settings,
        station={
            "code": args.station,
            "secret_file": args.secret_file.resolve() if args.secret_file else None,
        },
        platform={"url": args.server},
        indicator={"format": args.format, "baud": args.baud},
    )
    if args.data_dir is not None:
        settings = replace(settings, data_dir=args.data_dir)
    if not settings.station.code or not settings.platform.url:
        raise ConfigError("replay 需要 --station 和 --server / needs --station and --server")
    if args.speed < 0:
        raise ConfigError("--speed 不能为负 / must not be negative")
    setup_logging(settings.data_dir / "logs")
    try:
        return replay(
            settings,
            args.capture,
            events_path=args.events,
            baud=args.baud,
            speed=args.speed,
            secret=settings.secret(),
        )
    except (EventsError, OSError) as exc:
        print(f"回放失败 / replay failed: {exc}", file=sys.stderr)
        return 2


def _check(settings: Settings) -> int:
    uplink = Uplink(
        store_path=settings.data_dir / "station.sqlite3",
        code=settings.station.code,
        secret=settings.secret(),
        url=settings.platform.url,
        timeout=settings.platform.timeout_seconds,
    )
    uplink.store = Store(uplink.store_path)
    ok = uplink.heartbeat()
    print(f"计量站 {settings.station.code} → {settings.platform.url}：{uplink.link.text()}")
    if ok:
        print(f"平台最后序号 last_seq = {uplink.link.platform_last_seq}")
        print(f"平台时间 {uplink.link.server_time}")
    uplink.store.close()
    return 0 if ok else 1


def _record(settings: Settings, out: Path, seconds: float) -> int:
    line = open_line(settings.indicator)
    end = time.monotonic() + seconds
    total = 0
    with out.open("wb") as handle:
        while time.monotonic() < end:
            data = line.read(0.2)
            handle.write(data)
            total += len(data)
    line.close()
    print(f"已录制 {total} 字节到 {out}")
    return 0


def _at(now: float) -> Callable[[int], float]:
    """A live line's clock: every byte of a read arrived when the read returned."""
    return lambda _offset: now


def _run(settings: Settings) -> int:
    log = logging.getLogger("oreledger_station")
    relay = None
    if settings.relay_port:
        relay = Relay(settings.relay_port, settings.relay_baud, settings.relay_on,
                      settings.relay_off, settings.relay_seconds)  # fmt: skip
    printer = Printer(settings.printer) if settings.printer else None
    agent = Agent(settings, printer=printer, relay=relay)
    line = open_line(settings.indicator)
    screen = Screen(agent, port=settings.ui_port)
    camera = None
    if settings.camera_folder is not None:
        camera = CameraDrop(
            settings.camera_folder,
            lambda plate, digest: agent.inputs.put(
                lambda at: agent.truck(at, plate=plate, photos=[("plate", digest)])
            ),
        )
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    agent.start()
    screen.start()
    if camera is not None:
        camera.start()
    log.info(
        "称重终端已启动：计量站 %s，仪表 %s，操作界面 http://127.0.0.1:%d/",
        settings.station.code, settings.indicator.format, screen.port,
    )  # fmt: skip
    try:
        while not stopping:
            data = line.read(0.2)
            now = time.time()
            agent.drain(now)
            if data:
                agent.feed(data, _at(now))
    finally:
        log.info("称重终端正在退出")
        if camera is not None:
            camera.stop()
        screen.stop()
        line.close()
        agent.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
