"""The station simulator: signing, outbox and resend, determinism, and a run against the server."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import itertools
import json
from typing import Any

import pytest

from oreledger.simulator.anomalies import parse_anomalies
from oreledger.simulator.client import (
    SHANGHAI,
    StationClient,
    TransportError,
    sign_request,
)
from oreledger.simulator.driver import Simulator, WaybillIssuer
from oreledger.simulator.traffic import (
    LEGAL_GROSS_KG,
    ContractInfo,
    SiteInfo,
    StationInfo,
    TrafficModel,
    Truck,
    World,
    within_hours,
)

SECRET = "HC-ST-007-secret"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_763_106_130.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakePlatform:
    """An in-memory platform behind the Transport interface: verifies, stores, answers."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets
        self.stored: dict[tuple[str, int], dict[str, Any]] = {}
        self.order: list[tuple[str, int]] = []
        self.down = False
        self.fail_status: int | None = None
        self.lose_answers = False  # store the batch, then drop the connection
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.waybills: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str]):
        self.requests.append((method, path, headers))
        if self.down:
            raise TransportError("connection refused")
        if path == "/api/v1/waybills":
            number = f"WB{len(self.waybills) + 1:013d}"
            self.waybills[number] = json.loads(body)["plate"]
            return 201, json.dumps({"number": number}).encode()
        code = headers["X-OL-Station"]
        expected = sign_request(self.secrets[code], int(headers["X-OL-Timestamp"]), method,
                                path, body)  # fmt: skip
        assert hmac.compare_digest(expected, headers["X-OL-Signature"])
        if self.fail_status:
            return self.fail_status, b'{"error": {"code": "boom", "message": "boom"}}'
        data = json.loads(body)
        if path.endswith("/heartbeat"):
            return 200, json.dumps({"last_seq": self.last_seq(code), "server_time": "x"}).encode()
        results = []
        for ticket in data["tickets"]:
            key = (code, ticket["seq"])
            status = "duplicate" if key in self.stored else "accepted"
            if status == "accepted":
                self.stored[key] = ticket
                self.order.append(key)
            results.append({"seq": ticket["seq"], "status": status, "ticket_id": "t",
                            "release": True, "reasons": []})  # fmt: skip
        if self.lose_answers:
            raise TransportError("connection reset after the server stored the batch")
        answer = {"results": results, "last_seq": self.last_seq(code)}
        return 200, json.dumps(answer).encode()

    def last_seq(self, code: str) -> int:
        return max((seq for station, seq in self.stored if station == code), default=0)


def _ticket(n: int) -> dict[str, Any]:
    return {"plate": "辽C12345", "direction": "out", "gross_kg": 49_000 + n, "tare_kg": 15_000}


# --- signing --------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_over_the_spec_bytes() -> None:
    # given the spec's message: timestamp, method, path and the body's hex SHA-256, by lines
    body = b'{"tickets":[]}'
    body_hex = hashlib.sha256(body).hexdigest()
    assert body_hex == "5cf29510f28f698d44b4ed1d0f4a4f259d24c88287dd9acc6be010387a829585"
    message = b"1763106130\nPOST\n/api/v1/station/tickets\n" + body_hex.encode()
    by_hand = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    # then the simulator signs exactly those bytes (and ignores a query string)
    assert by_hand == "5073484dd0c38ac098438104d18fa2e5e3d5c436ad65c149d7c0dcb81e3da300"
    assert sign_request(SECRET, 1763106130, "POST", "/api/v1/station/tickets", body) == by_hand
    assert sign_request(SECRET, 1763106130, "POST", "/api/v1/station/tickets?x=1", body) == by_hand


def test_client_sends_the_three_headers_over_the_body_it_sends() -> None:
    # given a station and a platform that verifies every signature
    platform = FakePlatform({"HC-ST-007": SECRET})
    client = StationClient("HC-ST-007", SECRET, platform, clock=Clock())
    # when it weighs two trucks and flushes
    client.enqueue(_ticket(1))
    client.enqueue(_ticket(2))
    assert client.flush() == 2
    # then one signed batch carried seq 1 and 2 with the station's code and the clock's time
    method, path, headers = platform.requests[-1]
    assert (method, path) == ("POST", "/api/v1/station/tickets")
    assert headers["X-OL-Station"] == "HC-ST-007"
    assert headers["X-OL-Timestamp"] == "1763106130"
    assert sorted(platform.stored) == [("HC-ST-007", 1), ("HC-ST-007", 2)]


