"""How dates and times are written for people: Asia/Shanghai, one format everywhere.

Pages use the same formats through Django's format module (`config/formats`), so
`{{ value|date:"DATETIME_FORMAT" }}`, a bare `{{ value }}` and these functions agree; the
browser side is `core/static/core/clock.js` (the big screen's clock, the charts' days).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

DATETIME = "%Y-%m-%d %H:%M"
DATETIME_SECONDS = "%Y-%m-%d %H:%M:%S"


def local_datetime(value: datetime.datetime | None, *, seconds: bool = False) -> str:
    """An instant as Shanghai wall-clock time, "2026-12-05 16:24" ("" for none)."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime(DATETIME_SECONDS if seconds else DATETIME)
