"""Rate limits of the station protocol (per station, per address) and of the API per token."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from oreledger.core import ratelimits
from oreledger.weighing.models import StationState, Waybill
from oreledger.weighing.tests.support import build_chain, exit_gate, post

HEARTBEAT = "/api/v1/station/heartbeat"
BEAT = b'{"last_seq": 0, "device_time": "2025-11-14T15:43:00+08:00", "status": "ok"}'
T0 = 1_800_000_000.0

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The rate limit's clock, held still until a test moves it (the signatures use the
    real clock, so the station's timestamps stay fresh)."""
    now = [T0]
    monkeypatch.setattr(ratelimits, "clock", lambda: now[0])
    return now


@pytest.fixture
def chain(world):
    """One mine with two exit stations, a plant with its gate, a checkpoint."""
    return build_chain(world, stations_per_mine=2)


def beat(code: str, secret: str, address: str = "203.0.113.7") -> object:
    """A signed heartbeat from the address."""
    return post(Client(REMOTE_ADDR=address), code, secret, BEAT, path=HEARTBEAT)


@override_settings(OL_RATE_STATION_LIMIT=2, OL_RATE_STATION_WINDOW_SECONDS=60)
def test_a_station_past_its_limit_gets_429_and_nothing_is_recorded(chain, clock) -> None:
    # given a station that used its two requests
    mine, code, secret = exit_gate(chain)
    assert [beat(code, secret).status_code for _ in range(2)] == [200, 200]
    seen = StationState.objects.get(station__code=code).last_heartbeat_at
    # when it sends a third inside the window
    clock[0] += 15
    refused = beat(code, secret)
    # then it is refused with the protocol's error body and told when to come back
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "45" in refused.json()["error"]["message"]
    # and its heartbeat was not recorded
    assert StationState.objects.get(station__code=code).last_heartbeat_at == seen
    # and its neighbour behind the same address is still served
    other, other_secret = list(mine.stations.items())[1]
    assert beat(other, other_secret).status_code == 200
    # and once the window has passed, it is served again
    clock[0] = T0 + 60
    assert beat(code, secret).status_code == 200


@override_settings(OL_RATE_STATION_ADDRESS_LIMIT=3, OL_RATE_STATION_ADDRESS_WINDOW_SECONDS=60)
def test_an_address_past_its_limit_is_refused_even_with_bad_signatures(chain, clock) -> None:
    # given an address that sent two requests with a wrong secret and one good one
    _mine, code, secret = exit_gate(chain)
    assert [beat(code, "wrong").status_code for _ in range(2)] == [401, 401]
    assert beat(code, secret).status_code == 200
    # when a fourth comes from it, signed correctly
    refused = beat(code, secret)
    # then the address's limit refuses it
    assert (refused.status_code, refused["Retry-After"]) == (429, "60")
    # and another address is served
    assert beat(code, secret, address="203.0.113.8").status_code == 200


@override_settings(OL_RATE_STATION_LIMIT=1)
def test_bad_signatures_do_not_spend_a_stations_allowance(chain, clock) -> None:
    # given a stranger sending in a station's name with a wrong secret
    _mine, code, secret = exit_gate(chain)
    assert beat(code, "wrong", address="198.51.100.9").status_code == 401
    # when the station itself sends
    answer = beat(code, secret)
    # then it is served
    assert answer.status_code == 200


def _order(chain) -> dict[str, object]:
    mine = chain.mines[0]
    return {"contract": mine.contract.number, "plate": "辽C00001", "planned_net_kg": 30000}


@override_settings(OL_RATE_TOKEN_LIMIT=2, OL_RATE_TOKEN_WINDOW_SECONDS=60)
def test_a_token_past_its_limit_gets_429_and_changes_nothing(world, chain, clock) -> None:
    # given a token that made its two requests
    api = world.api("haicheng_operator")
    assert [api.get("/api/v1/waybills").status_code for _ in range(2)] == [200, 200]
    # when it asks to issue a waybill inside the window
    refused = api.post("/api/v1/waybills", _order(chain), format="json")
    # then it is refused with the documented error body and Retry-After, and nothing is issued
    assert (refused.status_code, refused["Retry-After"]) == (429, "60")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert Waybill.objects.count() == 0
    # and another token, and the same person's session, are served
    assert world.api("dashiqiao_operator").get("/api/v1/waybills").status_code == 200
    assert world.client("haicheng_operator").get("/api/v1/waybills").status_code == 200
    # and after the window the token is served again
    clock[0] = T0 + 60
    assert api.post("/api/v1/waybills", _order(chain), format="json").status_code == 201
