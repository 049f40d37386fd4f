"""From a taken weight to a queued ticket: pairing, registered tare, seq, signing, config."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from oreledger_station.config import ConfigError, StationSettings, load
from oreledger_station.scale import Capture, Refusal
from oreledger_station.store import Store
from oreledger_station.uplink import Uplink, signature
from oreledger_station.weighings import FirstPass, Weighings, registered_tares

T0 = 1_763_106_000.0  # 2025-11-14 15:40:00 +08:00
STATION = StationSettings(code="HC-ST-0101", direction="out", operator="王力")


def _save(store: Store) -> None:
    store.save_checkpoint("live", {"zero_seen": False})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "station.sqlite3")
    yield db
    db.close()


def test_two_passes_pair_into_gross_and_tare_by_plate(store: Store) -> None:
    weighings = Weighings(STATION)
    # given a truck weighed empty, another truck, then the first one loaded
    first = weighings.record(store, Capture("辽C12345", 15_040, T0, None, ()), "live", _save)
    other = weighings.record(store, Capture("辽C67890", 16_000, T0 + 60, None, ()), "live", _save)
    ticket = weighings.record(
        store, Capture("辽C12345", 49_020, T0 + 130, "WB2025111400017", (("plate", "ab" * 32),)),
        "live", _save,
    )  # fmt: skip
    # then the first passes wait, and the second makes the ticket of the spec's example
    assert first == FirstPass("辽C12345", 15_040) and other == FirstPass("辽C67890", 16_000)
    assert ticket.seq is None and ticket.ticket_no == "HC-ST-0101-000001"
    assert ticket.body == {
        "ticket_no": "HC-ST-0101-000001",
        "plate": "辽C12345",
        "direction": "out",
        "waybill": "WB2025111400017",
        "cargo": "magnesite_ore",
        "declared_grade": None,
        "gross_kg": 49_020,
        "tare_kg": 15_040,
        "net_kg": 33_980,
        "gross_at": "2025-11-14T15:42:10+08:00",
        "tare_at": "2025-11-14T15:40:00+08:00",
        "operator": "王力",
        "photos": [{"kind": "plate", "sha256": "ab" * 32}],
    }
    assert store.waiting_passes() == 1  # 辽C67890 still waits


def test_a_loaded_truck_first_then_empty_pairs_the_same_way(store: Store) -> None:
    weighings = Weighings(STATION)
    weighings.record(store, Capture("辽C12345", 45_100, T0, "WB1", ()), "live", _save)
    ticket = weighings.record(store, Capture("辽C12345", 14_200, T0 + 600, None, ()), "live",
                              _save)  # fmt: skip
    assert (ticket.body["gross_kg"], ticket.body["tare_kg"], ticket.body["waybill"]) == (
        45_100, 14_200, "WB1",
    )  # fmt: skip
    assert ticket.body["gross_at"] < ticket.body["tare_at"]


def test_two_weights_too_close_are_refused_and_an_old_first_pass_expires(store: Store) -> None:
    weighings = Weighings(STATION)
    weighings.record(store, Capture("辽C12345", 15_040, T0, None, ()), "live", _save)
    refused = weighings.record(store, Capture("辽C12345", 15_300, T0 + 60, None, ()), "live",
                               _save)  # fmt: skip
    assert isinstance(refused, Refusal) and refused.code == "low_net"
    assert [r["code"] for r in store.refusals()] == ["low_net"]
    # a first pass older than the pairing window is not paired with a new weight
    later = T0 + 13 * 3600
    again = weighings.record(store, Capture("辽C12345", 49_000, later, None, ()), "live", _save)
    assert again == FirstPass("辽C12345", 49_000)


def test_weighing_once_takes_the_registered_tare(store: Store, tmp_path: Path) -> None:
    registry = tmp_path / "vehicles.csv"
    registry.write_text("plate,tare_kg\n辽C12345,15040\nnot a plate,1\n辽C67890,abc\n", "utf-8")
    tares = registered_tares(registry)
    assert tares == {"辽C12345": 15_040}
    once = StationSettings(code="HC-ST-P01", direction="in", weighing="once",
                           vehicles_file=registry)  # fmt: skip
    weighings = Weighings(once, tares)
    ticket = weighings.record(store, Capture("辽C12345", 49_020, T0, "WB1", ()), "live", _save)
    assert (ticket.body["gross_kg"], ticket.body["tare_kg"], ticket.body["net_kg"]) == (
        49_020, 15_040, 33_980,
    )  # fmt: skip
    assert ticket.body["tare_at"] == ticket.body["gross_at"]
    unknown = weighings.record(store, Capture("辽C00001", 49_020, T0, None, ()), "live", _save)
    assert isinstance(unknown, Refusal) and unknown.code == "no_tare"


def test_seq_waits_for_the_platforms_last_seq_then_has_no_gaps(store: Store) -> None:
    # given a freshly installed station that weighed two trucks before it reached the platform
    body = {"plate": "辽C12345", "gross_kg": 2, "tare_kg": 1, "net_kg": 1}
    with store.transaction():
        a = store.add_ticket("S", body, "live", T0)
        b = store.add_ticket("S", body, "live", T0 + 1)
    assert (a.seq, b.seq) == (None, None) and store.due(10) == []
    # when the platform says it holds up to 41 (the PC was replaced)
    assert store.number_waiting(41) == 2
    # then the waiting tickets are 42 and 43, and the next one 44
    with store.transaction():
        c = store.add_ticket("S", body, "live", T0 + 2)
    assert [t.seq for t in store.due(10)] == [42, 43, 44] and c.seq == 44
    # and a ticket rolled back with its transaction leaves no gap
    with pytest.raises(RuntimeError), store.transaction():
        store.add_ticket("S", body, "live", T0 + 3)
        raise RuntimeError("power cut")
    with store.transaction():
        assert store.add_ticket("S", body, "live", T0 + 4).seq == 45


def test_the_database_is_in_wal_mode_with_full_sync(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_signature_is_the_protocols_hmac_over_the_spec_bytes() -> None:
    # the published example: secret, timestamp, path and the body's hex SHA-256, by lines
    secret, body = "HC-ST-007-secret", b'{"tickets":[]}'
    digest = hashlib.sha256(body).hexdigest()
    message = f"1763106130\nPOST\n/api/v1/station/tickets\n{digest}".encode()
    by_hand = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    assert by_hand == "5073484dd0c38ac098438104d18fa2e5e3d5c436ad65c149d7c0dcb81e3da300"
    assert signature(secret, 1763106130, "POST", "/api/v1/station/tickets", body) == by_hand


EXAMPLE = Path(__file__).parents[1] / "station.example.toml"


def test_the_example_configuration_loads(tmp_path: Path) -> None:
    settings = load(EXAMPLE)
    assert settings.station.code == "HC-ST-0101"
    assert settings.indicator.format == "xk3190" and settings.stability.readings == 10
    assert settings.data_dir == EXAMPLE.parent / "data"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[station]\ndirection = "sideways"\n', "station.direction"),
        ("[stability]\nreadings = 1\n", "stability"),
        ('[indicator]\nformat = "xk3191"\n', "indicator.format"),
        ('[indicator]\nbaud = "fast"\n', "indicator.baud"),
        ("[station]\ncolour = 1\n", "station.colour"),
        ("[scale]\n", "scale"),
        ('[relay]\non = "zz"\n', "relay.on"),
        ('[station]\nweighing = "once"\n', "station.vehicles_file"),
        ("[platform\n", "TOML"),
    ],
)
def test_a_bad_configuration_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load(path)


def test_the_platform_s_warnings_are_logged_for_the_operator_and_unknown_fields_ignored(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # given a numbered ticket waiting to be sent
    body = {"plate": "辽C12345", "gross_kg": 2, "tare_kg": 1, "net_kg": 1}
    store.number_waiting(0)
    with store.transaction():
        store.add_ticket("S", body, "live", T0)
    uplink = Uplink(store_path=Path("unused"), code="S", secret="x", url="http://127.0.0.1:9")
    uplink.store = store
    warning = {"code": "impossible_travel", "message": "车牌 辽C12345 疑似套牌 / Plate …"}
    answer = {
        "results": [
            {"seq": 1, "status": "accepted", "ticket_id": "t1", "release": True,
             "reasons": [], "warnings": [warning], "later_field": {"x": 1}}
        ],
        "last_seq": 1,
    }  # fmt: skip
    uplink._post = lambda path, payload: (200, answer)  # type: ignore[method-assign]
    # when the platform answers with a warning (and a field this agent does not know)
    with caplog.at_level("WARNING"):
        assert uplink.send_batch() is True
    # then the truck goes, and the operator's log shows the warning's Chinese
    assert store.due(10) == []  # answered
    assert "辽C12345 平台预警：车牌 辽C12345 疑似套牌" in caplog.text
