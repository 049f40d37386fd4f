"""The appeals pages and API: who reaches what, the journey through the forms, the ledgers."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oreledger.appeals.choices import AppealStatus
from oreledger.appeals.models import Appeal, Entry, Routing, StageRecord, TimeLimits
from oreledger.appeals.tests.support import answered, raised, rival, routed
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

WATCH = [Appeal, Entry, Routing, StageRecord, TimeLimits]


def test_an_enterprise_never_sees_another_enterprise_s_appeal(world: Any) -> None:
    # given the Haicheng enterprise's appeal and a user of another enterprise
    appeal = routed(world)
    other = rival(world)
    from django.test import Client

    client = Client()
    client.force_login(other)
    page = reverse("appeals:appeal_detail", args=[appeal.number])
    # then its page, its actions and its API record are 404, and its list is empty
    assert client.get(page).status_code == 404
    assert (
        client.post(
            reverse("appeals:appeal_action", args=[appeal.number, "confirm"]),
            {"satisfaction": "5", "confirmed": "1"},
        ).status_code
        == 404
    )
    assert appeal.number not in client.get(reverse("appeals:appeal_list")).content.decode()
    from rest_framework.test import APIClient

    from oreledger.accounts.services import issue_api_token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(actor=None, user=other)}")
    assert api.get(f"/api/v1/appeals/{appeal.number}").status_code == 404
    assert api.get("/api/v1/appeals").json()["count"] == 0
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ROUTED


def test_the_appeal_page_matrix(world: Any) -> None:
    appeal = routed(world)
    url = reverse("appeals:appeal_detail", args=[appeal.number])
    check_matrix(
        world,
        lambda c: c.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 302,
        },
    )


def test_the_api_matrix(world: Any) -> None:
    appeal = routed(world)
    check_matrix(
        world,
        lambda c: c.get(f"/api/v1/appeals/{appeal.number}"),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 401,
        },
        api=True,
    )


def test_routing_is_the_office_s_and_a_refusal_changes_nothing(world: Any) -> None:
    # given an appeal (the province routes it first, so the department then sees it)
    appeal = raised(world)
    department = world.user("department_officer").department
    url = reverse("appeals:appeal_action", args=[appeal.number, "route"])
    check_matrix(
        world,
        lambda c: c.post(url, {"departments": [department.pk]}),
        {
            "province_officer": 302,
            "haicheng_operator": 302,
            "dashiqiao_operator": 404,
            "department_officer": 403,
            "enterprise_user": 403,
            "anonymous": 302,
        },
        watch=WATCH,
    )
    assert list(Routing.objects.values_list("department", flat=True)) == [department.pk]


def test_closing_asks_first_and_then_closes(world: Any) -> None:
    appeal = answered(world)
    officer = world.client("department_officer")
    officer.post(
        reverse("appeals:appeal_action", args=[appeal.number, "solve"]), {"text": "已解决"}
    )
    enterprise = world.client("enterprise_user")
    url = reverse("appeals:appeal_action", args=[appeal.number, "confirm"])
    asked = enterprise.post(url, {"satisfaction": "4"})
    assert asked.status_code == 200 and "确认诉求" in asked.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.SOLVED
    enterprise.post(url, {"satisfaction": "4", "confirmed": "1"})
    appeal.refresh_from_db()
    assert (appeal.status, appeal.satisfaction) == (AppealStatus.CLOSED, 4)


def test_the_ledgers_count_and_export_and_drill_down(world: Any) -> None:
    routed(world)
    raised(world)
    client = world.client("haicheng_operator")
    march = "?since=2026-03-01&until=2026-03-31"
    page = client.get(reverse("appeals:ledger_county") + march)
    assert page.status_code == 200
    [figures] = page.context["figures"]
    assert (figures.name, figures.raised, figures.open) == ("海城市", 2, 2)
    assert figures.url.endswith("region=210381&state=open")
    drilled = client.get(figures.url)
    assert drilled.context["paginator"].count == 2
    export = client.get(reverse("appeals:ledger_department") + march + "&export=xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "海城市自然资源局" and rows[1][2] == 1
    assert world.client("enterprise_user").get(reverse("appeals:ledger_county")).status_code == 404


def test_the_enterprise_file_lists_its_appeals(world: Any) -> None:
    appeal = raised(world)
    enterprise = world.user("enterprise_user").enterprise
    page = world.client("haicheng_operator").get(enterprise.get_absolute_url())
    assert appeal.number in page.content.decode()


def test_only_the_province_changes_the_time_limits(world: Any) -> None:
    url = reverse("appeals:time_limits")
    data = {
        "route_hours": 12,
        "answer_hours": 48,
        "solve_ordinary_days": 5,
        "solve_complex_days": 20,
    }
    check_matrix(
        world,
        lambda c: c.post(url, data),
        {
            "province_officer": 302,
            "haicheng_operator": 404,
            "dashiqiao_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=WATCH,
    )
    assert TimeLimits.current().route_hours == 12
