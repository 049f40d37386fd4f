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


def test_a_batch_outboxes_draws_tickets_waybills_then_their_alerts(world, settings):
    # given a node's mine exit with 3 trucks holding waybills (their plates unregistered)
    # when the station's batch is recorded
    result, _ = _batch(world, settings, 3)
    # then the outbox holds the 3 quota draws, the 3 tickets, the 3 departed waybills, then
    # the alerts the tickets raised and their timelines' first lines: each after what it
    # refers to (a ticket to its draw, a waybill to its ticket, an alert to its ticket)
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
        (10, "alerts.alert"),
        (11, "alerts.alert"),
        (12, "alerts.alert"),
        (13, "alerts.alertevent"),
        (14, "alerts.alertevent"),
        (15, "alerts.alertevent"),
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
    # and the alerts name their tickets; an alert's UUID is its id; local keys stay home
    alerts = {str(r.uuid): r.data for r in rows[9:12]}
    assert {d["rule"] for d in alerts.values()} == {"vehicle_unregistered"}
    assert {d["refs"]["seq"] for d in alerts.values()} == {1, 2, 3}
    assert {r.data["alert"] for r in rows[12:]} == set(alerts)
    assert all(d["id"] == u for u, d in alerts.items())
    assert "open_key" not in rows[9].data and "occurrence_key" not in rows[12].data


@pytest.mark.parametrize("size", [20, 40])
def test_the_outbox_adds_the_same_two_statements_to_a_batch_of_any_size(world, settings, size):
    # given a node's mine exit with 3 × size trucks holding waybills, a first batch recorded
    # (the weighing path's reference caches warm, the outbox's counter row made)
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    mine, code, _secret = exit_gate(chain)
    waybills = waybills_for(mine, [plate(n) for n in range(3 * size)])
    at = on_shift()
    items = [ticket(n + 1, w.plate, waybill=w.number, at=at) for n, w in enumerate(waybills)]
    station = Station.objects.select_related("site", "region").get(code=code)
    settings.OL_NODE_ROLE = "node"
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
    # then the node's batch outboxed its draws, tickets and waybills, then the alerts the
    # tickets raised (unregistered plates) with their events, 5 × size rows (after the warm-up
    # batch's as many), with 10 statements more whatever the size. Draws, tickets and
    # waybills: the counter moved and read (UPDATE … RETURNING) and one INSERT … SELECT of
    # every row, its state built by the database. Alerts and events, once their tickets are
    # numbered, encoded in Python (`append`): the counter, the UUIDs of the alerts' 4
    # references and of the events' alerts, one INSERT. And the plates counties blacklisted
    # (read once per reference snapshot, weighing.rules).
    assert OutboxChange.objects.count() == 5 * size + 5 * size
    assert len(node) - len(standalone) == 10
    outbox = [sql for sql in node if "federation_outbox" in sql]
    assert [sql.split()[0] for sql in outbox] == ["UPDATE", "INSERT", "UPDATE", "INSERT"]
