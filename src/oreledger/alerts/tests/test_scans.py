"""Blocking findings, quota warnings, conflicts, clock drift and below-floor contracts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from oreledger.alerts.scans import (
    scan_clock_drift,
    scan_conflicts,
    scan_ticket_findings,
)
from oreledger.alerts.tests.support import World, alerts
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.models import Permit, Site, Vehicle
from oreledger.trade import services
from oreledger.trade.models import Contract
from oreledger.trade.tests.market import build_market, contract_terms
from oreledger.weighing.services.heartbeats import record_heartbeat
from oreledger.weighing.tests.support import on_shift, station_obj

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> World:
    """The weighing world."""
    return World(world)


def test_a_clean_trip_raises_nothing(w: World) -> None:
    # exit and plant gate (50 minutes later) both on shift, whatever the hour the test runs
    w.trip(w.truck(1), at=on_shift(lasting=datetime.timedelta(minutes=50)))
    scan_ticket_findings()
    assert alerts() == []


def _no_waybill(w: World, truck: str) -> dict[str, Any]:
    return w.send("exit", truck)


def _blacklisted(w: World, truck: str) -> dict[str, Any]:
    Vehicle.objects.filter(plate=truck).update(status="blacklisted", blacklist_reason="套牌")
    return w.send("exit", truck, waybill=w.waybill(truck))


def _reused(w: World, truck: str) -> dict[str, Any]:
    number = w.waybill(truck)
    w.send("exit", truck, waybill=number, at=timezone.now() - datetime.timedelta(hours=1))
    return w.send("exit", truck, waybill=number)


def _suspended(w: World, truck: str) -> dict[str, Any]:
    Site.objects.filter(pk=w.mine.site.pk).update(status="suspended")
    return w.send("exit", truck, waybill=w.waybill(truck))


def _permit(w: World, truck: str) -> dict[str, Any]:
    Permit.objects.filter(site=w.mine.site).update(status="revoked")
    return w.send("exit", truck, waybill=w.waybill(truck))


def _quota(w: World, truck: str) -> dict[str, Any]:
    QuotaAccount.objects.filter(holder_site=w.mine.site).update(consumed_kg=F_ALL)
    return w.send("exit", truck, waybill=w.waybill(truck))


def _contract(w: World, truck: str) -> dict[str, Any]:
    Contract.objects.filter(pk=w.mine.contract.pk).update(delivered_kg=10_190_000)
    return w.send("exit", truck, waybill=w.waybill(truck))


F_ALL = 9_990_000


@pytest.mark.parametrize(
    ("code", "make", "subject"),
    [
        ("no_waybill", _no_waybill, "ticket"),
        ("vehicle_blacklisted", _blacklisted, "vehicle"),
        ("waybill_reused", _reused, "waybill"),
        ("site_suspended", _suspended, "site"),
        ("permit_invalid", _permit, "site"),
        ("quota_exhausted", _quota, "quota_account"),
        ("contract_exceeded", _contract, "contract"),
    ],
)
def test_each_blocking_rule_is_an_alert_when_the_station_is_answered(
    w: World, code: str, make: Any, subject: str
) -> None:
    truck = w.truck(2)
    result = make(w, truck)
    assert result["release"] is False and code in {r["code"] for r in result["reasons"]}
    # the alert exists as the answer arrives: no job ran in between
    [alert] = alerts(code)
    assert alert.subject_type == subject and alert.severity == "high"
    assert alert.refs["station"] == w.exit_code and alert.refs["seq"] == result["item"]["seq"]
    assert alert.refs["plate"] == truck and alert.evidence["blocking"] is True
    expected = {
        "ticket": f"{w.exit_code}#{result['item']['seq']}",
        "vehicle": truck,
        "site": w.mine.site.code,
        "contract": w.mine.contract.number,
        "quota_account": f"{w.mine.site.code}/{timezone.localdate().year}",
    }
    if subject in expected:
        assert alert.subject_ref == expected[subject]
    if code == "contract_exceeded":
        assert alert.evidence["delivered_kg"] == 10_190_000
    if code == "quota_exhausted":
        assert alert.evidence["consumed_kg"] == F_ALL
    # and the backstop scan over the same tickets counts nothing again
    assert scan_ticket_findings() == 0
    alert.refresh_from_db()
    assert alert.count == 1 and alert.events.count() == 1


def test_quota_warning_each_step_once(w: World) -> None:
    QuotaAccount.objects.filter(holder_site=w.mine.site).update(consumed_kg=7_980_000)
    w.trip(w.truck(3), net=10_000)  # 79.8 % → 79.9 %: no step
    assert alerts("quota_warning") == []
    w.trip(w.truck(4), net=20_000, at=timezone.now() - datetime.timedelta(hours=1))  # → 80.1 %
    assert scan_ticket_findings() == 0
    [alert] = alerts("quota_warning")
    assert alert.evidence["threshold_pct"] == 80 and alert.evidence["allocated_kg"] == 10_000_000


def test_ticket_conflict_from_a_differing_resend(w: World) -> None:
    truck = w.truck(5)
    first = w.send("cp", truck, net=30_000, seq=7)
    same = dict(first["item"])
    from oreledger.weighing.tests.support import body, post

    post(w.client, w.cp_code, w.cp_secret, body([same]))
    scan_conflicts()
    assert alerts("ticket_conflict") == []
    changed = {**same, "gross_kg": same["gross_kg"] + 1000, "net_kg": same["net_kg"] + 1000}
    post(w.client, w.cp_code, w.cp_secret, body([changed]))
    scan_conflicts()
    [alert] = alerts("ticket_conflict")
    assert alert.subject_ref == f"{w.cp_code}#7" and "net_kg" in alert.evidence["fields"]


def test_station_clock_drift_beyond_120_s(w: World) -> None:
    station = station_obj(w.exit_code)
    record_heartbeat(station=station, device_time=timezone.now() + datetime.timedelta(seconds=110))
    scan_clock_drift()
    assert alerts("station_clock_drift") == []
    record_heartbeat(station=station, device_time=timezone.now() + datetime.timedelta(seconds=130))
    scan_clock_drift()
    [alert] = alerts("station_clock_drift")
    assert alert.subject_ref == w.exit_code and 125 <= alert.evidence["drift_s"] <= 131


def test_price_below_floor_is_raised_in_the_approval_s_transaction(world: Any) -> None:
    # Given a contract under the LM-46 floor of 380 yuan/t, submitted
    market = build_market(world)
    contract = services.create_contract(**contract_terms(market, unit_price=Decimal("300.00")))
    services.submit_contract(actor=market.seller_user, contract=contract)
    province = world.user("province_officer")
    # When an approval with the province's override rolls back, nothing is raised
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve_contract(actor=province, contract=contract, override_reason="保供")
        assert [a.subject_ref for a in alerts("price_below_floor")] == [contract.number]
        raise RuntimeError("the caller's transaction fails after the approval")
    assert alerts("price_below_floor") == []
    # When it commits, the alert is there at once (no scan runs)
    services.approve_contract(actor=province, contract=contract, override_reason="灾后重建专项保供")
    [alert] = alerts("price_below_floor")
    assert (alert.subject_ref, alert.evidence["floor_yuan"]) == (contract.number, "380.00")
    assert alert.evidence["override_reason"] == "灾后重建专项保供"
