"""The worklist pages by persona: tasks, a task's report form, confirmation, timeliness."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oreledger.worklist import services
from oreledger.worklist.models import ProgressReport, WeeklyConfirmation
from oreledger.worklist.queries import today_local, week_of
from oreledger.worklist.tests.support import task
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db


def test_a_task_page_is_seen_in_its_county_and_reported_on_by_its_unit(world):
    # given a Haicheng task
    t = task(world)
    url = reverse("worklist:task_detail", args=[t.number])
    week = week_of(today_local()).isoformat()
    data = {"week": week, "text": "完成3家矿山断电", "percent": "30"}
    # when every persona opens it, and posts a report
    pages = check_matrix(
        world,
        lambda client: client.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
    check_matrix(
        world,
        lambda client: client.post(url, data),
        {
            "province_officer": 302,
            "haicheng_operator": 302,
            "dashiqiao_operator": 404,
            "department_officer": 302,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=[ProgressReport],
    )
    # then the rule is shown and one report (replaced by each reporter) stands at 30 %
    assert 'data-testid="status-rule"' in pages["department_officer"].content.decode()
    assert list(ProgressReport.objects.values_list("percent", flat=True)) == [30]


def test_only_a_county_operator_confirms_and_the_province_reads_the_table(world):
    # given last week
    week = week_of(today_local()).toordinal() - 7
    data = {"week": type(today_local()).fromordinal(week).isoformat(), "comment": "已核对"}
    # when every persona posts a confirmation
    check_matrix(
        world,
        lambda client: client.post(reverse("worklist:confirm"), data),
        {
            "province_officer": 404,
            "haicheng_operator": 302,
            "dashiqiao_operator": 302,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=[WeeklyConfirmation],
    )
    # then each county confirmed once, and the province's table shows both counties
    assert WeeklyConfirmation.objects.count() == 2
    page = world.client("province_officer").get(reverse("worklist:timeliness")).content.decode()
    assert "海城市" in page and "大石桥市" in page
    for name in ("task_list", "group_list"):
        assert world.client("province_officer").get(reverse(f"worklist:{name}")).status_code == 200
        assert world.client("enterprise_user").get(reverse(f"worklist:{name}")).status_code == 404


def test_the_api_gives_tasks_with_status_and_the_timeliness_table_in_scope(world):
    # given a Haicheng task
    t = task(world)
    # when every persona asks for it, and the province for the timeliness table
    responses = check_matrix(
        world,
        lambda client: client.get(f"/api/v1/worklist/tasks/{t.number}"),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 404,
            "anonymous": 401,
        },
        api=True,
    )
    table = world.api("province_officer").get("/api/v1/worklist/timeliness?weeks=3").json()
    # then the task carries its status and milestones; the table both counties over 3 weeks
    body = responses["haicheng_operator"].json()
    # (due 29 March 2026 and not done: overdue from then on)
    assert (body["number"], body["status"], body["milestones"]) == ("T-001", "overdue", [])
    assert [c["region"] for c in table["counties"]] == ["210381", "210882"]
    assert len(table["weeks"]) == 3


def test_the_timeliness_table_exports_as_the_page_shows_it_in_scope(world):
    # given seven days of grace and Haicheng's confirmation of last week (on time)
    services.set_grace_days(actor=world.user("province_officer"), grace_days=7)
    last_week = week_of(today_local()) - datetime.timedelta(days=7)
    services.confirm_week(actor=world.user("haicheng_operator"), region=world.haicheng,
                          week=last_week)  # fmt: skip
    url = reverse("worklist:timeliness") + "?export=xlsx"
    # when every persona asks for the workbook
    responses = check_matrix(
        world,
        lambda client: client.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 200,
            "department_officer": 200,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
    # then the province's has both counties in Chinese, with the week's state and the rates
    rows = list(
        load_workbook(BytesIO(responses["province_officer"].content)).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "县（市、区）" and rows[0][-2:] == ("上报率（%）", "及时率（%）")
    assert [r[0] for r in rows[1:]] == ["海城市", "大石桥市"]
    assert rows[1][7:] == ("按时", "待报", 7, 1, 1, 14.3, 14.3)
    assert rows[2][7:] == ("待报", "待报", 6, 0, 0, 0, 0)
    # and Haicheng's operator gets Haicheng's row only
    mine = load_workbook(BytesIO(responses["haicheng_operator"].content)).active
    assert [r[0] for r in mine.iter_rows(min_row=2, values_only=True)] == ["海城市"]
