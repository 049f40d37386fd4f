"""The words the operator reads: refusals, the platform's reasons, plates, times."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Local refusals: the station did not take the weight (nothing is sent as a ticket).
REFUSALS = {
    "no_zero": "两车之间磅秤未回零，本次称重无效（疑似两车同磅或车辆未完全下磅）",
    "unstable": "重量始终未稳定，本次称重无效（车辆未停稳或仪表异常）",
    "no_plate": "车辆已离磅但未录入车牌，本次称重无效",
    "low_net": "净重过小，不能生成磅单（请核对两次称重）",
    "no_tare": "车辆登记皮重中没有该车，单次称重无法出单",
}

# The platform's blocking codes (docs/specs/station-protocol.md), for when its message has no
# Chinese.
REASONS = {
    "no_waybill": "无有效运单",
    "permit_invalid": "证照缺失、过期或被吊销",
    "site_suspended": "场所或企业已停产整顿",
    "quota_exhausted": "矿山年度开采指标已用完",
    "contract_exceeded": "超出合同约定数量",
    "vehicle_blacklisted": "车辆已列入黑名单",
    "waybill_reused": "运单已使用过",
}

STATUSES = {
    "accepted": "平台已接收",
    "duplicate": "平台已接收（重复上传）",
    "rejected": "平台拒收",
    None: "待上传",
}

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_SERIAL = f"[0-9{_LETTERS}]"
# GA 36: province, issuing authority, five characters (trailer/coach suffixes allowed);
# new-energy plates have six (D/F first for small vehicles, last for large ones).
_PLATE = re.compile(
    f"[{_PROVINCES}][{_LETTERS}]"
    f"(?:{_SERIAL}{{4}}(?:{_SERIAL}|[挂学警港澳])|[DF]{_SERIAL}[0-9]{{4}}|[0-9]{{5}}[DF])"
)


def normal_plate(text: str) -> str | None:
    """The plate as printed (upper case, no separator), or None if it is not a plate."""
    plate = re.sub(r"[\s·•・.\-]", "", text or "").upper()
    return plate if _PLATE.fullmatch(plate) else None


def reason_text(reason: dict[str, Any]) -> str:
    """A platform reason in Chinese: its message's Chinese half, else the local wording."""
    message = str(reason.get("message") or "")
    chinese = message.split(" / ", 1)[0].strip()
    if chinese and re.search(r"[\u4e00-\u9fff]", chinese):
        return chinese
    code = str(reason.get("code") or "")
    return REASONS.get(code, code or "未知原因")


def local_time(at: float, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A moment in Asia/Shanghai, as the operator reads it."""
    return datetime.datetime.fromtimestamp(at, tz=SHANGHAI).strftime(fmt)


def iso(at: float) -> str:
    """ISO 8601 with the +08:00 offset, as the protocol carries it."""
    return datetime.datetime.fromtimestamp(at, tz=SHANGHAI).isoformat(timespec="seconds")


def tonnes(kg: int | None) -> str:
    """Kilograms as the ticket prints them (kg, with thousands separators)."""
    return "—" if kg is None else f"{kg:,} kg"
