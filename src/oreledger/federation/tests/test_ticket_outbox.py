"""The ticket path outboxes its tickets and the waybills they move, in bulk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oreledger.federation.models import OutboxChange
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


def _batch(world, settings, size, *, node=True):
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    mine, code, _secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(size)])
    at = on_shift()
    items = [ticket(n + 1, w.plate, waybill=w.number, at=at) for n, w in enumerate(waybills)]
    station = Station.objects.select_related("site", "region").get(code=code)
    if node:
        settings.OL_NODE_ROLE = "node"
    with CaptureQueriesContext(connection) as queries:
        result = record_batch(station=station, items=items)
    return result, len(queries.captured_queries)


def test_a_batch_outboxes_each_ticket_then_each_waybill_it_moved(world, settings):
    # given a node's mine exit with 3 trucks holding waybills
    # when the station's batch is recorded
    result, _ = _batch(world, settings, 3)
    # then the outbox holds the 3 tickets, then the 3 departed waybills, numbered 1–6
    assert [r.release for r in result.results] == [True] * 3
    rows = list(OutboxChange.objects.order_by("seq"))
    assert [(r.seq, r.model) for r in rows] == [
        (1, "weighing.ticket"),
        (2, "weighing.ticket"),
        (3, "weighing.ticket"),
        (4, "weighing.waybill"),
        (5, "weighing.waybill"),
        (6, "weighing.waybill"),
    ]
    first = Ticket.objects.get(seq=1)
    assert rows[0].uuid == first.pk
    assert rows[0].data["hash"] == first.hash
    assert rows[0].data["station"] == str(first.station.uuid)
    assert "quota_entry" not in rows[0].data
    assert rows[3].data["status"] == "departed"
    assert rows[3].data["exit_ticket"] in {str(t.pk) for t in Ticket.objects.all()}


def test_the_outbox_adds_a_fixed_number_of_statements_to_a_batch(world, settings):
    # given a node's mine exit with 30 trucks holding waybills (UUIDs of the references not
    # yet read by this process)
    # when the station's batch is recorded
    result, statements = _batch(world, settings, 30)
    # then all leave, and the outbox added statements that do not grow with the batch: the
    # counter (2; its row's first INSERT +1), one INSERT, and with a cold cache the
    # references' UUIDs, one read per kind: 7 of the tickets', 6 of the waybills' (a
    # standalone platform: 36 statements)
    assert [r.release for r in result.results] == [True] * 30
    assert OutboxChange.objects.count() == 60
    assert statements <= 36 + 17, statements
