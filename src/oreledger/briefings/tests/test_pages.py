"""The briefing's pages and API by persona: readers in their region, offices write, others 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from oreledger.briefings.models import Briefing
from oreledger.briefings.sections import Week
from oreledger.briefings.services import draft_briefing
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def haicheng_draft(world) -> Briefing:
    week = Week.of(timezone.localdate() - datetime.timedelta(days=7))
    return draft_briefing(actor=world.user("haicheng_operator"), region=world.haicheng, week=week)


READERS = {
    "province_officer": 200,
    "haicheng_operator": 200,
    "dashiqiao_operator": 404,
    "department_officer": 200,
    "enterprise_user": 404,
}


def test_the_archive_opens_for_every_government_role(world) -> None:
    check_matrix(
        world,
        lambda c: c.get(reverse("briefings:briefing_list")),
        {**READERS, "dashiqiao_operator": 200, "anonymous": 302},
    )


def test_a_briefing_opens_inside_its_region_only(world, haicheng_draft) -> None:
    responses = check_matrix(
        world,
        lambda c: c.get(reverse("briefings:briefing_detail", args=[haicheng_draft.pk])),
        {**READERS, "anonymous": 302},
    )
    page = responses["haicheng_operator"].content.decode()
    assert "海城市" in page and haicheng_draft.week in page


def test_only_the_offices_write_the_remarks(world, haicheng_draft) -> None:
    url = reverse("briefings:briefing_narrative", args=[haicheng_draft.pk])
    check_matrix(
        world,
        lambda c: c.post(url, {"remarks": "加快整改", "priorities": "复查"}),
        {
            **READERS,
            "province_officer": 302,
            "haicheng_operator": 302,
            "department_officer": 403,
            "anonymous": 302,
        },
        watch=[Briefing],
    )
    assert Briefing.objects.get(pk=haicheng_draft.pk).remarks == "加快整改"


def test_a_week_on_demand_is_scoped_to_the_readers_region(world) -> None:
    week = Week.of(timezone.localdate() - datetime.timedelta(days=7)).key
    url = reverse("briefings:week")
    # the province's week: only the province office reaches it
    check_matrix(
        world,
        lambda c: c.get(url, {"week": week, "region": "210000", "as": "json"}),
        {
            "province_officer": 200,
            "haicheng_operator": 404,
            "dashiqiao_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
    page = world.client("haicheng_operator").get(url, {"week": week})
    assert page.status_code == 200
    assert "海城市" in page.content.decode()


def test_the_api_lists_the_briefings_in_scope(world, haicheng_draft) -> None:
    responses = check_matrix(
        world,
        lambda c: c.get("/api/v1/briefings/"),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 200,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 401,
        },
        api=True,
    )
    counts = {name: r.json()["count"] for name, r in responses.items() if name != "anonymous"}
    assert counts == {
        "province_officer": 1,
        "haicheng_operator": 1,
        "dashiqiao_operator": 0,
        "department_officer": 1,
        "enterprise_user": 0,
    }


def test_a_week_ahead_or_malformed_is_refused(world) -> None:
    api = world.api("province_officer")
    ahead = (timezone.localdate() + datetime.timedelta(days=14)).isocalendar()
    future = api.get("/api/v1/briefings/week/", {"week": f"{ahead[0]}-W{ahead[1]:02d}"})
    malformed = api.get("/api/v1/briefings/week/", {"week": "2026-48"})
    assert (future.status_code, future.json()["error"]["code"]) == (400, "week_ahead")
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "week_invalid")
