"""A task's status at the rule's edges: due today, missed milestone, done after due."""

from __future__ import annotations

import pytest
from django.utils import translation

from oreledger.worklist import services
from oreledger.worklist.choices import TaskStatus
from oreledger.worklist.queries import Standing, task_standing, task_status
from oreledger.worklist.tests.support import DAY, MONDAY, task

pytestmark = pytest.mark.django_db

DUE = MONDAY + 27 * DAY


def _report(world, t, week, percent, on):
    return services.report_progress(
        actor=world.user("department_officer"),
        task=t,
        week=week,
        text="推进中",
        percent=percent,
        on=on,
    )


def test_a_task_due_today_is_not_overdue_until_tomorrow(world):
    # given a task without milestones and a report in step with the time
    t = task(world)
    _report(world, t, DUE - 6 * DAY, 90, DUE - 1 * DAY)
    # when its status is read on the due day and the day after
    # then it is on track on the day and overdue after it
    assert task_status(t, DUE) == TaskStatus.ON_TRACK
    assert task_status(t, DUE + DAY) == TaskStatus.OVERDUE


def test_a_missed_milestone_puts_the_task_at_risk_until_a_later_report(world):
    # given a milestone on day 7 not reached
    t = task(world, milestones=[("完成摸底", MONDAY + 6 * DAY)])
    # when read the day after the milestone
    # then the task is at risk
    assert task_status(t, MONDAY + 7 * DAY) == TaskStatus.AT_RISK
    # when the unit reports on day 9 with progress in step with the time
    _report(world, t, MONDAY + 7 * DAY, 40, MONDAY + 8 * DAY)
    # then the task is on track again from that day, but was at risk the day before
    assert task_status(t, MONDAY + 8 * DAY) == TaskStatus.ON_TRACK
    assert task_status(t, MONDAY + 7 * DAY) == TaskStatus.AT_RISK


def test_a_report_far_behind_the_time_elapsed_is_at_risk(world):
    # given a report of 20 % at day 14 of 27 (52 % of the time: 32 points behind)
    t = task(world)
    _report(world, t, MONDAY + 14 * DAY, 20, MONDAY + 14 * DAY)
    # then the task is at risk; at 30 % (22 points behind) it is on track
    assert task_status(t, MONDAY + 14 * DAY) == TaskStatus.AT_RISK
    _report(world, t, MONDAY + 14 * DAY, 30, MONDAY + 14 * DAY)
    assert task_status(t, MONDAY + 14 * DAY) == TaskStatus.ON_TRACK


def test_a_task_done_after_its_due_date_is_done_but_was_overdue(world):
    # given a task completed three days after its due date
    t = task(world)
    services.complete_task(actor=world.user("province_officer"), task=t, on=DUE + 3 * DAY)
    t.refresh_from_db()
    # then it was overdue in between and is done from the completion day
    assert task_status(t, DUE + 2 * DAY) == TaskStatus.OVERDUE
    assert task_status(t, DUE + 3 * DAY) == TaskStatus.DONE
    assert task_status(t, DUE + 30 * DAY) == TaskStatus.DONE


def test_each_status_names_the_clause_of_the_rule_that_applies(world):
    # given a task of 27 days with a milestone on day 7, read in English
    t = task(world, milestones=[("完成摸底", MONDAY + 6 * DAY)])
    with translation.override("en"):
        # when nothing is due yet
        # then it is on track with nothing behind
        assert task_standing(t, MONDAY + 3 * DAY) == Standing(
            TaskStatus.ON_TRACK,
            "On track: not yet due, no milestone missed, no report behind time.",
        )
        # when the milestone passed without a report since
        assert task_standing(t, MONDAY + 7 * DAY).reason == (
            "At risk: the milestone “完成摸底” was due on 2026-03-08 and no progress report "
            "has come since."
        )
        # when the unit reports 10 % on day 14 of 27 (52 % of the time)
        _report(world, t, MONDAY + 14 * DAY, 10, MONDAY + 14 * DAY)
        assert task_standing(t, MONDAY + 14 * DAY).reason == (
            "At risk: the latest report says 10% done while 52% of the time has passed "
            "(more than 25 points behind)."
        )
        # when it reports 40 % the same week
        _report(world, t, MONDAY + 14 * DAY, 40, MONDAY + 14 * DAY)
        assert task_standing(t, MONDAY + 14 * DAY).reason == (
            "On track: the latest report says 40% done with 52% of the time passed, and no "
            "milestone is missed."
        )
        # when the due day has passed, and once the province records it done
        assert task_standing(t, DUE + DAY).reason == "Overdue: not done and due on 2026-03-29."
        t = services.complete_task(actor=world.user("province_officer"), task=t, on=DUE + 2 * DAY)
        assert task_standing(t, DUE + 2 * DAY) == Standing(
            TaskStatus.DONE, "Done: completed on 2026-03-31."
        )
