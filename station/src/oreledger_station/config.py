"""The station's one configuration file (TOML), read and checked at start.

A wrong value stops the program with a message naming the key, in Chinese and English,
before anything is weighed. Relative paths are relative to the configuration file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from oreledger_station.frames import DEFAULT_LINE_PATTERN, FORMATS
from oreledger_station.scale import StabilityRule


class ConfigError(ValueError):
    """A configuration value the station cannot work with."""


@dataclass(frozen=True)
class StationSettings:
    """Who the station is and how its trucks are weighed."""

    code: str = ""
    secret_file: Path | None = None
    direction: str = "out"
    cargo: str = "magnesite_ore"
    declared_grade: str | None = None
    operator: str | None = None
    weighing: str = "twice"  # twice: tare and gross both weighed here; once: tare from registry
    vehicles_file: Path | None = None
    min_net_kg: int = 500
    pair_within_hours: float = 12.0


@dataclass(frozen=True)
class PlatformSettings:
    """Where the platform is and how the station talks to it."""

    url: str = ""
    heartbeat_seconds: float = 60.0
    batch_size: int = 50
    timeout_seconds: float = 15.0
    retry_max_seconds: float = 60.0


@dataclass(frozen=True)
class IndicatorSettings:
    """The weighing indicator's output: format, and the serial port or TCP converter."""

    format: str = "xk3190"
    port: str = ""
    tcp: str = ""
    baud: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1
    unit: str = "kg"
    line_pattern: str = DEFAULT_LINE_PATTERN
    stable_status: str = "ST"


@dataclass(frozen=True)
class Settings:
    """Everything the configuration file says."""

    station: StationSettings = field(default_factory=StationSettings)
    platform: PlatformSettings = field(default_factory=PlatformSettings)
    indicator: IndicatorSettings = field(default_factory=IndicatorSettings)
    stability: StabilityRule = field(default_factory=StabilityRule)
    camera_folder: Path | None = None
    ui_port: int = 8765
    printer: str = ""
    relay_port: str = ""
    relay_baud: int = 9600
    relay_on: bytes = bytes.fromhex("A00101A2")
    relay_off: bytes = bytes.fromhex("A00100A1")
    relay_seconds: float = 5.0
    data_dir: Path = Path("data")
    log_dir: Path = Path("logs")

    def secret(self) -> str:
        """The station secret, read from its file (never logged)."""
        if self.station.secret_file is None:
            raise ConfigError("station.secret_file: 未设置密钥文件 / no secret file is set")
        try:
            secret = self.station.secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"station.secret_file: 无法读取密钥文件 / cannot read the secret file: {exc}"
            ) from None
        if not secret:
            raise ConfigError("station.secret_file: 密钥文件为空 / the secret file is empty")
        return secret


_SECTIONS = {
    "station",
    "platform",
    "indicator",
    "stability",
    "camera",
    "ui",
    "printer",
    "relay",
    "storage",
}


def _fail(key: str, zh: str, en: str) -> ConfigError:
    return ConfigError(f"{key}: {zh} / {en}")


