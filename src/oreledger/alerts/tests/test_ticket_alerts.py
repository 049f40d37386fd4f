"""A ticket's alerts are written in its own transaction: the answer and the alert list agree.

Blocking findings (no_waybill, quota_exhausted, …) used to wait for a scan once a minute;
they are now raised with the ticket, a batch's together in a constant number of statements,
and the scan only backs up tickets stored without them, never counting a finding twice.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oreledger.alerts import engine, sync_rules
from oreledger.alerts.engine import Occurrence, raise_alert, raise_together
from oreledger.alerts.models import Alert, AlertEvent
from oreledger.alerts.scans import scan_ticket_findings
from oreledger.alerts.tests.support import World, alerts, next_seq
from oreledger.registry.models import Vehicle
from oreledger.weighing.tests.support import body, on_shift, post, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> World:
    """The weighing world."""
    return World(world)


def test_a_held_truck_s_alert_is_listed_when_its_answer_returns(w: World) -> None:
    # given a registered truck with no waybill at the mine exit, on shift
    truck = w.truck(1)
    # when the station sends its ticket and gets the answer
    result = w.send("exit", truck, at=on_shift())
    # then the truck is held for no_waybill, and at that moment (no job has run) the county's
    # alert list shows the finding, with the ticket it came from
    assert result["release"] is False
    assert [r["code"] for r in result["reasons"]] == ["no_waybill"]
    [alert] = alerts()
    assert (alert.rule, alert.subject_ref) == ("no_waybill", f"{w.exit_code}#{result['seq']}")
    assert alert.refs["station"] == w.exit_code and alert.evidence["blocking"] is True
    listed = w.world.api("haicheng_operator").get("/api/v1/alerts").json()["results"]
    assert [(r["rule"], r["subject"]["type"], r["refs"]["seq"]) for r in listed] == [
        ("no_waybill", "ticket", result["seq"])
    ]
    page = w.world.client("haicheng_operator").get("/alerts/").content.decode()
    assert alert.get_absolute_url() in page


def _held_batch(w: World, trucks: list[str]) -> list[dict[str, Any]]:
    at = on_shift() - datetime.timedelta(minutes=len(trucks) + 5)
    items = [
        ticket(next_seq(w.exit_code), plate_, at=at + datetime.timedelta(minutes=n))
        for n, plate_ in enumerate(trucks)
    ]
    answer = post(w.client, w.exit_code, w.exit_secret, body(items))
    assert answer.status_code == 200
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def _alert_statements(trucks: list[str], w: World) -> int:
    with CaptureQueriesContext(connection) as queries:
        results = _held_batch(w, trucks)
    assert all(r["release"] is False for r in results)
    return sum("alerts_alert" in q["sql"] for q in queries.captured_queries)


def test_a_batch_writes_its_alerts_with_a_constant_number_of_statements(w: World) -> None:
    # given batches of 3 and of 20 registered trucks without waybills
    few = [w.truck(100 + n) for n in range(3)]
    many = [w.truck(200 + n) for n in range(20)]
    # when each batch is recorded, then both write their alerts with the same statements
    assert _alert_statements(few, w) == _alert_statements(many, w) <= 4
    # and every held truck has its alert, each counted once
    assert Alert.objects.filter(rule="no_waybill").count() == 23
    assert AlertEvent.objects.count() == 23


def test_repeats_in_one_batch_count_on_one_alert(w: World) -> None:
    # given a blacklisted truck weighed three times in one batch (three attempts to leave)
    truck = w.truck(7)
    Vehicle.objects.filter(plate=truck).update(status="blacklisted", blacklist_reason="套牌")
    results = _held_batch(w, [truck, truck, truck])
    # then one alert on the vehicle counts three occurrences, as raise_alert would
    assert {r["code"] for r in results[0]["reasons"]} == {"vehicle_blacklisted", "no_waybill"}
    [alert] = alerts("vehicle_blacklisted")
    assert (alert.subject_ref, alert.count) == (truck, 3)
    kinds = list(alert.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["raised", "seen_again", "seen_again"]


def test_the_backstop_scan_raises_what_a_ticket_lacks_and_never_twice(
    w: World, monkeypatch: Any
) -> None:
    # given a held truck stored while the rules were off (as the bench measures)
    monkeypatch.setattr(sync_rules, "ENABLED", False)
    off = w.send("exit", w.truck(11), at=on_shift())
    monkeypatch.setattr(sync_rules, "ENABLED", True)
    on = w.send("exit", w.truck(12), at=on_shift())
    assert [a.subject_ref for a in alerts("no_waybill")] == [f"{w.exit_code}#{on['seq']}"]
    # when the scan runs, twice
    assert scan_ticket_findings() == 1
    assert scan_ticket_findings() == 0
    # then each held truck has exactly one alert, counted once
    refs = sorted(a.subject_ref for a in alerts("no_waybill"))
    assert refs == sorted(f"{w.exit_code}#{r['seq']}" for r in (off, on))
    assert all(a.count == 1 for a in alerts()) and AlertEvent.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises its writers")
def test_a_subject_opened_meanwhile_by_another_transaction_takes_the_repeat(
    w: World, monkeypatch: Any
) -> None:
    # given an open alert on a vehicle that the batch's lock did not see (committed by another
    # transaction after the batch looked)
    region, at = w.world.haicheng, timezone.now()
    first = raise_alert(
        rule="vehicle_blacklisted",
        region=region,
        subject_type="vehicle",
        subject_ref="辽C00001",
        at=at,
        refs={},
        evidence={},
        occurrence="vehicle_blacklisted|X#1",
    )
    looks = []
    real = engine._lock_open

    def late(keys: set[str]) -> dict[str, Alert]:
        looks.append(keys)
        return {} if len(looks) == 1 else real(keys)

    monkeypatch.setattr(engine, "_lock_open", late)
    # when the batch raises the same subject
    item = Occurrence(
        rule="vehicle_blacklisted",
        region=region,
        subject_type="vehicle",
        subject_ref="辽C00001",
        at=at,
        refs={},
        evidence={},
        occurrence="vehicle_blacklisted|X#2",
    )
    assert raise_together([item], {}) == 1
    # then it is a repeat on the open alert, not a second alert, and not an error
    [alert] = alerts("vehicle_blacklisted")
    assert first is not None and alert.pk == first.pk and alert.count == 2
    assert list(alert.events.order_by("pk").values_list("kind", flat=True)) == [
        "raised",
        "seen_again",
    ]
