"""The shared rate limit at its edges: N allowed, N+1 refused with Retry-After, then again."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from oreledger.core import ratelimits
from oreledger.core.models import RateWindow
from oreledger.core.ratelimits import RateLimited, admit, prune_windows

T0 = 1_800_000_000.0  # a fixed Unix time; the tests move the clock, never sleep


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The rate limit's clock, held at T0 until a test moves it (now[0] += seconds)."""
    now = [T0]
    monkeypatch.setattr(ratelimits, "clock", lambda: now[0])
    return now


@override_settings(OL_RATE_STATION_LIMIT=3, OL_RATE_STATION_WINDOW_SECONDS=60)
def test_n_requests_pass_the_next_waits_until_the_window_ends(db, clock) -> None:
    # given a station that sent its three requests over 20 seconds
    for _ in range(3):
        admit(("station", "7"))
        clock[0] += 10
    # when it sends a fourth inside the window
    with pytest.raises(RateLimited) as refused:
        admit(("station", "7"))
    # then it is told to wait for the rest of the window (60 − 30 s)
    assert (refused.value.status, refused.value.code) == (429, "rate_limited")
    assert refused.value.retry_after == 30
    # and once the window has ended, a new one opens with this request
    clock[0] = T0 + 60
    admit(("station", "7"))
    window = RateWindow.objects.get(key="station:7")
    assert (window.count, window.ends_at) == (1, T0 + 120)


@override_settings(OL_RATE_STATION_LIMIT=1, OL_RATE_STATION_WINDOW_SECONDS=60)
def test_a_refused_request_counts_and_does_not_reopen_the_window(db, clock) -> None:
    # given a station refused once
    admit(("station", "7"))
    with pytest.raises(RateLimited):
        admit(("station", "7"))
    # when it keeps trying one second before its window ends
    clock[0] = T0 + 59
    with pytest.raises(RateLimited) as refused:
        admit(("station", "7"))
    # then it still waits, one second, and every attempt was counted
    assert refused.value.retry_after == 1
    assert RateWindow.objects.get(key="station:7").count == 3


@override_settings(
    OL_RATE_STATION_LIMIT=5,
    OL_RATE_STATION_WINDOW_SECONDS=60,
    OL_RATE_STATION_ADDRESS_LIMIT=2,
    OL_RATE_STATION_ADDRESS_WINDOW_SECONDS=30,
)
def test_one_request_counts_against_each_of_its_clients(db, clock) -> None:
    # given two stations behind one address that allows two requests per 30 s
    admit(("station_address", "203.0.113.7"), ("station", "1"))
    admit(("station_address", "203.0.113.7"), ("station", "2"))
    # when the first station sends again, within its own allowance
    with pytest.raises(RateLimited) as refused:
        admit(("station_address", "203.0.113.7"), ("station", "1"))
    # then the address's limit refuses it, with the address's window
    assert refused.value.retry_after == 30
    counts = dict(RateWindow.objects.values_list("key", "count"))
    assert counts == {"station_address:203.0.113.7": 3, "station:1": 2, "station:2": 1}
    # and another address is not held back
    admit(("station_address", "203.0.113.8"), ("station", "3"))


def test_housekeeping_forgets_ended_windows(db, clock) -> None:
    # given one window that ended and one still open
    RateWindow.objects.create(key="anonymous:198.51.100.1", ends_at=T0 - 1, count=5)
    RateWindow.objects.create(key="anonymous:198.51.100.2", ends_at=T0 + 1, count=5)
    # when housekeeping runs at T0
    removed = prune_windows(now=datetime.datetime.fromtimestamp(T0, tz=datetime.UTC))
    # then only the ended one is gone
    assert removed == 1
    assert list(RateWindow.objects.values_list("key", flat=True)) == ["anonymous:198.51.100.2"]
