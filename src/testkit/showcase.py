"""A province where every page has something to show, for tests that walk every page.

On top of the personas: a record of every kind in Dashiqiao (`sweep.build_dashiqiao`), and
a Haicheng day of trips from the mine user's mine to the plant user's plant (exits, gate
entries, an overload, an unregistered truck, a truck without a waybill, an entry without
an exit escalated to a case), a plant user, an administrator and background jobs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oreledger.accounts.models import ApiToken, User
from oreledger.accounts.tests.factories import UserFactory
from oreledger.alerts.models import Alert, Case
from oreledger.alerts.services import escalate_alert
from oreledger.briefings.sections import Week
from oreledger.briefings.services import draft_briefing, issue_briefing
from oreledger.core.jobs import prune_housekeeping
from oreledger.core.worker import make_worker
from oreledger.registry.services import create_station
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.trade import services as trade
from oreledger.trade.tests.market import contract_terms
from oreledger.weighing.tests.support import (
    Mine,
    body,
    give_gate_permits,
    on_shift,
    post,
    ticket,
    waybills_for,
)
from testkit.personas import PASSWORD, Province
from testkit.sweep import Dashiqiao, build_dashiqiao

# The personas a page walk visits, by the role each stands for.
ROLES = {
    "province_office": "province_officer",
    "county_operator": "haicheng_operator",
    "other_county_operator": "dashiqiao_operator",
    "department_officer": "department_officer",
    "mine_user": "enterprise_user",
    "plant_user": "plant_user",
    "admin": "admin",
}


@dataclass
class Showcase:
    """The built province: the Dashiqiao records and Haicheng's case from an alert."""

    world: Province
    dsq: Dashiqiao
    case: Case

    def client(self, persona: str) -> Client:
        """A zh-Hans browser-like client logged in as the persona."""
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(self.world.users[persona])
        return client


def _send(code: str, secret: str, items: list[dict[str, Any]]) -> None:
    response = post(Client(), code, secret, body(items))
    assert response.status_code == 200, response.content


def build_showcase(world: Province) -> Showcase:
    """Every kind of record, in both counties, and the six roles' personas."""
    dsq = build_dashiqiao(world)
    market = dsq.market
    world.users["plant_user"] = market.buyer_user
    world.users["admin"] = cast(User, UserFactory(
        username="admin", role="admin", is_staff=True, is_superuser=True,
        display_name="系统管理员", password=PASSWORD,
    ))  # fmt: skip
    haicheng = world.haicheng
    contract = trade.create_contract(**contract_terms(market))
    trade.submit_contract(actor=None, contract=contract)
    contract = trade.approve_contract(actor=None, contract=contract)
    give_gate_permits(market.mine, haicheng)
    VehicleFactory(plate="辽C20001", owner=market.seller, axles=6, tare_kg=15000)
    plates = ["辽C20001", "辽C20002", "辽C20003"]
    waybills = waybills_for(Mine(market.mine, contract), plates)
    exit_code, exit_secret = dsq.haicheng_station
    gate, gate_secret = create_station(actor=None, code="HC-ST-P01", name="恒达厂门",
                                       region=haicheng, lat=market.plant.lat,
                                       lon=market.plant.lon, site=market.plant)  # fmt: skip
    start = on_shift(lasting=datetime.timedelta(hours=2))
    at = [start + datetime.timedelta(minutes=10 * n) for n in range(8)]
    _send(exit_code, exit_secret, [
        ticket(1, waybills[0].plate, waybill=waybills[0].number, net=36_000, at=at[0]),
        ticket(2, waybills[1].plate, waybill=waybills[1].number, net=30_000, at=at[1]),
        ticket(3, "辽C20009", net=30_000, at=at[2]),  # no waybill: held
    ])  # fmt: skip
    later = [a + datetime.timedelta(hours=1) for a in at]
    _send(gate.code, str(gate_secret), [
        ticket(1, waybills[0].plate, waybill=waybills[0].number, direction="in",
               net=35_000, at=later[0]),
        ticket(2, waybills[2].plate, waybill=waybills[2].number, direction="in",
               net=30_000, at=later[1]),  # an entry whose truck never left the mine
    ])  # fmt: skip
    unexplained = Alert.objects.get(rule="entry_without_exit", region=haicheng)
    case = escalate_alert(actor=world.user("haicheng_operator"), alert=unexplained)
    _run_jobs()
    _briefings(world)
    return Showcase(world, dsq, case)


def _briefings(world: Province) -> None:
    """The province's issued briefing of this week and Haicheng's draft (pages and files)."""
    week = Week.of(timezone.localdate())
    office = world.user("province_officer")
    issue_briefing(
        actor=office,
        briefing=draft_briefing(actor=office, region=world.province, week=week),
    )
    draft_briefing(actor=world.user("haicheng_operator"), region=world.haicheng, week=week)


def _run_jobs() -> None:
    """One job run to the end by a worker, one still waiting in the queue."""
    worker = make_worker(batch=True)
    done = prune_housekeeping.enqueue(period=timezone.localdate().isoformat())
    result = DBTaskResult.objects.get(id=done.id)
    result.claim(worker.worker_id)
    worker.run_task(result)
    prune_housekeeping.enqueue(period="waiting")


def data_words() -> set[str]:
    """Values people typed in Latin letters (logins, e-mail, token names), shown as typed."""
    words: set[str] = set()
    for username, email in User.objects.values_list("username", "email"):
        words.add(username)
        if email:
            words.add(email)
    for name, prefix in ApiToken.objects.values_list("name", "prefix"):
        words.update((name, prefix))  # named by their owner; the key's visible start
    return words
