"""The demo's history is possible in time: contract approved, waybill issued, exit, road, gate.

The generated province goes through the real importer, the platform serves it, and the
station simulator sends a day of history with the demo's misbehaviour turned up; what the
platform then holds is checked, trip by trip. The traffic model's own plan is checked too,
and `oreledger demo` announces itself only once the dashboards show that history.
"""

from __future__ import annotations

import datetime
import io
import itertools
import subprocess
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from oreledger.dashboards.figures import tonnage
from oreledger.dashboards.models import DailyRollup
from oreledger.dashboards.scope import resolve_scope
from oreledger.dashboards.tests.world import simulate_day
from oreledger.demo.anomalies import demo_specs
from oreledger.demo.management.commands.demo import Announcement
from oreledger.demo.services import DemoLogin
from oreledger.simulator.anomalies import parse_anomalies
from oreledger.simulator.client import StationClient
from oreledger.simulator.driver import PastWaybills, Simulator, WaybillIssuer
from oreledger.simulator.management.commands.simulate_stations import Command
from oreledger.simulator.tests.test_simulator import (
    DAY,
    FakePlatform,
    _load_tiny_province,
    _wait_until_up,
    small_world,
)
from oreledger.simulator.traffic import TrafficModel
from oreledger.weighing.models import Ticket, Waybill
from testkit.processes import child_env, free_port, start


def _anomalies() -> list[Any]:
    return parse_anomalies(demo_specs(scale=20))


def test_every_planned_trip_is_issued_before_it_is_weighed_and_weighed_in_order() -> None:
    # given the traffic model with the demo's misbehaviour at twenty times its rate
    world = small_world()
    approved = DAY + datetime.timedelta(hours=10)
    world.contracts[0].approved_at = approved
    trips = TrafficModel(world, seed=4, anomalies=_anomalies()).plan(
        DAY, DAY + datetime.timedelta(days=1)
    )
    assert len(trips) >= 20 and any(t.anomalies for t in trips)
    for trip in trips:
        first, last = trip.weighings[0], trip.weighings[-1]
        # the waybill before the truck's first weighing (its tare at the mine), after approval
        assert trip.issues_at < min(first.tare_at, first.gross_at)
        if trip.contract.approved_at is None:
            # only the first contract records its approval time here
            assert trip.contract.number != world.contracts[0].number
        else:
            assert trip.contract.approved_at == approved <= trip.issues_at
        # the mine exit first, the road and the plant gate after it
        assert all(w.gross_at >= first.gross_at for w in trip.weighings)
        assert last.done_at >= first.done_at
    # and trips ran on the contract approved at 10:00 (none issued before) and on the others
    assert {t.contract.number == world.contracts[0].number for t in trips} == {True, False}


def test_history_issues_each_waybill_at_its_trip_s_time() -> None:
    # given the simulator over an in-memory platform, with a recorder of past waybills
    world = small_world()
    secrets = {code: f"secret-{code}" for code in world.stations}
    platform = FakePlatform(secrets)
    clients = {c: StationClient(c, s, platform, max_batch=3) for c, s in secrets.items()}
    issued: list[tuple[Any, datetime.datetime]] = []

    class Recorder(PastWaybills):
        def issue(self, trip: Any, at: datetime.datetime) -> tuple[str | None, str]:
            issued.append((trip, at))
            return f"WB{len(issued):014d}", ""

    simulator = Simulator(
        model=TrafficModel(world, seed=5),
        clients=clients,
        issuer=WaybillIssuer(platform, {c.number: "t" for c in world.contracts}),
        past=Recorder({}),
        out=lambda line: None,
    )
    # when it replays a day of history
    simulator.sync()
    simulator.run_history(days=1, now=DAY + datetime.timedelta(days=1, hours=12), keep_open=False)
    # then no waybill went through the API ("now"): each was issued at its trip's time,
    # before the trip's first ticket, and the tickets carry it
    assert issued and platform.waybills == {}
    for trip, at in issued:
        assert at == trip.issues_at < trip.weighings[0].tare_at
    sent = {t["waybill"] for t in platform.stored.values()}
    assert {trip.waybill for trip, _at in issued} == sent


