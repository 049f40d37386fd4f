"""An issued briefing keeps the figures it reported; a new one shows the corrected figures.

A released exit is moved by a ticket correction from the LM-46 contract to the LM-45 one
after the week's briefing was issued: reopening the issued briefing (page, API, files)
still shows the tonnage under LM-46, while the week read anew shows it under LM-45.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from oreledger.briefings.errors import BriefingError
from oreledger.briefings.models import Briefing
from oreledger.briefings.sections import Week
from oreledger.briefings.services import (
    draft_briefing,
    draft_last_week,
    issue_briefing,
    update_narrative,
)
from oreledger.core.models import ObjectChange
from oreledger.dashboards.rollups import refresh_rollups
from oreledger.dashboards.tests.world import simulate_day
from oreledger.weighing.models import Ticket
from oreledger.weighing.services.corrections import approve_correction, request_correction

pytestmark = pytest.mark.django_db


def _grades(figures: dict[str, Any]) -> dict[str, float]:
    rows = figures["sections"]["production"]["grades"]
    return {row["grade"]: row["week"]["out_t"] for row in rows if row["week"]["out_t"]}


@pytest.fixture
def issued(world) -> dict[str, Any]:
    day = simulate_day(world)
    refresh_rollups()
    office = world.user("province_officer")
    week = Week.of(timezone.localdate())
    briefing = draft_briefing(actor=office, region=world.province, week=week)
    update_narrative(
        actor=office, briefing=briefing, remarks="本周运行平稳。", priorities="抓好整改。"
    )
    issue_briefing(actor=office, briefing=briefing)
    return {"day": day, "briefing": Briefing.objects.get(pk=briefing.pk), "week": week}


def _correct(world, day) -> Ticket:
    moved = Ticket.objects.get(release=True, direction="out", plate=day.spare[0].plate)
    correction = request_correction(
        actor=world.user("haicheng_operator"), ticket=moved, reason="运单录错",
        waybill_number=day.spare[0].number,
    )  # fmt: skip
    approve_correction(actor=world.user("province_officer"), correction=correction)
    refresh_rollups()
    return moved


def test_an_issued_briefing_shows_the_figures_as_issued_after_a_correction(
    world, issued, tmp_path: Path
) -> None:
    # given the issued briefing's grades: everything under LM-46, nothing under LM-45
    before = _grades(issued["briefing"].figures)
    assert "LM-45" not in before
    # when a ticket is moved to the LM-45 contract after the issue
    moved = _correct(world, issued["day"])
    # then the issued briefing, reopened through the API and make-briefing, is unchanged
    api = world.api("province_officer").get(f"/api/v1/briefings/{issued['briefing'].pk}/")
    assert api.status_code == 200
    assert _grades(api.json()["figures"]) == before
    assert api.json()["remarks"] == "本周运行平稳。"
    call_command("make_briefing", "--week", issued["week"].key, "--out", str(tmp_path))
    archived = json.loads((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    assert _grades(archived) == before
    # and the same week read anew shows the ticket under LM-45, taken from LM-46
    fresh = world.api("province_officer").get(
        "/api/v1/briefings/week/", {"week": issued["week"].key}
    )
    now = _grades(fresh.json())
    assert now["LM-45"] == round(moved.net_kg / 1000, 2)
    assert now["LM-46"] == round(before["LM-46"] - moved.net_kg / 1000, 2)


def test_an_issued_briefing_refuses_new_remarks_and_a_second_issue(world, issued) -> None:
    office = world.user("province_officer")
    briefing = issued["briefing"]
    # when the office writes remarks or issues it again, then both are refused
    with pytest.raises(BriefingError) as remarks:
        update_narrative(actor=office, briefing=briefing, remarks="改", priorities="")
    with pytest.raises(BriefingError) as again:
        issue_briefing(actor=office, briefing=briefing)
    assert (remarks.value.code, again.value.code) == ("already_issued", "already_issued")
    assert Briefing.objects.get(pk=briefing.pk).remarks == "本周运行平稳。"
    # and the draft, the remarks and the issue are each in the record's history
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Briefing), object_id=str(briefing.pk)
    ).order_by("pk")
    assert [c.action for c in changes] == ["create", "update", "update"]
    assert changes.last().after["status"] == "issued"


def test_the_page_issues_only_when_confirmed(world) -> None:
    # given a draft of last week
    week = Week.of(timezone.localdate() - datetime.timedelta(days=7))
    briefing = draft_briefing(actor=world.user("province_officer"), region=world.province,
                              week=week)  # fmt: skip
    client = world.client("province_officer")
    url = reverse("briefings:briefing_issue", args=[briefing.pk])
    # when the office posts Issue without confirming, then it is asked and nothing changes
    asked = client.post(url)
    assert asked.status_code == 200
    assert Briefing.objects.get(pk=briefing.pk).status == "draft"
    # when it confirms, then the briefing is issued with its figures
    client.post(url, {"confirmed": "1"})
    issued = Briefing.objects.get(pk=briefing.pk)
    assert (issued.status, issued.figures["week"]) == ("issued", week.key)
    assert issued.issued_by == world.user("province_officer")


@pytest.mark.parametrize(
    ("local", "made"),
    [
        (datetime.datetime(2026, 11, 30, 8, 5), "2026-W48"),  # Monday 08:05
        (datetime.datetime(2026, 11, 30, 7, 55), None),  # Monday before 08:00
        (datetime.datetime(2026, 12, 1, 9, 0), None),  # Tuesday
    ],
)
def test_the_monday_job_drafts_last_weeks_province_briefing(world, local, made) -> None:
    # when the hourly job runs at that local time
    now = timezone.make_aware(local, timezone.get_default_timezone())
    draft_last_week(now=now)
    draft_last_week(now=now)  # a second run in the same hour makes nothing more
    # then the province's draft of the week before exists only on Monday from 08:00, once
    assert list(Briefing.objects.values_list("region__code", "week", "status")) == (
        [("210000", made, "draft")] if made else []
    )
