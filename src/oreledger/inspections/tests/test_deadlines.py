"""Deadlines drive alerts, reminders and the daily digest: at the edges of a whole day."""

from __future__ import annotations

import datetime

import pytest

from oreledger.alerts.models import Alert
from oreledger.alerts.services import change_rule
from oreledger.core.localtime import LOCAL
from oreledger.inspections import alert_rules
from oreledger.inspections.alert_rules import inspection_target_behind, rectification_overdue
from oreledger.inspections.services import add_target, form_group, issue_order
from oreledger.inspections.services.deadlines import remind_deadlines, send_daily_digests
from oreledger.inspections.tests.support import build_loop, inspect, today
from oreledger.registry.tests.factories import SiteFactory
from oreledger.trade.models import Notification

pytestmark = pytest.mark.django_db

DEADLINE_IN = 10


def at(day: datetime.date) -> datetime.datetime:
    """Noon of a local day."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LOCAL)


@pytest.fixture
def loop(world):
    return build_loop(world)


@pytest.fixture
def order(world, loop):
    site = SiteFactory(code="HC-M-101", enterprise=world.user("enterprise_user").enterprise)
    inspection = inspect(world, loop, site, {"料堆和运输车辆苫盖": "料堆裸露"})
    return issue_order(
        actor=world.user("haicheng_operator"),
        findings=list(inspection.findings.all()),
        target="全部料堆苫盖",
        measures="购置苫盖网",
        deadline=today() + datetime.timedelta(days=DEADLINE_IN),
        responsible_person="周工",
    )


def _kinds(user=None, enterprise=None):
    rows = Notification.objects.filter(recipient_user=user, recipient_enterprise=enterprise)
    return sorted(rows.values_list("kind", flat=True))


def test_due_today_is_not_overdue_and_one_day_after_is(order) -> None:
    # given an order due in ten days: on its deadline day nothing is raised
    assert rectification_overdue(now=at(order.deadline)) == 0
    assert not Alert.objects.exists()
    # when the next day's run comes
    assert rectification_overdue(now=at(order.deadline + datetime.timedelta(days=1))) == 1
    # then one alert on the order, with the deadline and a day over in its evidence
    [alert] = Alert.objects.all()
    assert (alert.rule, alert.subject_type, alert.subject_ref) == (
        "rectification_overdue",
        "order",
        order.number,
    )
    assert alert.evidence["deadline"] == order.deadline.isoformat()
    assert (alert.evidence["over_days"], alert.evidence["signoffs_missing"]) == (1, 1)
    assert alert.enterprise_id == order.enterprise_id
    # and a re-run the day after counts nothing twice
    rectification_overdue(now=at(order.deadline + datetime.timedelta(days=2)))
    assert Alert.objects.get().count == 1


def test_the_grace_days_are_a_threshold_a_county_sets(world, order) -> None:
    change_rule(
        actor=world.user("haicheng_operator"),
        rule="rectification_overdue",
        region=world.haicheng,
        params={"remind_days": 5},
        note="海城提前五天提醒",
    )
    # a county may only tighten: the reminder comes five days ahead instead of three
    remind_deadlines(now=at(order.deadline - datetime.timedelta(days=5)))
    assert _kinds(enterprise=order.enterprise) == ["order_due_soon"]


def test_reminders_before_and_after_the_deadline_go_once_to_enterprise_and_issuer(
    world, order
) -> None:
    issuer = world.user("haicheng_operator")
    # four days ahead (default three) nothing; three days ahead the reminder
    assert remind_deadlines(now=at(order.deadline - datetime.timedelta(days=4))) == 0
    assert remind_deadlines(now=at(order.deadline - datetime.timedelta(days=3))) == 2
    assert remind_deadlines(now=at(order.deadline - datetime.timedelta(days=2))) == 0
    # on the deadline day no overdue notice; the day after, once
    remind_deadlines(now=at(order.deadline))
    assert remind_deadlines(now=at(order.deadline + datetime.timedelta(days=1))) == 2
    assert remind_deadlines(now=at(order.deadline + datetime.timedelta(days=2))) == 0
    assert _kinds(enterprise=order.enterprise) == ["order_due_soon", "order_overdue"]
    assert _kinds(user=issuer) == ["order_due_soon", "order_overdue"]
    notice = Notification.objects.get(recipient_user=issuer, kind="order_overdue")
    assert notice.link == order.get_absolute_url()
    assert notice.params["order"] == order.number


def test_a_target_at_79_percent_of_80_is_behind_after_its_due_date(
    world, loop, monkeypatch
) -> None:
    # given a target of 80 % findings closed, due in five days, and 79 of 100 closed
    due = today() + datetime.timedelta(days=5)
    officer = world.user("haicheng_operator")
    add_target(
        actor=officer, campaign=loop.campaign, kind="findings_closed", goal_pct=80, due_on=due
    )
    counts = {"findings": 100, "findings_closed": 79, "in_scope": 10, "inspected": 10}
    monkeypatch.setattr(alert_rules, "campaign_counts", lambda campaign: counts)
    # on the due date it is not yet behind; the day after it is
    assert inspection_target_behind(now=at(due)) == 0
    assert inspection_target_behind(now=at(due + datetime.timedelta(days=1))) == 1
    [alert] = Alert.objects.all()
    assert (alert.rule, alert.subject_type, alert.subject_ref) == (
        "inspection_target_behind",
        "campaign",
        str(loop.campaign.pk),
    )
    assert (alert.evidence["goal_pct"], alert.evidence["done_pct"]) == (80, 79.0)
    # and with 80 of 100 closed it is reached: nothing more is raised
    counts["findings_closed"] = 80
    Alert.objects.all().delete()
    assert inspection_target_behind(now=at(due + datetime.timedelta(days=2))) == 0


def test_a_target_behind_tells_the_group_leaders_once(world, loop) -> None:
    due = today() + datetime.timedelta(days=1)
    officer = world.user("haicheng_operator")
    leader = world.user("department_officer")
    form_group(actor=officer, campaign=loop.campaign, name="第一检查组", leader=leader)
    add_target(actor=officer, campaign=loop.campaign, kind="inspected", goal_pct=100, due_on=due)
    assert remind_deadlines(now=at(due)) == 0
    assert remind_deadlines(now=at(due + datetime.timedelta(days=1))) == 1
    assert remind_deadlines(now=at(due + datetime.timedelta(days=2))) == 0
    notice = Notification.objects.get(recipient_user=leader)
    assert (notice.kind, notice.params["goal"], notice.params["done"]) == (
        "target_behind",
        100,
        0.0,
    )


def test_the_daily_digest_is_one_per_person_per_day(world, order) -> None:
    issuer, staff = world.user("haicheng_operator"), world.user("enterprise_user")
    day = order.deadline + datetime.timedelta(days=1)
    # when the digest runs twice the day after the deadline, and again the next day
    first = send_daily_digests(now=at(day))
    again = send_daily_digests(now=at(day).replace(hour=18))
    send_daily_digests(now=at(day + datetime.timedelta(days=1)))
    # then each person with open items got one digest a day, counting the overdue order
    assert (first, again) == (2, 0)
    digests = Notification.objects.filter(kind="daily_digest", recipient_user=issuer)
    assert sorted(d.params["day"] for d in digests) == [
        day.isoformat(),
        (day + datetime.timedelta(days=1)).isoformat(),
    ]
    mine = Notification.objects.get(recipient_user=staff, params__day=day.isoformat())
    assert {k: mine.params[k] for k in ("open", "overdue", "due_soon", "behind")} == {
        "open": 1,
        "overdue": 1,
        "due_soon": 0,
        "behind": 0,
    }


def test_the_notifications_page_shows_the_digest_and_the_reminder_in_chinese(world, order) -> None:
    # given the day after the deadline's run and digest
    day = order.deadline + datetime.timedelta(days=1)
    remind_deadlines(now=at(day))
    send_daily_digests(now=at(day))
    # when the enterprise's user opens their notifications
    page = world.client("enterprise_user").get("/trade/notifications/")
    # then the digest and the overdue notice read in Chinese, with the order's link
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        f"{day.isoformat()} 待办：未销号整改通知书 1 份，其中逾期 1 份、即将到期 0 份；"
        "滞后的行动目标 0 项。"
    ) in text
    assert f"整改通知书 {order.number}（{order.enterprise.name}）已过整改期限" in text
    assert order.get_absolute_url() in text