@pytest.mark.django_db(transaction=True)
def test_a_day_of_demo_history_on_the_real_server_is_possible_in_time(tmp_path: Any) -> None:

    # given a tiny generated province and the platform serving it
    _load_tiny_province(tmp_path)
    port = free_port()
    server = start("serve", "--port", str(port), "--web-workers", "1", "--workers", "1",
                   "--no-scheduler", env=child_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    ready = tmp_path / "ready"
    try:
        _wait_until_up(port, server)
        # when the simulator sends a day of history with the demo's misbehaviour turned up
        command, out = Command(), io.StringIO()
        anomalies = [a for spec in demo_specs(scale=20) for a in ("--anomaly", spec)]
        call_command(command, f"--url=http://127.0.0.1:{port}", "--history-days=1",
                     "--history-volume=0.2", "--seed=5", f"--ready-file={ready}", *anomalies,
                     stdout=out)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert ready.read_text(encoding="utf-8").strip() == "history sent"
    waybills = list(Waybill.objects.select_related("contract", "exit_ticket", "entry_ticket"))
    assert len(waybills) >= 5, out.getvalue()
    by_waybill: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in Ticket.objects.exclude(waybill_number="").order_by("gross_at"):
        by_waybill[ticket.waybill_number].append(ticket)
    now = timezone.now()
    for waybill in waybills:
        # then every waybill was issued after its contract's approval, before now, ...
        assert waybill.contract.approved_at is not None
        assert waybill.contract.approved_at <= waybill.issued_at <= now
        tickets = by_waybill[waybill.number]
        # ... before every ticket of its trip (the exit's tare included) ...
        for ticket in tickets:
            assert waybill.issued_at <= min(ticket.tare_at, ticket.gross_at), waybill.number
        exits = [t for t in tickets if t.kind == "exit"]
        later = [t for t in tickets if t.kind in ("checkpoint", "entry")]
        # ... and its truck left the mine before it was seen on the road or at the plant
        if exits:
            assert all(t.gross_at > exits[0].gross_at for t in later), waybill.number
        else:
            # no mine-exit weighing (the demo's entry without exit): the waybill never departed
            assert (waybill.exit_ticket, waybill.departed_at) == (None, None), waybill.number
        # it departed when its released exit was weighed and arrived when its entry was, ...
        exit_at = waybill.exit_ticket.gross_at if waybill.exit_ticket else None
        entry_at = waybill.entry_ticket.gross_at if waybill.entry_ticket else None
        assert (waybill.departed_at, waybill.arrived_at) == (exit_at, entry_at), waybill.number
        # ... in that order, after it was issued
        steps = [at for at in (waybill.issued_at, exit_at, entry_at) if at is not None]
        assert all(a < b for a, b in itertools.pairwise(steps)), waybill.number
    # and trips were completed end to end: out of the mine and through the plant gate
    assert any(w.exit_ticket and w.entry_ticket for w in waybills)
    # and no ticket of the history was weighed after it reached the platform
    assert not Ticket.objects.filter(gross_at__gt=now).exists()


@pytest.mark.django_db
def test_the_demo_announces_itself_only_once_the_dashboards_show_the_history(
    world: Any, tmp_path: Any
) -> None:
    # given a day of tickets in the platform, and no rollup yet
    simulate_day(world)
    assert not DailyRollup.objects.exists()
    out = io.StringIO()
    command = BaseCommand(stdout=out)
    login = DemoLogin("province_office", "demo-2026", "省领导小组办公室", "Provincial office")
    announce = Announcement(command, "http://127.0.0.1:8000/", [login])
    announce.ready_file = tmp_path / "demo-history.ready"
    # when the stations have not finished their history: nothing is printed
    assert announce() is False and out.getvalue() == ""
    # when they have
    announce.ready_file.write_text("history sent\n", encoding="utf-8")
    assert announce() is True
    # then the address is printed, and today's tiles already show today's exits
    assert "http://127.0.0.1:8000/" in out.getvalue() and "province_office" in out.getvalue()
    today = tonnage(resolve_scope(world.user("province_officer"), {}))["periods"][0]
    local_today = timezone.localdate()
    exits = Ticket.objects.filter(kind="exit", release=True, gross_at__date=local_today)
    assert today["out_t"] == round(sum(t.net_kg for t in exits) / 1000, 2)
    assert today["trucks"] == exits.count()
    assert DailyRollup.objects.exists()


@pytest.mark.django_db
def test_the_announcement_says_officials_enrol_an_authenticator_when_sign_in_asks_for_one(
    settings: Any, tmp_path: Any
) -> None:
    # given the demo's history is in and two factors are required, as in production
    login = DemoLogin("province_office", "demo-2026", "省领导小组办公室", "Provincial office")
    settings.OL_REQUIRE_SECOND_FACTOR = True
    out = io.StringIO()
    announce = Announcement(BaseCommand(stdout=out), "http://127.0.0.1:8000/", [login])
    # when it announces itself
    assert announce() is True
    # then the printout says what the first sign-in asks of officials, and how to skip it
    assert "首次登录时用身份验证器扫码绑定" in out.getvalue()
    assert "OL_REQUIRE_SECOND_FACTOR=false make demo" in out.getvalue()
    # and with the second factor switched off, it says nothing of it
    settings.OL_REQUIRE_SECOND_FACTOR = False
    quiet = io.StringIO()
    assert Announcement(BaseCommand(stdout=quiet), "http://x/", [login])() is True
    assert "OL_REQUIRE_SECOND_FACTOR" not in quiet.getvalue()