def _section(data: dict[str, Any], name: str, cls: type, base: Path) -> Any:
    raw = data.get(name, {})
    if not isinstance(raw, dict):
        raise _fail(name, "应为一个配置节", "must be a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise _fail(f"{name}.{key}", "未知配置项", "unknown key")
        default = getattr(cls(), key)
        if isinstance(default, bool) or (default is not None and not isinstance(default, Path)):
            expected = type(default)
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
                raise _fail(
                    f"{name}.{key}", f"应为 {expected.__name__}", f"must be a {expected.__name__}"
                )
        elif key.endswith(("_file", "_dir", "folder")):
            value = (base / value) if value else None
        elif value == "":
            value = None
        values[key] = value
    return cls(**values)


def load(path: Path | str | None) -> Settings:
    """Read and check the configuration file (None: every default)."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: 无法读取配置文件 / cannot read the file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: 配置文件格式错误 / not valid TOML: {exc}") from None
    for name in data:
        if name not in _SECTIONS:
            raise _fail(name, "未知配置节", "unknown section")
    base = path.parent
    station = _section(data, "station", StationSettings, base)
    platform = _section(data, "platform", PlatformSettings, base)
    indicator = _section(data, "indicator", IndicatorSettings, base)
    stability = _section(data, "stability", StabilityRule, base)
    extra = _extras(data, base)
    settings = Settings(
        station=station, platform=platform, indicator=indicator, stability=stability, **extra
    )
    check(settings)
    return settings


def _extras(data: dict[str, Any], base: Path) -> dict[str, Any]:
    def get(section: str, key: str, kind: type, default: Any) -> Any:
        value = data.get(section, {}).get(key, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _fail(f"{section}.{key}", f"应为 {kind.__name__}", f"must be a {kind.__name__}")
        return value

    known = {
        "camera": {"folder"},
        "ui": {"port"},
        "printer": {"target"},
        "relay": {"port", "baud", "on", "off", "seconds"},
        "storage": {"data_dir", "log_dir"},
    }
    for section, keys in known.items():
        for key in data.get(section, {}):
            if key not in keys:
                raise _fail(f"{section}.{key}", "未知配置项", "unknown key")
    extra: dict[str, Any] = {}
    folder = get("camera", "folder", str, "")
    extra["camera_folder"] = base / folder if folder else None
    extra["ui_port"] = get("ui", "port", int, 8765)
    extra["printer"] = get("printer", "target", str, "")
    extra["relay_port"] = get("relay", "port", str, "")
    extra["relay_baud"] = get("relay", "baud", int, 9600)
    for key in ("on", "off"):
        text = get("relay", key, str, "A0 01 01 A2" if key == "on" else "A0 01 00 A1")
        try:
            extra[f"relay_{key}"] = bytes.fromhex(text)
        except ValueError:
            raise _fail(f"relay.{key}", "应为十六进制字节", "must be hex bytes") from None
    extra["relay_seconds"] = get("relay", "seconds", float, 5.0)
    extra["data_dir"] = base / get("storage", "data_dir", str, "data")
    extra["log_dir"] = base / get("storage", "log_dir", str, "logs")
    return extra


_CODE = re.compile(r"[A-Za-z0-9_.-]{1,30}")


def check(settings: Settings) -> None:
    """Refuse settings the station cannot work with."""
    station, platform, indicator, rule = (
        settings.station,
        settings.platform,
        settings.indicator,
        settings.stability,
    )
    if station.code and not _CODE.fullmatch(station.code):
        raise _fail("station.code", "计量站编码格式不正确", "not a station code")
    if station.direction not in ("out", "in"):
        raise _fail("station.direction", "应为 out（出场）或 in（进场）", "must be out or in")
    if station.weighing not in ("twice", "once"):
        raise _fail("station.weighing", "应为 twice 或 once", "must be twice or once")
    if station.weighing == "once" and station.vehicles_file is None:
        raise _fail(
            "station.vehicles_file",
            "单次称重需要车辆皮重登记文件",
            "weighing once needs the registered tares (vehicles file)",
        )
    if station.operator is not None and not 1 <= len(station.operator) <= 40:
        raise _fail("station.operator", "司磅员姓名应为 1–40 个字符", "must be 1–40 characters")
    if station.min_net_kg < 1:
        raise _fail("station.min_net_kg", "应大于 0", "must be positive")
    if platform.url and not re.fullmatch(r"https?://[^/\s]+/?", platform.url):
        raise _fail("platform.url", "应为 http(s)://主机[:端口]", "must be http(s)://host[:port]")
    if not 1 <= platform.batch_size <= 500:
        raise _fail("platform.batch_size", "每批 1–500 张", "a batch holds 1–500 tickets")
    if platform.heartbeat_seconds <= 0 or platform.retry_max_seconds <= 0:
        raise _fail("platform", "时间间隔应大于 0", "intervals must be positive")
    if indicator.format not in FORMATS:
        raise _fail("indicator.format", "仪表格式应为 " + "/".join(FORMATS), "unknown format")
    if indicator.unit not in ("kg", "t"):
        raise _fail("indicator.unit", "单位应为 kg 或 t", "must be kg or t")
    if indicator.port and indicator.tcp:
        raise _fail("indicator", "串口和 TCP 只能设一个", "set either port or tcp, not both")
    if indicator.parity not in ("N", "E", "O") or indicator.bytesize not in (7, 8):
        raise _fail("indicator", "串口参数不正确", "bad serial parameters")
    if indicator.format == "line":
        try:
            if "weight" not in re.compile(indicator.line_pattern).groupindex:
                raise _fail(
                    "indicator.line_pattern", "需要 (?P<weight>…) 分组", "needs a weight group"
                )
        except re.error as exc:
            raise _fail("indicator.line_pattern", "正则表达式错误", str(exc)) from None
    if rule.readings < 2 or rule.seconds < 0 or rule.tolerance_kg < 0:
        raise _fail("stability", "稳定判定参数不正确", "bad stability rule")
    if not 0 <= rule.zero_band_kg < rule.min_load_kg:
        raise _fail("stability.zero_band_kg", "零点范围应小于最小载重", "must be below min_load_kg")


def with_overrides(settings: Settings, **sections: dict[str, Any]) -> Settings:
    """Settings with some values replaced (the command line wins over the file)."""
    changed: dict[str, Any] = {}
    for name, values in sections.items():
        values = {k: v for k, v in values.items() if v is not None}
        if values:
            changed[name] = replace(getattr(settings, name), **values)
    result = replace(settings, **changed)
    check(result)
    return result
