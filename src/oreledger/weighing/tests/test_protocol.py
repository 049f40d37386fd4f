"""The station protocol end to end: decisions, draws, duplicates, conflicts, rejections, auth."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.models import Vehicle
from oreledger.trade.models import Contract
from oreledger.weighing.chain import verify_chain
from oreledger.weighing.models import StationState, Ticket, TicketConflict, TicketRejection, Waybill
from oreledger.weighing.services import tickets
from oreledger.weighing.tests.support import (
    body,
    build_chain,
    exit_gate,
    get,
    plate,
    post,
    ticket,
    waybills_for,
)

pytestmark = pytest.mark.django_db


# The whole-batch variant sends each case inside a real batch: these clean tickets of other
# trucks, weighed the other way (an empty truck arriving at the mine, leaving the plant: no
# waybill, no draw) after the case's own, with seqs of their own.
PADDING = 3
PADDING_PLATES = [plate(90_000 + n) for n in range(PADDING)]
PADDED: dict[str, Any] = {"on": False, "at": None}  # the padding is resent alike


@pytest.fixture(autouse=True, params=["whole-batch", "ticket-by-ticket"])
def unit_of_work(request, monkeypatch) -> None:
    """Every decision here holds whether a batch is recorded whole or ticket by ticket."""
    batched = request.param == "whole-batch"
    monkeypatch.setattr(tickets, "BATCHED", batched)
    monkeypatch.setitem(PADDED, "on", batched)
    monkeypatch.setitem(PADDED, "at", timezone.now() - datetime.timedelta(minutes=1))
    if batched:
        # A case that slipped to the ticket-by-ticket path would prove nothing here.
        def alone(*args, **kwargs):
            raise AssertionError("recorded ticket by ticket in the whole-batch variant")

        monkeypatch.setattr(tickets, "_record_one", alone)


@pytest.fixture
def chain(world):
    """One mine with one exit station, a plant with its gate, a checkpoint."""
    built = build_chain(world, quota_kg=100_000, contract_kg=80_000)
    for padding in PADDING_PLATES:
        Vehicle.objects.create(plate=padding, axles=6, tare_kg=15000)
    return built


def send(code: str, secret: str, items: list[dict]) -> dict:
    """POST the case's tickets (padded into a real batch in the whole-batch variant);
    the answer for the case's tickets only, and the station's last_seq."""
    sent = list(items)
    if PADDED["on"]:
        case_seqs = {item["seq"] for item in items}
        for n, padding in enumerate(PADDING_PLATES):
            direction = "in" if items[0]["direction"] == "out" else "out"
            seq = 1_000_000 + 10 * max(case_seqs) + n
            sent.append(ticket(seq, padding, direction=direction, at=PADDED["at"]))
    response = post(Client(), code, secret, body(sent))
    assert response.status_code == 200, response.content
    answer = response.json()
    padded = answer["results"][len(items) :]
    assert [r["status"] for r in padded] in (
        ["accepted"] * len(padded),
        ["duplicate"] * len(padded),
    )
    assert all(r["release"] or _held_by_its_site(r) for r in padded), padded
    answer["results"] = answer["results"][: len(items)]
    answer["last_sent"] = max(item["seq"] for item in sent)
    return answer


def _held_by_its_site(result: dict) -> bool:
    """A padding ticket may be held only by what holds every ticket of its site."""
    return {r["code"] for r in result["reasons"]} <= {"site_suspended"}


def cases():
    """The tickets of the cases (the padding left out)."""
    return Ticket.objects.exclude(plate__in=PADDING_PLATES)


def _consumed(mine) -> int:
    return QuotaAccount.objects.get(holder_site=mine.site).consumed_kg


def test_released_exit_draws_quota_and_contract_and_departs_the_waybill(chain) -> None:
    mine, code, secret = exit_gate(chain)
    [waybill] = waybills_for(mine, [plate(1)])
    answer = send(code, secret, [ticket(1, plate(1), waybill=waybill.number)])
    [result] = answer["results"]
    assert result["status"] == "accepted" and result["release"] is True
    assert result["reasons"] == [] and answer["last_seq"] == answer["last_sent"]
    stored = Ticket.objects.get(pk=result["ticket_id"])
    assert stored.drawn_kg == 30000 and stored.quota_entry is not None
    assert _consumed(mine) == 30000
    assert Contract.objects.get(pk=mine.contract.pk).delivered_kg == 30000
    waybill.refresh_from_db()
    assert waybill.status == "departed" and waybill.exit_ticket_id == stored.pk
    assert list(verify_chain()) == [] and verify_ledger() == []


def test_the_plate_s_open_waybill_is_found_without_a_number(chain) -> None:
    mine, code, secret = exit_gate(chain)
    waybills_for(mine, [plate(2)])
    [result] = send(code, secret, [ticket(1, plate(2))])["results"]
    assert result["release"] is True and result["reasons"] == []


def test_every_batch_resent_three_times_is_stored_once(chain) -> None:
    mine, code, secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(1, 4)])
    items = [ticket(n + 1, w.plate, waybill=w.number, net=20000) for n, w in enumerate(waybills)]
    first = send(code, secret, items)
    for _ in range(3):
        again = send(code, secret, items)
        assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
        assert [r["ticket_id"] for r in again["results"]] == [
            r["ticket_id"] for r in first["results"]
        ]
        assert [r["release"] for r in again["results"]] == [True] * 3
    assert cases().count() == 3 and _consumed(mine) == 60000
    assert TicketConflict.objects.count() == 0


def test_a_resend_with_changed_content_is_duplicate_and_changes_nothing(chain) -> None:
    mine, code, secret = exit_gate(chain)
    [waybill] = waybills_for(mine, [plate(1)])
    send(code, secret, [ticket(1, plate(1), waybill=waybill.number)])
    stored = cases().get()
    changed = ticket(1, plate(1), waybill=waybill.number, net=20000)
    for _ in range(3):
        [result] = send(code, secret, [changed])["results"]
        assert result["status"] == "duplicate" and result["ticket_id"] == str(stored.pk)
    assert cases().get().net_kg == 30000 and _consumed(mine) == 30000
    conflict = TicketConflict.objects.get()
    assert conflict.stored["net_kg"] == 30000 and conflict.resent["net_kg"] == 20000
    assert StationState.objects.get(pk=stored.station_id).conflicts_total == 1


def test_no_waybill_holds_the_truck_and_draws_nothing(chain) -> None:
    _mine, code, secret = exit_gate(chain)
    [result] = send(code, secret, [ticket(1, plate(9))])["results"]
    assert result["status"] == "accepted" and result["release"] is False
    assert [r["code"] for r in result["reasons"]] == ["no_waybill"]
    assert " / " in result["reasons"][0]["message"]
    stored = cases().get()
    assert stored.drawn_kg == 0 and stored.held_kg == 30000


def test_quota_exhausted_and_contract_exceeded_hold_and_draw_nothing(chain) -> None:
    mine, code, secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(1, 6)])
    items = [ticket(n + 1, w.plate, waybill=w.number) for n, w in enumerate(waybills)]
    results = send(code, secret, items)["results"]
    # contract: 80 t + 2 % = 81.6 t; quota: 100 t. Two trucks of 30 t fit, the third exceeds.
    assert [r["release"] for r in results] == [True, True, False, False, False]
    assert results[2]["reasons"][0]["code"] == "contract_exceeded"
    assert _consumed(mine) == 60000
    assert Contract.objects.get(pk=mine.contract.pk).delivered_kg == 60000
    Contract.objects.filter(pk=mine.contract.pk).update(quantity_kg=10**9, max_delivery_kg=10**9)
    more = waybills_for(mine, [plate(n) for n in range(10, 13)])
    items = [ticket(n + 10, w.plate, waybill=w.number) for n, w in enumerate(more)]
    results = send(code, secret, items)["results"]
    assert [r["release"] for r in results] == [True, False, False]
    assert results[1]["reasons"][0]["code"] == "quota_exhausted"
    assert _consumed(mine) == 90000 and verify_ledger() == []


def test_waybill_reused_and_blacklisted_vehicle_hold(chain) -> None:
    mine, code, secret = exit_gate(chain)
    [waybill] = waybills_for(mine, [plate(1)])
    send(code, secret, [ticket(1, plate(1), waybill=waybill.number)])
    [again] = send(code, secret, [ticket(2, plate(1), waybill=waybill.number)])["results"]
    assert again["release"] is False
    assert [r["code"] for r in again["reasons"]] == ["waybill_reused"]
    Vehicle.objects.create(
        plate=plate(5), axles=6, tare_kg=15000, status="blacklisted", blacklist_reason="超载"
    )
    waybills_for(mine, [plate(5)])
    [black] = send(code, secret, [ticket(3, plate(5))])["results"]
    assert [r["code"] for r in black["reasons"]] == ["vehicle_blacklisted"]
    assert _consumed(mine) == 30000


def test_suspended_site_holds(chain) -> None:
    mine, code, secret = exit_gate(chain)
    waybills_for(mine, [plate(1)])
    type(mine.site).objects.filter(pk=mine.site.pk).update(status="suspended")
    [result] = send(code, secret, [ticket(1, plate(1))])["results"]
    assert result["release"] is False
    assert [r["code"] for r in result["reasons"]] == ["site_suspended"]
    assert _consumed(mine) == 0


def test_plant_gate_closes_the_waybill_with_its_discrepancy_and_checkpoint_records_passage(
    chain,
) -> None:
    mine, code, secret = exit_gate(chain)
    [waybill] = waybills_for(mine, [plate(1)])
    send(code, secret, [ticket(1, plate(1), waybill=waybill.number)])
    cp_code, cp_secret = chain.checkpoint
    [passage] = send(cp_code, cp_secret, [ticket(1, plate(1))])["results"]
    assert passage["release"] is True
    gate, gate_secret = chain.gate
    entry_item = ticket(1, plate(1), waybill=waybill.number, net=31000, direction="in")
    [entry] = send(gate, gate_secret, [entry_item])["results"]
    assert entry["release"] is True
    waybill.refresh_from_db()
    assert waybill.status == "closed" and waybill.discrepancy_kg == 1000
    stored = Ticket.objects.get(pk=entry["ticket_id"])
    assert "weight_discrepancy" in [r["code"] for r in stored.reasons]
    assert cases().get(station__code=cp_code).waybill_id == waybill.pk
    page = world_client_get(chain, waybill.number)
    assert page.status_code == 200 and "1,000 kg" in page.content.decode()


def world_client_get(chain, number):
    from oreledger.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="haicheng_operator"))
    return client.get(f"/weighing/waybills/{number}/")


def test_an_arrival_without_exit_is_flagged(chain) -> None:
    gate, gate_secret = chain.gate
    [entry] = send(gate, gate_secret, [ticket(1, plate(7), direction="in")])["results"]
    stored = Ticket.objects.get(pk=entry["ticket_id"])
    assert stored.reasons[0]["code"] == "entry_without_exit"
    assert stored.waybill_id is None and stored.discrepancy_kg is None


def test_field_rule_breaks_are_rejected_and_recorded_without_touching_the_rest(chain) -> None:
    mine, code, secret = exit_gate(chain)
    waybills_for(mine, [plate(1)])
    bad = ticket(2, plate(3), net_kg=1)
    results = send(code, secret, [bad, ticket(3, plate(1))])["results"]
    [reason] = results[0]["reasons"]
    assert reason["code"] == "net_mismatch" and " / " in reason["message"]
    assert results[0] == {
        "seq": 2,
        "status": "rejected",
        "ticket_id": None,
        "release": False,
        "reasons": [reason],
        "warnings": [],
    }
    assert results[1]["status"] == "accepted" and results[1]["release"] is True
    assert TicketRejection.objects.count() == 1 and cases().count() == 1


@pytest.mark.parametrize(
    ("times", "code"),
    [
        (
            {"tare_at": "2026-01-01T08:10:00+08:00", "gross_at": "2026-01-01T08:00:00+08:00"},
            "time_order",
        ),
        (
            {"tare_at": "1970-01-01T08:00:00+08:00", "gross_at": "1970-01-01T08:05:00+08:00"},
            "invalid_time",
        ),
        (
            {"tare_at": "2026-01-01T08:00:00+08:00", "gross_at": "2999-01-01T08:00:00+08:00"},
            "future_time",
        ),
    ],
)
def test_absurd_or_reversed_weighing_times_are_rejected_with_their_code(chain, times, code) -> None:
    # given an exit gate with a waybill for the truck
    mine, station, secret = exit_gate(chain)
    waybills_for(mine, [plate(1)])
    # when the station sends a departure whose times are reversed, from 1970 or far ahead
    results = send(station, secret, [ticket(2, plate(1), declared_grade=None, **times)])["results"]
    # then it is rejected with the stable code and nothing is stored, nor quota drawn
    assert (results[0]["status"], [r["code"] for r in results[0]["reasons"]]) == (
        "rejected",
        [code],
    )
    assert cases().count() == 0 and _consumed(mine) == 0


def test_the_answer_is_compact_utf8_json(chain) -> None:
    # given a batch with a rejected ticket (its reason's message is in Chinese and English)
    mine, code, secret = exit_gate(chain)
    waybills_for(mine, [plate(1)])
    items = [ticket(2, plate(3), net_kg=1), ticket(3, plate(1))]
    # when it is sent
    response = post(Client(), code, secret, body(items))
    # then the answer is JSON as the protocol's clients have always read it: compact, UTF-8
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    compact = json.dumps(response.json(), ensure_ascii=False, separators=(",", ":"))
    assert response.content == compact.encode()
    message = response.json()["results"][0]["reasons"][0]["message"]
    assert " / " in message and message.split(" / ")[0] in response.content.decode()


def test_only_post_is_answered_and_a_get_stores_nothing(chain) -> None:
    # given a station
    _mine, code, secret = exit_gate(chain)
    # when it GETs the tickets endpoint, signed
    response = get(Client(), code, secret, "/api/v1/station/tickets")
    # then it is told the method is not allowed, in the platform's error body
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert Ticket.objects.count() == 0 and TicketRejection.objects.count() == 0


def test_the_schema_still_describes_the_station_protocol(world) -> None:
    # when the API schema is read, then the ticket endpoint is in it with its operation
    schema = world.client("province_officer").get("/api/schema/", HTTP_ACCEPT="application/json")
    operation = schema.json()["paths"]["/api/v1/station/tickets"]["post"]
    assert operation["operationId"] == "station_tickets"


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda h: h.update({"HTTP_X_OL_STATION": "NOPE"}), "station_unknown"),
        (lambda h: h.update({"HTTP_X_OL_SIGNATURE": "0" * 64}), "bad_signature"),
        (lambda h: h.update({"HTTP_X_OL_TIMESTAMP": str(int(time.time()) - 400)}), "bad_signature"),
    ],
)
def test_authentication_failures_are_401_and_store_nothing(chain, mutate, code) -> None:
    from oreledger.weighing.signing import signed_headers

    mine, station, secret = exit_gate(chain)
    waybills_for(mine, [plate(1)])
    payload = body([ticket(1, plate(1))])
    headers = signed_headers(station, secret, "POST", "/api/v1/station/tickets", payload)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    mutate(meta)
    response = Client().post(
        "/api/v1/station/tickets", data=payload, content_type="application/json", **meta
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == code
    assert Ticket.objects.count() == 0 and TicketRejection.objects.count() == 0


def test_stale_but_correctly_signed_timestamp_is_401(chain) -> None:
    _mine, station, secret = exit_gate(chain)
    response = post(Client(), station, secret, body([ticket(1, plate(1))]), at=time.time() - 301)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "stale_timestamp"
    assert Ticket.objects.count() == 0


def test_body_over_one_mib_is_413_and_bad_batches_are_400(chain) -> None:
    _mine, station, secret = exit_gate(chain)
    huge = body([ticket(1, plate(1), operator="x" * (1024 * 1024))])
    assert post(Client(), station, secret, huge).status_code == 413
    for payload, code in [
        (b"{", "malformed_json"),
        (b'{"x": 1}', "tickets_missing"),
        (b'{"tickets": []}', "batch_size"),
    ]:
        response = post(Client(), station, secret, payload)
        assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert Ticket.objects.count() == 0 and TicketRejection.objects.count() == 0


def test_heartbeat_and_waybill_lookup(chain) -> None:
    mine, station, secret = exit_gate(chain)
    [waybill] = waybills_for(mine, [plate(1)])
    sent = send(station, secret, [ticket(41, plate(1))])["last_sent"]
    beat = post(
        Client(),
        station,
        secret,
        b'{"last_seq": 40, "device_time": "2025-11-14T15:43:00+08:00", "status": "ok"}',
        path="/api/v1/station/heartbeat",
    )
    assert beat.status_code == 200 and beat.json()["last_seq"] == sent
    assert StationState.objects.get(station__code=station).drift_seconds < -100
    found = get(Client(), station, secret, f"/api/v1/station/waybills/{waybill.number}")
    assert found.status_code == 200 and found.json()["plate"] == plate(1)
    gate, gate_secret = chain.gate
    assert get(Client(), gate, gate_secret, "/api/v1/station/waybills/WB0").status_code == 404
    assert Waybill.objects.count() == 1
