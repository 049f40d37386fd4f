"""Versioned thresholds: the province sets, a county only tightens, alerts record the version."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from oreledger.alerts.backtest import back_test
from oreledger.alerts.engine import effective_rules
from oreledger.alerts.errors import AlertError
from oreledger.alerts.models import RuleVersion
from oreledger.alerts.services import change_rule
from oreledger.alerts.tests.support import World, alerts

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> World:
    """The weighing world."""
    return World(world)


def test_a_county_that_loosens_the_province_is_refused(w: World) -> None:
    world = w.world
    province = change_rule(
        actor=world.user("province_officer"),
        rule="tare_deviation",
        region=world.province,
        params={"pct": 4, "kg": 600},
        note="放宽",
    )
    assert province.number == 1 and province.previous == {"pct": 3, "kg": 500}
    before = RuleVersion.objects.count()
    with pytest.raises(AlertError) as refused:
        change_rule(
            actor=world.user("haicheng_operator"),
            rule="tare_deviation",
            region=world.haicheng,
            params={"pct": 5},
            note="更松",
        )
    assert refused.value.code == "threshold_looser" and "pct" in refused.value.fields
    assert RuleVersion.objects.count() == before
    # tightening is accepted and becomes the county's effective threshold
    county = change_rule(
        actor=world.user("haicheng_operator"),
        rule="tare_deviation",
        region=world.haicheng,
        params={"pct": 2, "kg": 400},
        note="收紧",
    )
    assert county.number == 1 and county.author == world.user("haicheng_operator")
    assert effective_rules(world.haicheng)["tare_deviation"].params == {"pct": 2, "kg": 400}
    assert effective_rules(world.dashiqiao)["tare_deviation"].params == {"pct": 4, "kg": 600}


def test_a_county_cannot_change_another_region(w: World) -> None:
    with pytest.raises(AlertError) as refused:
        change_rule(
            actor=w.world.user("dashiqiao_operator"),
            rule="overload",
            region=w.world.haicheng,
            params={},
            note="x",
        )
    assert refused.value.status == 403


def test_each_alert_records_the_version_that_raised_it(w: World) -> None:
    truck = w.truck(1, tare_kg=15_000)
    w.send("cp", truck, tare_kg=15_450, gross_kg=45_450, net_kg=30_000)
    assert alerts("tare_deviation") == []
    change_rule(
        actor=w.world.user("haicheng_operator"),
        rule="tare_deviation",
        region=w.world.haicheng,
        params={"pct": 2, "kg": 400},
        note="收紧",
    )
    w.send(
        "cp",
        truck,
        tare_kg=15_450,
        gross_kg=45_450,
        net_kg=30_000,
        at=timezone.now() - datetime.timedelta(hours=1),
    )
    [alert] = alerts("tare_deviation")
    assert alert.version_number == 1 and alert.rule_version.region == w.world.haicheng
    assert alert.evidence["threshold_kg"] == 400


def test_back_test_counts_per_county_next_to_the_current_version(w: World) -> None:
    truck = w.truck(2, tare_kg=15_000)
    for minutes, tare in ((300, 15_450), (200, 15_600), (100, 15_320)):
        w.send(
            "cp",
            truck,
            tare_kg=tare,
            gross_kg=tare + 30_000,
            net_kg=30_000,
            at=timezone.now() - datetime.timedelta(minutes=minutes),
        )
    rows = back_test(
        rule="tare_deviation",
        region=w.world.province,
        days=7,
        current={"pct": 3, "kg": 500},
        proposed={"pct": 2, "kg": 250},
    )
    assert rows == [{"county": "210381", "current": 1, "proposed": 3, "change": 2}]