# --- outbox and resend ----------------------------------------------------------------------


def test_outbox_survives_an_outage_and_is_resent_once_after_heartbeat() -> None:
    # given a station whose network is down while it weighs five trucks
    clock, platform = Clock(), FakePlatform({"S1": SECRET})
    client = StationClient("S1", SECRET, platform, clock=clock, max_batch=2)
    platform.down = True
    for n in range(5):
        client.enqueue(_ticket(n))
    # when it tries to send: nothing is lost, and it backs off
    assert client.flush() == 0
    assert len(client.outbox) == 5 and not client.online
    assert client.flush() == 0  # still inside the back-off: not even tried
    assert len(platform.requests) == 1
    # when the network comes back and the back-off has passed
    platform.down = False
    clock.now += 5
    assert client.flush() == 5
    # then it heartbeated first, then sent everything in batches of two, each stored once
    paths = [path for _m, path, _h in platform.requests[1:]]
    assert paths[0] == "/api/v1/station/heartbeat"
    assert paths[1:] == ["/api/v1/station/tickets"] * 3
    assert platform.order == [("S1", n) for n in range(1, 6)]
    assert client.outbox == type(client.outbox)() and client.online


def test_a_lost_answer_is_settled_by_the_platforms_last_seq_and_duplicates() -> None:
    # given a batch the platform stored although its answer never arrived
    clock, platform = Clock(), FakePlatform({"S1": SECRET})
    outcomes: list[str] = []
    client = StationClient("S1", SECRET, platform, clock=clock,
                           on_outcome=lambda c, o: outcomes.append(o.status))  # fmt: skip
    for n in range(3):
        client.enqueue(_ticket(n))
    platform.lose_answers = True
    client.flush()
    assert len(client.outbox) == 3 and len(platform.stored) == 3
    # and a 503 the next time
    platform.lose_answers = False
    platform.fail_status = 503
    client.enqueue(_ticket(3))
    clock.now += 5
    client.flush()
    assert len(client.outbox) == 4
    # when the platform is healthy again
    platform.fail_status = None
    clock.now += 60
    client.flush()
    # then the first three are confirmed by last_seq, the fourth stored, none twice
    assert outcomes == ["confirmed", "confirmed", "confirmed", "accepted"]
    assert platform.order == [("S1", 1), ("S1", 2), ("S1", 3), ("S1", 4)]
    # and a resend of an acknowledged seq is a duplicate, which counts as acknowledged
    client.outbox.append(dict(platform.stored[("S1", 4)]))
    client.flush()
    assert outcomes[-1] == "duplicate" and not client.outbox


def test_starting_station_continues_after_the_platforms_last_seq() -> None:
    platform = FakePlatform({"S1": SECRET})
    platform.stored[("S1", 41)] = {}
    client = StationClient("S1", SECRET, platform, clock=Clock())
    assert client.heartbeat() == 41
    assert client.enqueue(_ticket(0))["seq"] == 42


# --- the traffic model ----------------------------------------------------------------------


def small_world() -> World:
    """Two mines, two plants, a checkpoint between, eight trucks."""
    stations = {
        "T-ST-001": StationInfo("T-ST-001", 40.90, 122.60, "T-M-001", "210381"),
        "T-ST-002": StationInfo("T-ST-002", 40.85, 122.70, "T-M-002", "210381"),
        "T-ST-003": StationInfo("T-ST-003", 40.80, 122.80, "T-P-001", "210381"),
        "T-ST-004": StationInfo("T-ST-004", 40.82, 122.76, "T-P-002", "210381"),
        "T-ST-005": StationInfo("T-ST-005", 40.85, 122.70, None, "210381"),
    }
    sites = {
        "T-M-001": SiteInfo("T-M-001", "mine", 40.90, 122.60, 360, 1320, "T-ST-001", "210381",
                            600_000, 500_000_000),
        "T-M-002": SiteInfo("T-M-002", "mine", 40.86, 122.69, 360, 1320, "T-ST-002", "210381",
                            900_000, None),
        "T-P-001": SiteInfo("T-P-001", "plant", 40.80, 122.80, 0, 1440, "T-ST-003", "210381"),
        "T-P-002": SiteInfo("T-P-002", "plant", 40.82, 122.76, 360, 1320, "T-ST-004", "210381"),
    }  # fmt: skip
    year = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    contracts = [
        ContractInfo("HT-1", "T-M-001", "T-P-001", "LM-45", 50_000_000, *year, "210381"),
        ContractInfo("HT-2", "T-M-001", "T-P-002", "LM-44", 30_000_000, *year, "210381"),
        ContractInfo("HT-3", "T-M-002", "T-P-001", "LM-46", 40_000_000, *year, "210381"),
    ]
    trucks = [
        Truck(f"辽C{10000 + n}", axles, tare, "210381")
        for n, (axles, tare) in enumerate([(6, 16_000), (6, 17_500), (5, 15_000), (4, 14_000),
                                           (3, 11_000), (2, 7_500), (6, 15_200), (5, 16_500)])
    ]  # fmt: skip
    return World(stations, sites, contracts, trucks)


