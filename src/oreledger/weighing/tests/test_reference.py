"""The process keeps reference data between requests, and every change reaches the next ticket."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oreledger.registry.models import Permit, Site, Station, Vehicle, VehicleBlacklisting
from oreledger.registry.services import rotate_station_secret
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.weighing.models import Ticket
from oreledger.weighing.reference import reference_snapshot
from oreledger.weighing.tests.support import (
    body,
    build_chain,
    exit_gate,
    plate,
    post,
    ticket,
    waybills_for,
)

pytestmark = pytest.mark.django_db

TRIGGERS = importlib.import_module("oreledger.weighing.migrations.0003_reference_tokens")
ASSAYS = importlib.import_module("oreledger.weighing.migrations.0005_assays_are_reference_data")
BLACKLISTINGS = importlib.import_module(
    "oreledger.weighing.migrations.0007_county_blacklistings_are_reference_data"
)
REFERENCE_TABLES = (
    TRIGGERS.TABLES + TRIGGERS.INSERT_DELETE_ONLY + ASSAYS.TABLES + BLACKLISTINGS.TABLES
)


@pytest.fixture
def gate(world):
    """A mine's exit station and one registered truck."""
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    mine, code, secret = exit_gate(chain)
    truck = plate(7)
    VehicleFactory(plate=truck, tare_kg=15_000)
    return mine, code, secret, truck


def trip(gate: Any, seq: int) -> bytes:
    """The body of the truck's next trip, on a waybill issued for it."""
    mine, _code, _secret, truck = gate
    (waybill,) = waybills_for(mine, [truck])
    # A different net each trip: the same net again would be a duplicate_weighing alert.
    return body([ticket(seq, truck, waybill=waybill.number, net=20_000 + 3_000 * seq)])


def send(gate: Any, seq: int) -> dict[str, Any]:
    """The station's answer for the truck's next trip."""
    _mine, code, secret, _truck = gate
    response = post(Client(), code, secret, trip(gate, seq))
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()["results"][0]
    return result


def codes(result: dict[str, Any]) -> list[str]:
    """The blocking reasons' codes."""
    return [r["code"] for r in result["reasons"]]


def test_an_unchanged_reference_is_not_read_again(gate) -> None:
    # given a first ticket, which read the station, permits, grades, rules and the truck
    assert send(gate, 1)["release"] is True
    # when the next trip is weighed
    payload = trip(gate, 2)
    with CaptureQueriesContext(connection) as queries:
        response = post(Client(), gate[1], gate[2], payload)
    result = response.json()["results"][0]
    # then only the tokens are read from the reference tables; the ticket is recorded
    assert result["status"] == "accepted" and result["release"] is True
    read = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    touched = [t for t in REFERENCE_TABLES for sql in read if f'"{t}"' in sql or f" {t} " in sql]
    assert touched == [], [r["code"] for r in result["reasons"]] + read
    assert sum("weighing_referencetoken" in sql for sql in read) == 1
    assert Ticket.objects.filter(plate=gate[3]).count() == 2


def _blacklist(gate: Any) -> None:
    Vehicle.objects.filter(plate=gate[3]).update(status="blacklisted", blacklist_reason="x")


def _revoke_permits(gate: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_permit SET status = 'revoked'")


def _suspend_site(gate: Any) -> None:
    Site.objects.filter(pk=gate[0].site.pk).update(status="suspended")


@pytest.mark.parametrize(
    ("change", "blocking"),
    [
        (_blacklist, "vehicle_blacklisted"),
        (_revoke_permits, "permit_invalid"),
        (_suspend_site, "site_suspended"),
    ],
    ids=["vehicle blacklisted", "permits revoked in raw SQL", "site suspended"],
)
def test_a_change_behind_the_services_back_holds_the_next_truck(
    gate, change: Callable[[Any], None], blocking: str
) -> None:
    # given a released first trip (the process now holds the reference data)
    assert send(gate, 1)["release"] is True
    # when the reference data changes without any service (bulk update or raw SQL)
    change(gate)
    # then the very next trip is held for it
    result = send(gate, 2)
    assert result["release"] is False
    assert blocking in codes(result)


def test_another_countys_blacklisting_holds_the_next_truck(gate, settings, world) -> None:
    # given a county node that released a first trip (it now holds the reference data)
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", "210381"
    assert send(gate, 1)["release"] is True
    # when another county's blacklisting of the plate arrives, stored in bulk as a pull does
    VehicleBlacklisting.objects.bulk_create(
        [
            VehicleBlacklisting(
                plate=gate[3], region=world.dashiqiao, reason="套牌", owner_node="210882"
            )
        ]
    )
    # then the very next trip is held as a blacklisted plate
    result = send(gate, 2)
    assert result["release"] is False
    assert "vehicle_blacklisted" in codes(result)


def test_a_disabled_station_is_refused_at_once(gate) -> None:
    # given a station that has been sending
    assert send(gate, 1)["release"] is True
    # when it is disabled straight in the table
    Station.objects.filter(code=gate[1]).update(disabled_at="2026-01-01T00:00:00Z")
    # then its next request is refused and nothing is stored
    response = post(Client(), gate[1], gate[2], trip(gate, 2))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "station_unknown"
    assert Ticket.objects.count() == 1


def test_a_secret_rotated_since_the_last_request_is_accepted_at_once(gate, world) -> None:
    # given a station that has been sending (the process knows its secret)
    assert send(gate, 1)["release"] is True
    # when its secret is rotated with no grace: only the new one is valid
    station = Station.objects.get(code=gate[1])
    actor = world.user("haicheng_operator")
    new = rotate_station_secret(actor=actor, station=station, grace=datetime.timedelta(0))
    # then a request signed with the new secret is accepted at once, and the old one refused
    response = post(Client(), gate[1], new, trip(gate, 2))
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "accepted"
    refused = post(Client(), gate[1], gate[2], trip(gate, 3))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "bad_signature"
    assert list(Ticket.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]


def test_a_rolled_back_change_never_labels_what_others_see(gate) -> None:
    # given a truck blacklisted inside a transaction that then rolls back, after a ticket
    # was decided (and the reference data kept) inside it
    with pytest.raises(RuntimeError), transaction.atomic():
        _blacklist(gate)
        assert "vehicle_blacklisted" in codes(send(gate, 1))
        raise RuntimeError("roll back")
    # when the vehicle table changes again in an unrelated way (a counter would now repeat
    # the rolled-back value)
    VehicleFactory(plate=plate(8))
    # then the truck is not blacklisted for the next ticket
    result = send(gate, 2)
    assert result["release"] is True and codes(result) == []


def test_the_snapshot_is_kept_until_a_reference_table_changes(gate) -> None:
    # given the process's snapshot
    first = reference_snapshot()
    # when nothing changes, then the same snapshot is handed out
    assert reference_snapshot() is first
    # when any reference table changes (a permit's mineral), then a fresh, empty one is
    Permit.objects.filter(pk=Permit.objects.first().pk).update(mineral="magnesite")
    fresh = reference_snapshot()
    assert fresh is not first and len(fresh) == 0


def test_every_reference_table_has_its_trigger() -> None:
    # given the database as migrated; then each reference table carries the trigger
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE t.tgname = 'ol_reference_changed'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'ol_reference_%'"
            )
        found = sorted(row[0] for row in cursor.fetchall())
    assert found == sorted(REFERENCE_TABLES)
