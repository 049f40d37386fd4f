"""The ticket path outboxes its quota draws, its tickets and the waybills they move, in bulk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oreledger.federation.models import OutboxChange
from oreledger.quotas.models import LedgerEntry
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
    if node:
        # The Haicheng node's own accounts (their entries are the node's to write).
        settings.OL_NODE_CODE = "210381"
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


def test_a_batch_outboxes_each_draw_then_each_ticket_then_each_waybill_it_moved(world, settings):
    # given a node's mine exit with 3 trucks holding waybills
    # when the station's batch is recorded
    result, _ = _batch(world, settings, 3)
    # then the outbox holds the 3 quota draws, the 3 tickets, then the 3 departed waybills,
    # numbered 1–9 (a ticket refers to its draw, a waybill to its ticket)
    assert [r.release for r in result.results] == [True] * 3
    rows = list(OutboxChange.objects.order_by("seq"))
    assert [(r.seq, r.model) for r in rows] == [
        (1, "quotas.ledgerentry"),
        (2, "quotas.ledgerentry"),
        (3, "quotas.ledgerentry"),
        (4, "weighing.ticket"),
        (5, "weighing.ticket"),
        (6, "weighing.ticket"),
        (7, "weighing.waybill"),
        (8, "weighing.waybill"),
        (9, "weighing.waybill"),
    ]
    first = Ticket.objects.get(seq=1)
    drawn = LedgerEntry.objects.get(pk=first.quota_entry_id)
    assert rows[3].uuid == first.pk
    assert rows[3].data["hash"] == first.hash
    assert rows[3].data["station"] == str(first.station.uuid)
    assert rows[3].data["quota_entry"] == str(drawn.uuid)
    # and each draw travels whole: its account by UUID, owned by the node as its account is
    assert rows[0].uuid == drawn.uuid
    assert (rows[0].version, rows[0].data["owner_node"]) == (1, "210381")
    assert {k: rows[0].data[k] for k in ("kind", "amount_kg", "seq", "hash", "prev_hash")} == {
        "kind": "consume",
        "amount_kg": first.net_kg,
        "seq": drawn.seq,
        "hash": drawn.hash,
        "prev_hash": drawn.prev_hash,
    }
    assert rows[0].data["account"] == str(drawn.account.uuid)
    assert drawn.account.owner_node == drawn.owner_node == "210381"
    assert rows[6].data["status"] == "departed"
    assert rows[6].data["exit_ticket"] in {str(t.pk) for t in Ticket.objects.all()}


@pytest.mark.parametrize("size", [20, 40])
def test_the_outbox_adds_the_same_few_statements_to_a_batch_of_any_size(world, settings, size):
    # given a mine exit with 3 × size trucks holding waybills, a first batch recorded
    # standalone (the weighing path's reference caches warm)
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    mine, code, _secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(3 * size)])
    at = on_shift()
    items = [ticket(n + 1, w.plate, waybill=w.number, at=at) for n, w in enumerate(waybills)]
    station = Station.objects.select_related("site", "region").get(code=code)
    record_batch(station=station, items=items[:size])
    # when the next batch is recorded standalone, and the one after it on a node
    counted = []
    for role, part in (("standalone", items[size : 2 * size]), ("node", items[2 * size :])):
        settings.OL_NODE_ROLE = role
        with CaptureQueriesContext(connection) as queries:
            result = record_batch(station=station, items=part)
        assert [r.release for r in result.results] == [True] * size
        counted.append([q["sql"] for q in queries.captured_queries])
    standalone, node = counted
    # then the node's batch outboxed its draws, tickets and waybills, 3 × size rows, with
    # 4 + 15 statements more whatever the size: the counter (UPDATE, its first INSERT,
    # SELECT), one INSERT of every row, and the references' UUIDs read once per kind (1 of
    # the draws': their account; 8 of the tickets', their draws' among them; 6 of the
    # waybills'; the UUID cache fills only once a batch commits)
    assert OutboxChange.objects.count() == 3 * size
    assert len(node) - len(standalone) == 19
    outbox = [sql for sql in node if "federation_outbox" in sql]
    assert [sql.split()[0] for sql in outbox] == ["UPDATE", "INSERT", "SELECT", "INSERT"]
