"""The province's clock is Asia/Shanghai, whatever the server's zone."""

from __future__ import annotations

import datetime

from django.conf import settings

from oreledger.core.localtime import LOCAL, local_day, local_midnight, local_noon, local_year

UTC = datetime.UTC


def test_django_and_the_platform_keep_the_same_clock() -> None:
    # given the settings' zone and the platform's local zone
    # then they are one zone
    assert settings.TIME_ZONE == LOCAL.key == "Asia/Shanghai"


def test_an_instant_after_16_utc_is_the_next_local_day_and_new_year_s_day_its_quota_year() -> None:
    # given the last evening of 2025 in UTC, already 2026 in Shanghai
    at = datetime.datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    # when its local day and year are asked
    # then both are Shanghai's
    assert local_day(at) == datetime.date(2026, 1, 1)
    assert local_year(at) == 2026
    assert local_day(at - datetime.timedelta(hours=1)) == datetime.date(2025, 12, 31)


def test_local_midnight_and_noon_are_eight_hours_ahead_of_utc() -> None:
    # given a local day
    day = datetime.date(2026, 3, 1)
    # when its midnight and noon are taken
    # then they are the instants 16:00 and 04:00 UTC
    assert local_midnight(day).astimezone(UTC) == datetime.datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert local_noon(day).astimezone(UTC) == datetime.datetime(2026, 3, 1, 4, tzinfo=UTC)
