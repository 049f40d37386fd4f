"""A station's batch recorded in one transaction decides each ticket as if it were alone."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oreledger.alerts.models import Alert
from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.registry.models import Station
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.trade.models import Contract, Delivery
from oreledger.weighing.chain import verify_chain
from oreledger.weighing.models import StationState, Ticket, TicketConflict, Waybill
from oreledger.weighing.services import record_batch
from oreledger.weighing.tests.support import (
    body,
    build_chain,
    exit_gate,
    on_shift,
    plate,
    post,
    ticket,
    waybills_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    """One mine whose quota holds 10 trucks of 30 t; its contract far more."""
    return build_chain(world, quota_kg=300_000, contract_kg=10_000_000)


def test_a_batch_that_runs_the_quota_out_releases_exactly_what_fits(chain) -> None:
    # given 14 trucks with waybills at a mine whose quota holds 10 of them
    mine, code, secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(14)])
    items = [ticket(n + 1, w.plate, waybill=w.number) for n, w in enumerate(waybills)]
    # when the station sends them as one batch
    answer = post(Client(), code, secret, body(items)).json()
    # then the first 10 leave, the last 4 are held for quota, and every ledger is exact
    results = answer["results"]
    assert [r["release"] for r in results] == [True] * 10 + [False] * 4
    assert {r["reasons"][0]["code"] for r in results[10:]} == {"quota_exhausted"}
    assert answer["last_seq"] == 14
    account = QuotaAccount.objects.get(holder_site=mine.site)
    assert (account.consumed_kg, account.entry_count) == (300_000, 11)  # allocate + 10 draws
    assert Contract.objects.get(pk=mine.contract.pk).delivered_kg == 300_000
    assert Delivery.objects.filter(contract=mine.contract).count() == 10
    drawn = Ticket.objects.filter(quota_entry__isnull=False).order_by("seq")
    assert [t.seq for t in drawn] == list(range(1, 11))
    assert [t.quota_entry.amount_kg for t in drawn] == [30_000] * 10
    assert Waybill.objects.filter(status="departed").count() == 10
    assert Waybill.objects.filter(status="issued").count() == 4
    state = StationState.objects.get(station__code=code)
    assert (state.last_seq, state.chain_length) == (14, 14)
    assert state.last_hash == Ticket.objects.get(seq=14).hash
    assert list(verify_chain()) == [] and verify_ledger() == []


def test_a_batch_is_written_with_a_few_statements_not_a_few_per_ticket(chain) -> None:
    # given 40 registered trucks with waybills
    mine, code, _secret = exit_gate(chain)
    Contract.objects.filter(pk=mine.contract.pk).update(max_delivery_kg=10**9)
    QuotaAccount.objects.filter(holder_site=mine.site).update(allocated_kg=10**9)
    waybills = waybills_for(mine, [plate(n) for n in range(40)])
    for w in waybills:
        VehicleFactory(plate=w.plate, tare_kg=15_000)
    at = on_shift()  # at night every ticket would also raise (and count) off_hours
    items = [ticket(n + 1, w.plate, waybill=w.number, at=at) for n, w in enumerate(waybills)]
    station = Station.objects.select_related("site", "region").get(code=code)
    # when the batch is recorded
    with CaptureQueriesContext(connection) as queries:
        result = record_batch(station=station, items=items)
    # then all 40 leave, and the statements do not grow with the batch (the reference reads
    # of a cold cache included: since the gate rules, the grade ranks and the site's latest
    # assay, +2, and the plates' last weighings anywhere, +1; no asynchronous job, −1)
    assert [r.release for r in result.results] == [True] * 40
    assert len(queries.captured_queries) <= 33, [q["sql"][:80] for q in queries]


def test_a_seq_twice_in_one_batch_is_recorded_ticket_by_ticket(chain) -> None:
    # given a batch that carries seq 2 twice, the second time with another net
    mine, code, secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(3)])
    items = [ticket(n + 1, w.plate, waybill=w.number) for n, w in enumerate(waybills)]
    items.insert(2, ticket(2, waybills[1].plate, waybill=waybills[1].number, net=20_000))
    # when it is sent
    results = post(Client(), code, secret, body(items)).json()["results"]
    # then the repeat is a duplicate of the first seq 2, recorded as a conflict, drawing nothing
    assert [(r["seq"], r["status"]) for r in results] == [
        (1, "accepted"),
        (2, "accepted"),
        (2, "duplicate"),
        (3, "accepted"),
    ]
    assert results[2]["ticket_id"] == results[1]["ticket_id"]
    assert TicketConflict.objects.get().resent["net_kg"] == 20_000
    assert QuotaAccount.objects.get(holder_site=mine.site).consumed_kg == 90_000
    assert list(verify_chain()) == [] and verify_ledger() == []


def test_a_weighing_repeated_within_one_batch_is_a_duplicate_weighing(chain) -> None:
    # given the same registered truck weighed twice, two minutes apart, in one batch (the
    # second time with no waybill: it tries to leave again)
    mine, code, secret = exit_gate(chain)
    VehicleFactory(plate=plate(1), tare_kg=15_000)
    [waybill] = waybills_for(mine, [plate(1)])
    at = on_shift() - datetime.timedelta(minutes=10)
    items = [
        ticket(1, plate(1), waybill=waybill.number, at=at),
        ticket(2, plate(1), at=at + datetime.timedelta(minutes=2)),
    ]
    # when the batch is recorded
    results = post(Client(), code, secret, body(items)).json()["results"]
    # then the second weighing raises duplicate_weighing although the first is not yet stored
    assert [(r["status"], r["release"]) for r in results] == [
        ("accepted", True),
        ("accepted", False),
    ]
    # (and the held truck's no_waybill is an alert at once, in the batch's transaction)
    rules = sorted(Alert.objects.values_list("rule", flat=True))
    assert rules == ["duplicate_weighing", "no_waybill"]
    reasons = Ticket.objects.get(seq=2).reasons
    assert sorted(r["code"] for r in reasons) == ["duplicate_weighing", "no_waybill"]
    assert LedgerEntry.objects.filter(kind="consume").count() == 1
