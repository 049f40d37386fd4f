"""The province's clock: Asia/Shanghai (UTC+8, no daylight saving).

Instants are stored in UTC; days, weeks, months and quota years are Asia/Shanghai calendar
periods, whatever the server's own zone. Django's TIME_ZONE names the same zone
(`core/tests/test_localtime.py` holds them equal), so `timezone.localtime()` agrees.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_day(at: datetime.datetime) -> datetime.date:
    """The Asia/Shanghai date of an instant."""
    return at.astimezone(LOCAL).date()


def local_year(at: datetime.datetime) -> int:
    """The Asia/Shanghai calendar year of an instant (a quota year)."""
    return at.astimezone(LOCAL).year


def local_midnight(day: datetime.date) -> datetime.datetime:
    """Asia/Shanghai midnight starting `day`, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL)


def local_noon(day: datetime.date) -> datetime.datetime:
    """Noon of a local calendar day as an aware instant (safely inside the day and its year)."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LOCAL)
