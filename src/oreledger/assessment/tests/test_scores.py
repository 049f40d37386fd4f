"""County scores recomputed by hand from the records, indicator by indicator, and the ranking."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from oreledger.alerts import services as alerts
from oreledger.alerts.engine import raise_alert
from oreledger.alerts.models import Alert
from oreledger.appeals.tests.support import clock, routed
from oreledger.assessment import services
from oreledger.assessment.queries import Period, county_score, ranking
from oreledger.core.localtime import local_midnight
from oreledger.worklist import services as worklist
from oreledger.worklist.tests.support import task

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
Q1 = Period.parse("quarter", "2026-Q1")
TODAY = datetime.date(2026, 4, 10)
NOW = local_midnight(TODAY) + 10 * HOUR
INDICATORS = [
    ("funding", D(10), "proportional", D(1)),
    ("staffing", D(10), "proportional", D(1)),
    ("tasks_on_time", D(20), "proportional", D(1)),
    ("reporting_rate", D(15), "proportional", D(1)),
    ("on_time_rate", D(15), "threshold", D("0.9")),
    ("alerts_in_time", D(10), "proportional", D(1)),
    ("orders_on_time", D(10), "proportional", D(1)),
    ("appeals_in_time", D(10), "proportional", D(1)),
]


def _scheme(world):
    return services.create_scheme(
        actor=world.user("province_officer"),
        code="magnesite-2026",
        name="菱镁联合行动季度考核",
        period="quarter",
        indicators=INDICATORS,
    )


def _haicheng_records(world):
    province, operator = world.user("province_officer"), world.user("haicheng_operator")
    # funding 80 of 100 approved; staffing 10 of 10 submitted but not approved
    funding = services.submit_evidence(
        actor=operator,
        region=world.haicheng,
        kind="funding",
        period=Q1,
        planned=D(100),
        actual=D(80),
        evidence="财政拨款文件 海财〔2026〕12号",
    )
    services.decide_evidence(actor=province, entry=funding, approve=True)
    services.submit_evidence(
        actor=operator,
        region=world.haicheng,
        kind="staffing",
        period=Q1,
        planned=D(10),
        actual=D(10),
        evidence="编办批复",
    )
    # tasks: T-001 done two days early but its milestone met three days late; T-002 never done
    first = task(
        world,
        "T-001",
        start=datetime.date(2026, 3, 2),
        due=datetime.date(2026, 3, 29),
        milestones=[("完成摸底", datetime.date(2026, 3, 9))],
    )
    worklist.complete_milestone(
        actor=province, milestone=first.milestones.get(), on=datetime.date(2026, 3, 12)
    )
    worklist.complete_task(actor=province, task=first, on=datetime.date(2026, 3, 27))
    task(
        world,
        "T-002",
        start=datetime.date(2026, 3, 2),
        due=datetime.date(2026, 3, 20),
        in_group=first.group,
    )
    # 13 weeks start in Q1: the first confirmed a day after its grace, 2 Feb missing
    monday = datetime.date(2026, 1, 5)
    for n in range(13):
        week = monday + 7 * n * DAY
        if week == datetime.date(2026, 2, 2):
            continue
        day = week + (9 if n == 0 else 7) * DAY
        worklist.confirm_week(
            actor=operator, region=world.haicheng, week=week, at=local_midnight(day) + 9 * HOUR
        )
    # alerts: two due in March, one resolved in time, one a day after its deadline
    for ref, resolved in (("A-1", datetime.date(2026, 3, 10)), ("A-2", datetime.date(2026, 3, 17))):
        alert = raise_alert(
            rule="appeal_overdue",
            region=world.haicheng,
            subject_type="appeal",
            subject_ref=ref,
            at=local_midnight(datetime.date(2026, 3, 9)),
            refs={},
            evidence={},
        )
        Alert.objects.filter(pk=alert.pk).update(
            deadline=local_midnight(datetime.date(2026, 3, 16)) + 12 * HOUR
        )
        with clock(local_midnight(resolved) + 9 * HOUR):
            alerts.resolve_alert(
                actor=province,
                alert=Alert.objects.get(pk=alert.pk),
                resolution="handled",
                note="已处置",
            )
    # an appeal routed on 2 March: routing in time, the answer (due 5 March) never given
    routed(world, at=local_midnight(datetime.date(2026, 3, 2)) + 10 * HOUR)


def test_haicheng_scored_indicator_by_indicator_as_recomputed_by_hand(world):
    # given the scheme and Haicheng's records of the first quarter
    scheme = _scheme(world)
    with clock(NOW):
        _haicheng_records(world)
        # when the score is read on 10 April
        score = county_score(scheme, world.haicheng, Q1, today=TODAY)
    lines = {line.indicator.kind: line for line in score.lines}
    figures = {
        k: (line.measure.numerator, line.measure.denominator, line.rate, line.points)
        for k, line in lines.items()
    }
    # then each line is what the records give by hand
    assert figures == {
        "funding": (D(80), D(100), D("0.8000"), D("8.00")),  # approved 80 of 100
        "staffing": (D(0), D(1), D("0.0000"), D("0.00")),  # not approved: none
        "tasks_on_time": (D(1), D(3), D("0.3333"), D("6.67")),  # T-001 only
        "reporting_rate": (D(12), D(13), D("0.9231"), D("13.85")),  # late week counts
        "on_time_rate": (D(11), D(13), D("0.8462"), D("0.00")),  # below 0.9: nothing
        "alerts_in_time": (D(1), D(2), D("0.5000"), D("5.00")),
        "orders_on_time": (D(0), D(0), D(1), D("10.00")),  # nothing due
        "appeals_in_time": (D(1), D(2), D("0.5000"), D("5.00")),
    }
    assert score.total == D("48.52")
    # and the late week is in the records as reported, not on time
    reporting = {r.label: r.counted for r in lines["reporting_rate"].measure.records}
    on_time = {r.label: r.counted for r in lines["on_time_rate"].measure.records}
    assert (reporting["2026-01-05"], on_time["2026-01-05"]) == (True, False)
    assert (reporting["2026-02-02"], on_time["2026-02-02"]) == (False, False)
    assert lines["tasks_on_time"].formula == "1 ÷ 3 = 0.3333; 20.00 × 0.3333 = 6.67"


def test_ranking_puts_the_better_county_first(world):
    # given Haicheng's records; Dashiqiao has none (nothing due, nothing entered or confirmed)
    scheme = _scheme(world)
    with clock(NOW):
        _haicheng_records(world)
        # when the province ranks the quarter
        ranked = ranking(scheme, Q1, today=TODAY)
    # then Dashiqiao's 50 (tasks, alerts, orders, appeals at full marks) beats Haicheng's 48.52
    assert [(s.region.name_en, s.total, s.rank) for s in ranked] == [
        ("Dashiqiao", D("50.00"), 1),
        ("Haicheng", D("48.52"), 2),
    ]
