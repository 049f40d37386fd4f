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


def test_a_batch_outboxes_each_ticket_then_each_waybill_it_moved_then_their_alerts(world, settings):
    # given a node's mine exit with 3 trucks holding waybills (their plates unregistered)
    # when the station's batch is recorded
    result, _ = _batch(world, settings, 3)
    # then the outbox holds the 3 tickets, then the 3 departed waybills, then the alerts the
    # tickets raised and their timelines' first lines: each after what it refers to
    assert [r.release for r in result.results] == [True] * 3
    rows = list(OutboxChange.objects.order_by("seq"))
    assert [(r.seq, r.model) for r in rows] == [
        (1, "weighing.ticket"),
        (2, "weighing.ticket"),
        (3, "weighing.ticket"),
        (4, "weighing.waybill"),
        (5, "weighing.waybill"),
        (6, "weighing.waybill"),
        (7, "alerts.alert"),
        (8, "alerts.alert"),
        (9, "alerts.alert"),
        (10, "alerts.alertevent"),
        (11, "alerts.alertevent"),
        (12, "alerts.alertevent"),
    ]
    alerts = {str(r.uuid): r.data for r in rows[6:9]}
    assert {d["rule"] for d in alerts.values()} == {"vehicle_unregistered"}
    assert {d["refs"]["seq"] for d in alerts.values()} == {1, 2, 3}
    assert {r.data["alert"] for r in rows[9:]} == set(alerts)
    assert all(d["id"] == u for u, d in alerts.items())  # an alert's UUID is its id
    assert "open_key" not in rows[6].data and "occurrence_key" not in rows[9].data
    first = Ticket.objects.get(seq=1)
    assert rows[0].uuid == first.pk
    assert rows[0].data["hash"] == first.hash
    assert rows[0].data["station"] == str(first.station.uuid)
    assert "quota_entry" not in rows[0].data
    assert rows[3].data["status"] == "departed"
    assert rows[3].data["exit_ticket"] in {str(t.pk) for t in Ticket.objects.all()}


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
    # then the node's batch outboxed its tickets and waybills, then the alerts the tickets
    # raised (unregistered plates) with their events, 4 × size rows (after the warm-up batch's
    # as many), with 10 statements more whatever the size. Tickets and waybills: the counter
    # moved and read (UPDATE … RETURNING) and one INSERT … SELECT of every row, its state built
    # by the database. Alerts and events, once their tickets are numbered, encoded in Python
    # (`append`): the counter, the UUIDs of the alerts' 4 references and of the events'
    # alerts, one INSERT. And the plates counties blacklisted (read once per snapshot).
    assert OutboxChange.objects.count() == 4 * size + 4 * size
    assert len(node) - len(standalone) == 10
    outbox = [sql for sql in node if "federation_outbox" in sql]
    assert [sql.split()[0] for sql in outbox] == ["UPDATE", "INSERT", "UPDATE", "INSERT"]
