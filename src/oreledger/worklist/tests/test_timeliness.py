"""Weekly data confirmation in DHIS2's terms: reported, on time, late, missing, pending."""

from __future__ import annotations

import datetime

import pytest

from oreledger.core.localtime import local_midnight
from oreledger.trade.models import Notification
from oreledger.worklist import services
from oreledger.worklist.choices import Timeliness
from oreledger.worklist.errors import WorklistError
from oreledger.worklist.queries import reporting_timeliness, task_progress_by_group
from oreledger.worklist.tests.support import DAY, MONDAY, task

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _confirm(world, who, county, week, day, hour=10):
    return services.confirm_week(
        actor=world.user(who),
        region=county,
        week=week,
        comment="本周数据已核对",
        at=local_midnight(day) + hour * HOUR,
    )


def test_rates_count_a_late_week_as_reported_but_not_on_time(world):
    # given three weeks; grace 2 days: week 1's deadline is Tuesday 23:59 of the next week
    weeks = [MONDAY, MONDAY + 7 * DAY, MONDAY + 14 * DAY]
    # Haicheng: week 1 on the last grace day, week 2 a day late, week 3 missing
    _confirm(world, "haicheng_operator", world.haicheng, weeks[0], weeks[0] + 8 * DAY, hour=23)
    _confirm(world, "haicheng_operator", world.haicheng, weeks[1], weeks[1] + 9 * DAY)
    # Dashiqiao: week 1 on Sunday, week 3 not yet due on the day read
    _confirm(world, "dashiqiao_operator", world.dashiqiao, weeks[0], weeks[0] + 6 * DAY)
    today = weeks[2] + 8 * DAY
    # when the province reads the table on week 3's last grace day
    table = reporting_timeliness(world.province, weeks, today=today)
    # then each county's cells and rates follow the definitions
    haicheng, dashiqiao = table.rows
    assert [c.status for c in haicheng.cells] == [
        Timeliness.ON_TIME,
        Timeliness.LATE,
        Timeliness.PENDING,
    ]
    assert [c.status for c in dashiqiao.cells] == [
        Timeliness.ON_TIME,
        Timeliness.MISSING,
        Timeliness.PENDING,
    ]
    assert (haicheng.expected, haicheng.reported, haicheng.on_time) == (2, 2, 1)
    assert (haicheng.reporting_rate, haicheng.on_time_rate) == (1.0, 0.5)
    assert (dashiqiao.reporting_rate, dashiqiao.on_time_rate) == (0.5, 0.5)
    assert (table.expected, table.reported, table.on_time) == (4, 3, 2)
    assert (table.reporting_rate, table.on_time_rate) == (0.75, 0.5)
    # and a day later week 3 is missing for both
    later = reporting_timeliness(world.province, weeks, today=today + DAY)
    assert (later.expected, later.reported, later.on_time) == (6, 3, 2)


def test_the_grace_days_set_by_the_province_move_the_deadline(world):
    # given a confirmation on the Wednesday after the week
    _confirm(world, "haicheng_operator", world.haicheng, MONDAY, MONDAY + 9 * DAY)
    # when the province allows 3 days of grace instead of 2
    before = reporting_timeliness(world.haicheng, [MONDAY], today=MONDAY + 30 * DAY)
    services.set_grace_days(actor=world.user("province_officer"), grace_days=3)
    after = reporting_timeliness(world.haicheng, [MONDAY], today=MONDAY + 30 * DAY)
    # then it turns from late to on time
    assert before.rows[0].cells[0].status == Timeliness.LATE
    assert after.rows[0].cells[0].status == Timeliness.ON_TIME


def test_only_the_county_operator_confirms_the_county_once(world):
    # given a confirmation by Haicheng's operator
    first = _confirm(world, "haicheng_operator", world.haicheng, MONDAY, MONDAY + 6 * DAY)
    # when Dashiqiao's operator tries Haicheng, and Haicheng confirms again
    with pytest.raises(WorklistError) as refused:
        _confirm(world, "dashiqiao_operator", world.haicheng, MONDAY, MONDAY + 7 * DAY)
    again = _confirm(world, "haicheng_operator", world.haicheng, MONDAY, MONDAY + 8 * DAY)
    # then the other county is refused and the first confirmation stands
    assert refused.value.code == "not_allowed"
    assert again.pk == first.pk and again.confirmed_at == first.confirmed_at


def test_progress_by_group_counts_statuses_milestones_and_reports(world):
    # given two tasks of one group: one with a milestone met this week, one overdue
    first = task(world, milestones=[("完成摸底", MONDAY + 9 * DAY)])
    task(world, "T-002", due=MONDAY + 3 * DAY, in_group=first.group)
    services.complete_milestone(
        actor=world.user("department_officer"),
        milestone=first.milestones.get(),
        on=MONDAY + 8 * DAY,
    )
    services.report_progress(
        actor=world.user("department_officer"),
        task=first,
        week=MONDAY + 7 * DAY,
        text="摸底完成",
        percent=40,
        on=MONDAY + 10 * DAY,
    )
    # when the briefing reads the second week
    (progress,) = task_progress_by_group(world.province, MONDAY + 7 * DAY, today=MONDAY + 30 * DAY)
    # then one task is on track, one overdue; one milestone due and met; one report at 40 %
    assert progress.counts == {"on_track": 1, "at_risk": 0, "overdue": 1, "done": 0}
    assert (progress.milestones_due, progress.milestones_met, progress.reports) == (1, 1, 1)
    assert progress.mean_percent == 40.0
    assert [(t.number, s) for t, s in progress.flagged] == [("T-002", "overdue")]


def test_owner_and_office_are_told_once_per_change_of_state(world):
    # given a task that turned overdue
    t = task(world, due=MONDAY + 3 * DAY)
    # when the job runs twice
    first = services.notify_task_statuses(today=MONDAY + 4 * DAY)
    second = services.notify_task_statuses(today=MONDAY + 5 * DAY)
    # then the responsible person and Haicheng's operator got one notice each
    assert (first, second) == (2, 0)
    told = Notification.objects.filter(kind="task_overdue")
    assert sorted(n.recipient_user.username for n in told) == [
        "department_officer",
        "haicheng_operator",
    ]
    assert told.first().text == f"Task T-001 关停整合小散矿山 is overdue (was due {t.due})."
