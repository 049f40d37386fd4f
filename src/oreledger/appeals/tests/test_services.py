"""The appeals use cases: the journey, every refusal's code, the time limits at their edges."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from oreledger.accounts.tests.factories import UserFactory, department
from oreledger.alerts.models import Alert
from oreledger.appeals import services
from oreledger.appeals.choices import AppealClass, AppealStatus, Closure, EntryKind, Stage
from oreledger.appeals.errors import AppealError
from oreledger.appeals.models import Appeal, Entry, Notice, StageRecord, TimeLimits
from oreledger.appeals.queries import countdown
from oreledger.appeals.tests.support import T0, answered, clock, power_supply, raised, routed
from oreledger.core.models import ObjectChange
from testkit.matrix import fingerprint

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
WATCH = [Appeal, StageRecord, Entry, Notice, TimeLimits, Alert]


def _stage(appeal: Appeal, stage: str) -> StageRecord:
    return StageRecord.objects.get(appeal=appeal, stage=stage)


def _refused(code: str, call: Any) -> AppealError:
    before = fingerprint(WATCH)
    with pytest.raises(AppealError) as info:
        call()
    assert info.value.code == code
    assert fingerprint(WATCH) == before
    return info.value


def test_the_journey_from_raise_to_confirmation_keeps_each_stage_and_its_limit(world: Any) -> None:
    # given an appeal raised at T0 and routed two hours later
    appeal = raised(world)
    assert appeal.number == "SQ-2026-0001" and appeal.status == AppealStatus.SUBMITTED
    assert _stage(appeal, Stage.ROUTE).due_at == T0 + DAY
    with clock(T0 + 2 * HOUR):
        services.route_appeal(
            actor=world.user("haicheng_operator"),
            appeal=appeal,
            departments=[world.user("department_officer").department, power_supply(world)],
        )
    # then routing is done and the first answer is due three days after routing
    assert _stage(appeal, Stage.ROUTE).done_at == T0 + 2 * HOUR
    assert _stage(appeal, Stage.ANSWER).due_at == T0 + 2 * HOUR + 3 * DAY
    # when the department answers a day later, then reports it solved
    with clock(T0 + DAY):
        services.answer_appeal(
            actor=world.user("department_officer"), appeal=appeal, text="已安排现场勘察。"
        )
    assert _stage(appeal, Stage.SOLVE).due_at == T0 + DAY + 7 * DAY
    with clock(T0 + 3 * DAY):
        services.answer_appeal(
            actor=world.user("department_officer"), appeal=appeal, text="变压器已到货。"
        )
        services.solve_appeal(
            actor=world.user("department_officer"), appeal=appeal, text="新变压器已投运。"
        )
    # and the enterprise confirms with a rating of 5
    with clock(T0 + 4 * DAY):
        services.confirm_closure(
            actor=world.user("enterprise_user"), appeal=appeal, satisfaction=5, comment="满意"
        )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closure, appeal.satisfaction) == (
        AppealStatus.CLOSED,
        Closure.CONFIRMED,
        5,
    )
    assert appeal.closed_at == T0 + 4 * DAY and _stage(appeal, Stage.SOLVE).within_limit()
    assert list(appeal.entries.values_list("kind", flat=True)) == [
        EntryKind.RAISED,
        EntryKind.ROUTED,
        EntryKind.ANSWER,
        EntryKind.PROGRESS,
        EntryKind.SOLVED,
        EntryKind.CONFIRMED,
    ]
    # every change has its audit row
    assert ObjectChange.objects.filter(object_id=str(appeal.pk)).count() == 5
    # and the office records its return visit
    with clock(T0 + 10 * DAY):
        services.record_return_visit(
            actor=world.user("haicheng_operator"), appeal=appeal, note="回访：企业生产正常。"
        )
    appeal.refresh_from_db()
    assert appeal.return_visit_at == T0 + 10 * DAY


def test_a_stage_due_exactly_now_is_not_overdue_and_an_hour_later_it_is(world: Any) -> None:
    # given an appeal raised at T0 and never routed
    appeal = raised(world)
    due = T0 + DAY
    # when the job runs exactly at the limit
    assert services.flag_overdue_stages(now=due) == 0
    assert countdown(due, due) == "剩余 0 分钟"
    assert Notice.objects.count() == 0 and Alert.objects.count() == 0
    # when it runs an hour after the limit
    assert services.flag_overdue_stages(now=due + HOUR) == 1
    assert countdown(due, due + HOUR) == "已超期 1 小时"
    # then the office is told, the alert is raised once, and the stage is flagged
    [notice] = Notice.objects.all()
    assert (notice.office, notice.department, notice.stage) == (world.haicheng, None, Stage.ROUTE)
    [alert] = Alert.objects.all()
    assert (alert.rule, alert.subject_ref, alert.region) == (
        "appeal_overdue",
        appeal.number,
        world.haicheng,
    )
    assert alert.evidence["over_h"] == 1
    assert _stage(appeal, Stage.ROUTE).overdue_at == due + HOUR
    # and a second run tells nobody again
    assert services.flag_overdue_stages(now=due + 5 * HOUR) == 0
    assert Notice.objects.count() == 1 and Alert.objects.get().count == 1


def test_an_overdue_answer_tells_each_routed_department_and_the_office(world: Any) -> None:
    appeal = routed(world)
    assert services.flag_overdue_stages(now=T0 + 3 * DAY + HOUR) == 1
    assert set(Notice.objects.values_list("department", "office")) == {
        (world.user("department_officer").department_id, None),
        (None, world.haicheng.pk),
    }
    assert Alert.objects.get().subject_ref == appeal.number


def test_countdown_reads_days_and_hours_in_chinese(world: Any) -> None:
    with translation.override("zh-hans"):
        assert countdown(T0 + 2 * DAY + 3 * HOUR, T0) == "剩余 2 天 3 小时"
        assert countdown(T0, T0 + HOUR) == "已超期 1 小时"


def test_reclassified_as_complex_the_solution_may_take_thirty_days(world: Any) -> None:
    # given an answered ordinary appeal whose solution is due in 7 days
    appeal = answered(world)
    assert _stage(appeal, Stage.SOLVE).due_at == T0 + 7 * DAY
    # when the department asks and the office approves
    with clock(T0 + HOUR):
        services.request_reclassification(
            actor=world.user("department_officer"), appeal=appeal, reason="需要跨部门协调用地。"
        )
        services.decide_reclassification(
            actor=world.user("haicheng_operator"), appeal=appeal, approve=True
        )
    appeal.refresh_from_db()
    # then the solution stage keeps its start and runs 30 days
    assert appeal.appeal_class == AppealClass.COMPLEX
    assert _stage(appeal, Stage.SOLVE).due_at == T0 + 30 * DAY
    # and on day 8 nothing is overdue, on day 30 plus an hour it is
    assert services.flag_overdue_stages(now=T0 + 8 * DAY) == 0
    assert services.flag_overdue_stages(now=T0 + 30 * DAY) == 0
    assert services.flag_overdue_stages(now=T0 + 30 * DAY + HOUR) == 1


def test_an_ordinary_solution_is_overdue_after_seven_days(world: Any) -> None:
    answered(world)
    assert services.flag_overdue_stages(now=T0 + 7 * DAY) == 0
    assert services.flag_overdue_stages(now=T0 + 7 * DAY + HOUR) == 1


def test_the_province_s_limits_apply_to_stages_that_start_afterwards(world: Any) -> None:
    services.set_time_limits(
        actor=world.user("province_officer"),
        route_hours=8,
        answer_hours=48,
        solve_ordinary_days=5,
        solve_complex_days=20,
    )
    appeal = answered(world)
    assert _stage(appeal, Stage.ROUTE).due_at == T0 + 8 * HOUR
    assert _stage(appeal, Stage.ANSWER).due_at == T0 + 2 * DAY
    assert _stage(appeal, Stage.SOLVE).due_at == T0 + 5 * DAY


def test_refusals_say_why_and_change_nothing(world: Any) -> None:
    enterprise = world.user("enterprise_user")
    office = world.user("haicheng_operator")
    officer = world.user("department_officer")
    appeal = raised(world)
    _refused("description_required", lambda: services.raise_appeal(
        actor=enterprise, category="land", description="  "))  # fmt: skip
    _refused("not_allowed", lambda: services.raise_appeal(
        actor=office, category="land", description="x"))  # fmt: skip
    _refused("departments_required", lambda: services.route_appeal(
        actor=office, appeal=appeal, departments=[]))  # fmt: skip
    _refused("not_allowed", lambda: services.route_appeal(
        actor=world.user("dashiqiao_operator"), appeal=appeal,
        departments=[officer.department]))  # fmt: skip
    _refused("not_allowed", lambda: services.route_appeal(
        actor=enterprise, appeal=appeal, departments=[officer.department]))  # fmt: skip
    _refused("wrong_stage", lambda: services.confirm_closure(
        actor=enterprise, appeal=appeal, satisfaction=5))  # fmt: skip
    _refused("not_your_appeal", lambda: services.answer_appeal(
        actor=officer, appeal=appeal, text="x"))  # fmt: skip
    _refused("reason_required", lambda: services.override_closure(
        actor=office, appeal=appeal, reason=""))  # fmt: skip
    _refused("not_closed", lambda: services.record_return_visit(
        actor=office, appeal=appeal, note="回访"))  # fmt: skip
    _refused("limit_invalid", lambda: services.set_time_limits(
        actor=world.user("province_officer"), route_hours=0, answer_hours=1,
        solve_ordinary_days=1, solve_complex_days=1))  # fmt: skip
    _refused("not_allowed", lambda: services.set_time_limits(
        actor=office, route_hours=1, answer_hours=1,
        solve_ordinary_days=1, solve_complex_days=1))  # fmt: skip
    with clock(T0):
        services.route_appeal(actor=office, appeal=appeal, departments=[officer.department])
    _refused("wrong_stage", lambda: services.route_appeal(
        actor=office, appeal=appeal, departments=[officer.department]))  # fmt: skip
    _refused("wrong_stage", lambda: services.solve_appeal(
        actor=officer, appeal=appeal, text="已解决"))  # fmt: skip
    _refused("text_required", lambda: services.answer_appeal(
        actor=officer, appeal=appeal, text=""))  # fmt: skip
    _refused("no_reclass_pending", lambda: services.decide_reclassification(
        actor=office, appeal=appeal, approve=True))  # fmt: skip
    services.request_reclassification(actor=officer, appeal=appeal, reason="跨部门")
    _refused("reclass_pending", lambda: services.request_reclassification(
        actor=officer, appeal=appeal, reason="再次"))  # fmt: skip
    _refused("reason_required", lambda: services.decide_reclassification(
        actor=office, appeal=appeal, approve=False))  # fmt: skip
    services.decide_reclassification(actor=office, appeal=appeal, approve=True)
    _refused("already_complex", lambda: services.request_reclassification(
        actor=officer, appeal=appeal, reason="再次"))  # fmt: skip
    services.answer_appeal(actor=officer, appeal=appeal, text="已答复")
    services.solve_appeal(actor=officer, appeal=appeal, text="已解决")
    _refused("rating_invalid", lambda: services.confirm_closure(
        actor=enterprise, appeal=appeal, satisfaction=6))  # fmt: skip
    _refused("not_allowed", lambda: services.confirm_closure(
        actor=office, appeal=appeal, satisfaction=5))  # fmt: skip


def test_a_department_outside_the_county_cannot_take_the_appeal(world: Any) -> None:
    appeal = raised(world)
    _refused("department_outside", lambda: services.route_appeal(
        actor=world.user("province_officer"), appeal=appeal,
        departments=[department("transport", world.dashiqiao)]))  # fmt: skip


def test_the_office_closes_with_a_written_reason(world: Any) -> None:
    appeal = routed(world)
    with clock(T0 + DAY):
        services.override_closure(
            actor=world.user("haicheng_operator"), appeal=appeal, reason="企业已停产注销。"
        )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closure, appeal.closure_reason) == (
        AppealStatus.CLOSED,
        Closure.OVERRIDDEN,
        "企业已停产注销。",
    )
    # a closed appeal's running stage is no longer flagged
    assert services.flag_overdue_stages(now=T0 + 30 * DAY) == 0


def test_a_department_sees_only_appeals_routed_to_it(world: Any) -> None:
    mine = routed(world)
    raised(world)
    other = UserFactory(
        username="power_officer",
        role="department_officer",
        region=world.haicheng,
        department=power_supply(world),
    )
    assert list(Appeal.objects.for_user(world.user("department_officer"))) == [mine]
    assert list(Appeal.objects.for_user(other)) == []
    assert Appeal.objects.for_user(world.user("haicheng_operator")).count() == 2
    assert Appeal.objects.for_user(world.user("dashiqiao_operator")).count() == 0
    assert Appeal.objects.for_user(world.user("province_officer")).count() == 2
