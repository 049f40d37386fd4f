"""States built by the database (`federation.states`) are exactly the states `encode` gives."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.db import connection, transaction

from oreledger.core.models import FederatedModel
from oreledger.federation.models import OutboxChange, OutboxCounter
from oreledger.federation.records import encode, federated_models, record_uuid, version_of
from oreledger.federation.services.outbox import append_stored
from oreledger.federation.states import state_sql
from oreledger.registry.models import Station
from oreledger.weighing.models import Ticket
from oreledger.weighing.services import record_batch
from oreledger.weighing.tests.support import (
    build_chain,
    exit_gate,
    on_shift,
    plate,
    ticket,
    waybills_for,
)

pytestmark = pytest.mark.django_db


def _stored(row: OutboxChange):
    model = apps.get_model(row.model)
    key = "uuid" if issubclass(model, FederatedModel) else "pk"
    return model._default_manager.get(**{key: row.uuid})


def _station(code):
    return Station.objects.select_related("site", "region").get(code=code)


def _as_encode_reads_them_stored(rows):
    """Each row's state equals encode of its record as stored now, field by field."""
    for row in rows:
        stored = _stored(row)
        (expected,) = encode([stored])
        assert sorted(row.data) == sorted(expected)
        for name, value in expected.items():
            assert (name, row.data[name]) == (name, value)
        assert row.version == version_of(stored)


def test_the_ticket_path_outboxes_each_record_as_encode_reads_it_stored(world, settings):
    # given a node's mine exit, its plant's gate and a checkpoint on the haul road
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    mine, code, _secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(3)])
    settings.OL_NODE_ROLE = "node"
    at = on_shift(lasting=datetime.timedelta(hours=1))
    out = [ticket(n + 1, w.plate, waybill=w.number, at=at) for n, w in enumerate(waybills)]
    # a truck without a waybill is held: its ticket has no waybill, contract or parties
    out.append(ticket(4, plate(9), at=at))
    later = at + datetime.timedelta(minutes=50)
    gate = [
        ticket(n + 1, w.plate, waybill=w.number, direction="in", net=29_950, at=later)
        for n, w in enumerate(waybills[:2])
    ]
    batches = [
        (code, out),
        (chain.checkpoint[0], [ticket(1, waybills[0].plate, at=later)]),
        (chain.gate[0], gate),
    ]
    rows: list[OutboxChange] = []
    for station, items in batches:
        # when the exit's batch, the checkpoint's and the plant gate's are recorded
        record_batch(station=_station(station), items=items)
        # then each outbox row the batch wrote holds what encode gives of its record as
        # stored right after it, field by field, at the version the row names
        written = list(OutboxChange.objects.filter(seq__gt=len(rows)).order_by("seq"))
        _as_encode_reads_them_stored(written)
        rows += written
    assert [r.model for r in rows] == [
        # the exit: the 3 released trucks' quota draws, the 4 tickets, the 3 departed
        # waybills, then the alerts the tickets raised (unregistered plates, the truck without
        # a waybill) and their timelines' first lines
        *["quotas.ledgerentry"] * 3,
        *["weighing.ticket"] * 4,
        *["weighing.waybill"] * 3,
        *["alerts.alert"] * 5,
        *["alerts.alertevent"] * 5,
        # the checkpoint's ticket, with the waybill it saw pass (unchanged: its version 2)
        "weighing.ticket",
        "weighing.waybill",
        "alerts.alert",
        "alerts.alertevent",
        # the plant gate's
        *["weighing.ticket"] * 2,
        *["weighing.waybill"] * 2,
        *["alerts.alert"] * 2,
        *["alerts.alertevent"] * 2,
    ]
    # the waybills' versions: issued (1), departed (2), then closed at the plant (3)
    assert [(r.data["status"], r.version) for r in rows if r.model == "weighing.waybill"] == [
        *[("departed", 2)] * 4,
        *[("closed", 3)] * 2,
    ]
    tickets = [r for r in rows if r.model == "weighing.ticket"]
    held = Ticket.objects.get(station__code=code, seq=4)
    assert (tickets[3].data["waybill"], tickets[3].data["release"]) == (None, False)
    assert tickets[3].data["reasons"] == held.reasons != []
    checkpoint = str(_station(chain.checkpoint[0]).uuid)
    assert (tickets[4].data["site"], tickets[4].data["station"]) == (None, checkpoint)


def test_every_federated_record_outboxed_from_its_stored_row_reads_as_encode_gives(world, settings):
    # given the persona province with a mine, its contract, waybills and a batch of tickets
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    mine, code, _secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(2)])
    items = [
        ticket(n + 1, w.plate, waybill=w.number, at=on_shift()) for n, w in enumerate(waybills)
    ]
    record_batch(station=_station(code), items=items)
    settings.OL_NODE_ROLE = "node"
    by_sql = []
    for label, model in sorted(federated_models().items()):
        federated = issubclass(model, FederatedModel)
        mine_only = {"owner_node": settings.OL_NODE_CODE} if federated else {}
        own = list(model._default_manager.filter(**mine_only).order_by("pk")[:20])
        if not own:
            continue
        if state_sql(model, connection.vendor) is not None:
            by_sql.append(label)
        # when its stored records are outboxed the ticket path's way
        with transaction.atomic():
            first = OutboxChange.objects.count()
            assert append_stored(own) == len(own)
            rows = list(OutboxChange.objects.order_by("seq")[first:])
        # then each state is exactly encode's (through Python where SQL cannot build it)
        assert [(r.uuid, r.version) for r in rows] == [(record_uuid(o), version_of(o)) for o in own]
        for row, expected in zip(rows, encode(own), strict=True):
            assert row.data == expected, label
    # the records the ticket path writes were built by the database, and others with them
    # (a site's coordinates are decimals: SQLite stores them as floats, so Python there)
    built = {"weighing.ticket", "weighing.waybill", "registry.permit", "quotas.quotaaccount"}
    if connection.vendor == "postgresql":
        built |= {"registry.site", "accounts.region"}
    assert built <= set(by_sql)


def test_a_record_not_stored_refuses_the_transaction_rather_than_leave_a_gap(world, settings):
    # given a node, and a ticket the writer is handed but that was never stored
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    _mine, code, _secret = exit_gate(chain)
    settings.OL_NODE_ROLE = "node"
    station = _station(code)
    record_batch(station=station, items=[ticket(1, plate(1), at=on_shift())])
    stored = Ticket.objects.get()
    ghost = Ticket(station=station, seq=2, chain_index=2, region=station.region)
    counter = OutboxCounter.objects.get().last_seq
    # when both are outboxed from their stored rows
    with pytest.raises(RuntimeError, match="1 of 2"), transaction.atomic():
        append_stored([stored, ghost])
    # then nothing is numbered: the counter and the outbox are as they were
    assert OutboxCounter.objects.get().last_seq == counter
    # (the stored ticket's draw, the ticket, its alerts and their first lines)
    assert OutboxChange.objects.count() == counter == 5
