"""Station protocol: a truck at a site under a stop order is held (site_suspended) until
every department has signed acceptance; then the next truck is released."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from oreledger.alerts.models import Alert
from oreledger.inspections.services import (
    answer_order,
    decide_classification,
    issue_order,
    sign_acceptance,
)
from oreledger.inspections.tests.support import build_loop, inspect, today
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.weighing.rules import ALWAYS_BLOCKING
from oreledger.weighing.services.blocking import set_blocking_codes
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


def test_a_stop_order_holds_the_trucks_until_acceptance(world) -> None:
    chain = build_chain(world, quota_kg=100_000, contract_kg=80_000)
    loop = build_loop(world)
    mine, code, secret = exit_gate(chain)
    inspection = inspect(world, loop, mine.site, {"采矿许可证在有效期内": "许可证过期"})
    order = issue_order(
        actor=world.user("haicheng_operator"),
        findings=list(inspection.findings.all()),
        target="补办采矿许可证",
        measures="停产整改，补办许可证",
        deadline=today() + datetime.timedelta(days=30),
        responsible_person="周工",
    )
    [first, second] = waybills_for(mine, [plate(1), plate(2)])

    [held] = post(
        Client(), code, secret, body([ticket(1, plate(1), waybill=first.number, at=on_shift())])
    ).json()["results"]
    assert held["release"] is False
    assert [r["code"] for r in held["reasons"]] == ["site_suspended"]
    assert "整改中" in held["reasons"][0]["message"]

    answer_order(actor=world.user("enterprise_user"), order=order, text="许可证已补办")
    sign_acceptance(actor=world.user("department_officer"), order=order)

    [released] = post(
        Client(), code, secret, body([ticket(2, plate(2), waybill=second.number, at=on_shift())])
    ).json()["results"]
    assert released["release"] is True and released["reasons"] == []


def test_a_shut_down_site_is_held_at_the_gate(world) -> None:
    # given a region whose blocking set lets suspended sites' trucks out
    chain = build_chain(world, quota_kg=100_000, contract_kg=80_000)
    mine, code, secret = exit_gate(chain)
    set_blocking_codes(actor=None, region=world.haicheng, codes=sorted(ALWAYS_BLOCKING))
    # when the enterprise is shut down and a truck weighs out at its mine afterwards
    decide_classification(
        actor=world.user("haicheng_operator"),
        enterprise=mine.site.enterprise,
        classification="shut_eliminate",
        reason="关停取缔",
    )
    [waybill] = waybills_for(mine, [plate(1)])
    [held] = post(
        Client(), code, secret, body([ticket(1, plate(1), waybill=waybill.number, at=on_shift())])
    ).json()["results"]
    # then the shut-down blocks all the same, with the closed site's code, and nothing is drawn
    assert held["release"] is False
    assert [r["code"] for r in held["reasons"]] == ["site_suspended"]
    assert "关闭" in held["reasons"][0]["message"]
    account = QuotaAccount.objects.get(holder_site=mine.site)
    assert (account.frozen_reason, account.consumed_kg) == ("关停取缔", 0)
    assert not LedgerEntry.objects.filter(account=account, kind="consume").exists()
    # and the weighing is an alert on the site
    [alert] = Alert.objects.filter(rule="site_suspended")
    assert (alert.subject_ref, alert.evidence["blocking"]) == (mine.site.code, True)