DAY = datetime.datetime(2026, 11, 20, tzinfo=SHANGHAI)


def _signature(trips: list[Any]) -> list[tuple[Any, ...]]:
    return [(t.plate, t.contract.number, [(w.station, w.gross_kg, w.tare_kg, w.gross_at,
             w.tare_at) for w in t.weighings]) for t in trips]  # fmt: skip


def test_same_seed_same_traffic_other_seed_other_traffic() -> None:
    one = TrafficModel(small_world(), seed=1).plan(DAY, DAY + datetime.timedelta(days=1))
    again = TrafficModel(small_world(), seed=1).plan(DAY, DAY + datetime.timedelta(days=1))
    other = TrafficModel(small_world(), seed=2).plan(DAY, DAY + datetime.timedelta(days=1))
    assert one and _signature(one) == _signature(again)
    assert _signature(one) != _signature(other)


def test_planned_trips_are_physically_and_legally_plausible() -> None:
    world = small_world()
    trips = TrafficModel(world, seed=7).plan(DAY, DAY + datetime.timedelta(days=1))
    assert len(trips) >= 10
    by_plate: dict[str, list[Any]] = {}
    for trip in trips:
        out, entry = trip.weighings[0], trip.weighings[-1]
        mine, plant = world.sites[trip.contract.origin], world.sites[trip.contract.destination]
        # exit at the mine's station, entry at the plant's, 20–90 minutes apart
        assert (out.station, out.direction) == (mine.station, "out")
        assert (entry.station, entry.direction) == (plant.station, "in")
        minutes = (entry.gross_at - out.gross_at).total_seconds() / 60
        assert 20 <= minutes <= 90
        # inside both sites' hours; under the legal gross; the plant's net within 0.3 %
        assert within_hours(out.tare_at, mine.hours_from, mine.hours_to)
        assert within_hours(entry.tare_at, plant.hours_from, plant.hours_to)
        assert out.gross_kg <= LEGAL_GROSS_KG[trip.axles]
        assert abs(entry.net_kg - out.net_kg) <= out.net_kg * 0.003 + 40
        assert abs(out.tare_kg - trip.registered_tare_kg) <= trip.registered_tare_kg * 0.01 + 20
        by_plate.setdefault(trip.plate, []).append(trip)
    # and no truck starts a trip before finishing the previous one
    for plate_trips in by_plate.values():
        for before, after in itertools.pairwise(plate_trips):
            assert after.weighings[0].tare_at > before.ends_at


def test_anomaly_hook_changes_only_the_chosen_trips() -> None:
    end = DAY + datetime.timedelta(days=1)
    clean = TrafficModel(small_world(), seed=3).plan(DAY, end)
    dirty = TrafficModel(small_world(), seed=3, anomalies=parse_anomalies(["overload=0.5"])).plan(
        DAY, end
    )
    # the schedule is the same; about half the trips are overloaded, the rest untouched
    assert [t.plate for t in clean] == [t.plate for t in dirty]
    flagged = [t for t in dirty if t.anomalies == ["overload"]]
    assert 0 < len(flagged) < len(dirty)
    assert all(t.weighings[0].gross_kg > LEGAL_GROSS_KG[t.axles] for t in flagged)
    with pytest.raises(ValueError, match="unknown anomaly"):
        parse_anomalies(["cloned=0.1"])


