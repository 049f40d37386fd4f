"""The countdown as the pages show it, at the limits' edges, with a frozen clock."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from oreledger.appeals import services
from oreledger.appeals.models import Appeal
from oreledger.appeals.queries import ledger_figures
from oreledger.appeals.tests.support import T0, answered, clock, raised
from oreledger.core.localtime import local_day

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _shown(world: Any, appeal: Appeal, stage: str, at: datetime.datetime) -> tuple[str, str]:
    """The stage's countdown on the appeal's page and in the list, read at `at`."""
    client = world.client("haicheng_operator")
    with clock(at):
        page = client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
        listed = client.get(reverse("appeals:appeal_list")).content.decode()
    cell = re.search(rf'data-testid="countdown-{stage}">([^<]*)<', page)
    assert cell is not None
    row = re.search(r">((?:剩余|已超期) [^<]*)<", listed)
    assert row is not None
    return cell.group(1), row.group(1)


def test_due_today_shows_the_hours_left(world: Any) -> None:
    # given an appeal raised at T0: routing is due 24 hours later
    appeal = raised(world)
    # when the office looks 21 hours later
    # then the page and the list say three hours are left
    assert _shown(world, appeal, "route", T0 + 21 * HOUR) == ("剩余 3 小时", "剩余 3 小时")


def test_due_exactly_now_is_not_late_yet(world: Any) -> None:
    appeal = raised(world)
    assert _shown(world, appeal, "route", T0 + DAY) == ("剩余 0 分钟", "剩余 0 分钟")


def test_an_hour_past_the_limit_is_shown_overdue(world: Any) -> None:
    appeal = raised(world)
    assert _shown(world, appeal, "route", T0 + DAY + HOUR) == ("已超期 1 小时", "已超期 1 小时")


def test_reclassified_as_complex_the_countdown_runs_thirty_days_from_the_answer(
    world: Any,
) -> None:
    # given an ordinary appeal answered at T0 (its solution due at T0 + 7 days)
    appeal = answered(world)
    assert _shown(world, appeal, "solve", T0 + 8 * DAY)[0] == "已超期 1 天 0 小时"
    # when the department asks an hour later and the office approves
    with clock(T0 + HOUR):
        services.request_reclassification(
            actor=world.user("department_officer"), appeal=appeal, reason="需要跨部门协调用地。"
        )
        services.decide_reclassification(
            actor=world.user("haicheng_operator"), appeal=appeal, approve=True
        )
    # then on day 8 the solution has 22 days left: 30 from the answer, not from the approval
    assert _shown(world, appeal, "solve", T0 + 8 * DAY) == (
        "剩余 22 天 0 小时",
        "剩余 22 天 0 小时",
    )
    # and it is late one hour after day 30
    assert _shown(world, appeal, "solve", T0 + 30 * DAY + HOUR)[0] == "已超期 1 小时"


def test_a_period_ending_today_counts_as_of_now_not_as_of_midnight(world: Any) -> None:
    # given an appeal whose routing is due at 14:00 today (raised yesterday at 14:00)
    raised(world, T0 - 20 * HOUR)
    today = local_day(T0)
    # when the ledger for the month to today is read at 10:00
    with clock(T0):
        [county] = ledger_figures(since=today.replace(day=1), until=today)
        page = world.client("haicheng_operator").get(reverse("appeals:ledger_county"))
    # then the appeal is open and not (yet) overdue, on the page as in the figures
    assert (county.name, county.open, county.overdue) == ("海城市", 1, 0)
    [shown] = page.context["figures"]
    assert (shown.open, shown.overdue) == (1, 0)
    # and once its limit has passed, the same period counts it overdue
    with clock(T0 + 5 * HOUR):
        [county] = ledger_figures(since=today.replace(day=1), until=today)
    assert county.overdue == 1
