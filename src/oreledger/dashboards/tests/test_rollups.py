"""Rollups equal the raw tickets after a day, after a correction, and after a reversal."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from oreledger.dashboards.figures import tonnage
from oreledger.dashboards.models import DailyRollup, RollupWatermark
from oreledger.dashboards.rollups import check_days, refresh_rollups
from oreledger.dashboards.scope import resolve_scope
from oreledger.dashboards.tests.world import released_out_kg, simulate_day
from oreledger.weighing.models import Ticket
from oreledger.weighing.services.corrections import approve_correction, request_correction

pytestmark = pytest.mark.django_db


def _totals() -> tuple[int, int]:
    rows = DailyRollup.objects.all()
    return sum(r.trucks for r in rows), sum(r.net_kg for r in rows)


def test_rollups_equal_tickets_after_a_day(world) -> None:
    # given a simulated day of weighings
    simulate_day(world)
    # when the job runs
    days = refresh_rollups()
    # then the rollups hold every ticket's local day, every ticket, and the check finds no
    # difference (the day's tickets lie in the last hour: just after midnight, partly
    # or wholly yesterday)
    local_days = {timezone.localtime(t.gross_at).date() for t in Ticket.objects.all()}
    assert sorted(days) == sorted(local_days)
    assert _totals() == (Ticket.objects.count(), sum(t.net_kg for t in Ticket.objects.all()))
    assert check_days() == []
    held = DailyRollup.objects.filter(released=False)
    assert sum(r.trucks for r in held) == Ticket.objects.filter(release=False).count()
    # and the province's "today" equals today's released exits counted from the tickets
    scope = resolve_scope(world.user("province_officer"), {})
    today = tonnage(scope)["periods"][0]
    local_today = timezone.localdate()
    assert today["out_t"] == round(released_out_kg(gross_at__date=local_today) / 1000, 2)
    trips = Ticket.objects.filter(release=True, kind="exit", gross_at__date=local_today)
    assert today["trucks"] == trips.count()


def test_second_run_reads_only_new_days_and_catches_late_tickets(world) -> None:
    day = simulate_day(world)
    refresh_rollups()
    mark = RollupWatermark.objects.get()
    # a ticket stamped before the watermark (a late-committing transaction) is still seen
    from oreledger.weighing.services.tickets import record_ticket
    from oreledger.weighing.tests.support import plate, station_obj, ticket

    record_ticket(
        station=station_obj(day.dashiqiao_station),
        item=ticket(2, plate(5001), net=21000),
        now=mark.until - datetime.timedelta(minutes=2),
    )
    refresh_rollups()
    assert check_days() == []
    assert _totals()[0] == Ticket.objects.count()


def test_rollups_follow_a_plate_correction(world) -> None:
    simulate_day(world)
    refresh_rollups()
    held = Ticket.objects.filter(release=False).first()
    correction = request_correction(
        actor=world.user("haicheng_operator"), ticket=held, reason="车牌识别错误", plate="辽C00777"
    )
    approve_correction(actor=world.user("province_officer"), correction=correction)
    refresh_rollups()
    assert check_days() == []


def test_rollups_follow_a_reversal_to_another_contract(world) -> None:
    # given a released exit counted under LM-46
    day = simulate_day(world)
    refresh_rollups()
    exit_ticket = Ticket.objects.filter(
        release=True, direction="out", plate=day.spare[0].plate
    ).get()
    before = DailyRollup.objects.filter(grade="LM-45").count()
    # when the county moves it to a waybill of the LM-45 contract (quota reversed and redrawn)
    correction = request_correction(
        actor=world.user("haicheng_operator"),
        ticket=exit_ticket,
        reason="运单录错",
        waybill_number=day.spare[0].number,
    )
    approved = approve_correction(actor=world.user("province_officer"), correction=correction)
    assert approved.effects["reversal_entry_id"]
    refresh_rollups()
    # then the ticket's tonnage now counts under LM-45, and the rollups equal the tickets
    assert before == 0
    moved = DailyRollup.objects.get(grade="LM-45", kind="exit", released=True)
    assert (moved.trucks, moved.net_kg) == (1, exit_ticket.net_kg)
    assert check_days() == []


def test_check_command_fails_on_a_difference_and_rebuild_repairs(world) -> None:
    simulate_day(world)
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", "--check")
    row = DailyRollup.objects.first()
    DailyRollup.objects.filter(pk=row.pk).update(net_kg=row.net_kg + 1)
    with pytest.raises(CommandError, match="1 rollup rows differ from the tickets"):
        call_command("rebuild_rollups", "--check", "--days", "3")
    call_command("rebuild_rollups", "--days", "2")
    call_command("rebuild_rollups", "--check")