def test_history_against_a_fake_platform_stores_every_ticket_once_exit_before_entry() -> None:
    # given the simulator over an in-memory platform
    world = small_world()
    secrets = {code: f"secret-{code}" for code in world.stations}
    platform = FakePlatform(secrets)
    clients = {c: StationClient(c, s, platform, max_batch=3) for c, s in secrets.items()}
    tokens = {c.number: "token" for c in world.contracts}
    simulator = Simulator(model=TrafficModel(world, seed=5), clients=clients,
                          issuer=WaybillIssuer(platform, tokens), out=print)  # fmt: skip
    # when it replays one day
    now = datetime.datetime(2026, 11, 21, 12, tzinfo=SHANGHAI)
    simulator.sync()
    simulator.run_history(days=1, now=now, keep_open=False)
    # then every ticket it counted as accepted is stored, once, and nothing waits
    stats = simulator.stats
    assert stats.trips > 10 and stats.waybills == stats.trips
    assert set(platform.stored) == stats.accepted_seqs
    assert sum(stats.sent.values()) == len(platform.stored) and simulator.buffered() == 0
    # and every waybill's exit reached the platform before its plant-gate entry
    position: dict[tuple[str, str], int] = {}
    for index, key in enumerate(platform.order):
        ticket = platform.stored[key]
        position[(ticket["waybill"], ticket["direction"])] = index
    for number in platform.waybills:
        assert position[(number, "out")] < position[(number, "in")]


# --- against the real server ----------------------------------------------------------------

TINY = dict(
    mines=3,
    plants=3,
    yards=0,
    traders=0,
    chemical=0,
    hauliers=2,
    others=0,
    trucks=16,
    towns_per_county=(1, 1),
    checkpoints_per_county=(1, 1),
    contracts_per_mine=(1, 2),
)


def _load_tiny_province(tmp_path: Any) -> None:
    """A tiny demo province through the real bundle importer: mines, plants, stations with
    secrets, contracts, quotas, hauliers' trucks, county operators."""
    from django.utils import timezone

    from oreledger.core.bundle import import_bundle, supported_sheets
    from oreledger.demo.catalogue import DemoScale
    from oreledger.demo.generator import write_bundle
    from testkit.personas import reseed_catalogues

    reseed_catalogues()
    today = timezone.now().astimezone(SHANGHAI).date()
    path = write_bundle(tmp_path / "tiny.xlsx", seed=11, scale=DemoScale(**TINY), today=today,
                        sheets=supported_sheets())  # fmt: skip
    report = import_bundle(path, actor=None)
    assert report.ok, report.errors[:5]


def _wait_until_up(port: int, process: Any) -> None:
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server died"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not come up")


@pytest.mark.django_db(transaction=True)
def test_one_day_of_history_against_the_real_server(tmp_path: Any) -> None:
    import subprocess
    from io import StringIO

    from django.core.management import call_command

    from oreledger.simulator.management.commands.simulate_stations import Command
    from oreledger.weighing.models import Ticket, Waybill
    from testkit.processes import child_env, free_port, start

    # given a tiny province and the platform serving it
    _load_tiny_province(tmp_path)
    port = free_port()
    server = start("serve", "--port", str(port), "--web-workers", "1", "--workers", "1",
                   "--no-scheduler", env=child_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_until_up(port, server)
        # when the simulator sends a day of history at a tenth of the realistic volume
        command, out = Command(), StringIO()
        call_command(command, url=f"http://127.0.0.1:{port}", history_days=1,
                     history_volume=0.1, seed=3, stdout=out)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats = command.simulator.stats
    # then it drove some trucks, and the platform holds exactly the tickets it accepted
    assert stats.trips >= 3, out.getvalue()
    stored = set(Ticket.objects.values_list("station__code", "seq"))
    assert stored == stats.accepted_seqs
    assert sum(stats.rejected.values()) == 0 and sum(stats.held.values()) == 0, stats.reasons
    assert sum(stats.sent.values()) == len(stored) and command.simulator.buffered() == 0
    # and every waybill it was issued made its trip: departed from the mine, closed at the plant
    waybills = Waybill.objects.all()
    assert waybills.count() == stats.waybills
    assert {w.status for w in waybills} <= {"arrived", "closed"}
    assert all(w.exit_ticket_id and w.entry_ticket_id for w in waybills)
    assert all(abs(w.discrepancy_kg or 0) <= 0.004 * (w.exit_net_kg or 0) for w in waybills)
