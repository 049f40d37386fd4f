"""The worklist's and the assessment's sections equal those apps' own queries for the week.

A task due in the week, Haicheng's confirmation of that week (Dashiqiao's missing) and a
quarterly scheme: the briefing's tasks, timeliness and ranking figures are the worklist's
`task_progress_by_group` and `reporting_timeliness` and the assessment's `ranking`, and they
are written in the PDF's tables.
"""

from __future__ import annotations

import datetime

import pytest

from oreledger.accounts.tests.factories import UserFactory
from oreledger.appeals.tests.support import clock
from oreledger.assessment import services as assessment
from oreledger.assessment.queries import Period, ranking
from oreledger.assessment.tests.test_scores import INDICATORS
from oreledger.briefings.pdf import briefing_pdf
from oreledger.briefings.queries import document
from oreledger.briefings.sections import Week
from oreledger.briefings.services import build_figures, system_reader
from oreledger.core.localtime import local_midnight
from oreledger.dashboards.scope import Scope
from oreledger.worklist import services as worklist
from oreledger.worklist.queries import reporting_timeliness, task_progress_by_group
from oreledger.worklist.tests.support import MONDAY, task
from testkit.pdf import text

pytestmark = pytest.mark.django_db

SUNDAY = MONDAY + datetime.timedelta(days=6)
LATER = local_midnight(datetime.date(2026, 3, 20)) + datetime.timedelta(hours=10)


@pytest.fixture
def week_records(world):
    task(world, due=SUNDAY - datetime.timedelta(days=1))  # due in the week, not done
    worklist.confirm_week(
        actor=world.user("haicheng_operator"), region=world.haicheng, week=MONDAY,
        comment="本周数据已核对", at=local_midnight(MONDAY) + datetime.timedelta(days=2),
    )  # fmt: skip
    return assessment.create_scheme(
        actor=world.user("province_officer"), code="magnesite-2026", name="菱镁联合行动季度考核",
        period="quarter", indicators=INDICATORS,
    )  # fmt: skip


def test_tasks_timeliness_and_ranking_equal_their_apps_queries(world, week_records) -> None:
    # given the province's briefing of the week, read later
    with clock(LATER):
        week = Week.parse("2026-W10")
        figures = build_figures(Scope(system_reader(), world.province, None), week)
        progress = task_progress_by_group(world.province, MONDAY, today=SUNDAY)
        table = reporting_timeliness(world.province, [MONDAY])
        ranked = ranking(week_records, Period.containing("quarter", SUNDAY), world.province,
                         today=SUNDAY)  # fmt: skip
    sections = figures["sections"]
    # then the working group's counts are the worklist's
    (group,) = sections["tasks"]["groups"]
    assert (group["name"], group["total"], group["overdue"]) == (
        progress[0].group.name, progress[0].total, progress[0].counts["overdue"])  # fmt: skip
    assert group["overdue"] == 1
    assert [f["number"] for f in sections["tasks"]["flagged"]] == ["T-001"]
    # and Haicheng confirmed on time, Dashiqiao is missing: 1 of 2 reported
    states = {r["code"]: r["state"] for r in sections["timeliness"]["rows"]}
    assert states == {"210381": "on_time", "210882": "missing"}
    assert sections["timeliness"]["total"]["reporting_pct"] == 100 * table.reporting_rate == 50.0
    # and the ranking is the assessment's, best first
    assert [(r["code"], r["rank"], r["total"]) for r in sections["ranking"]["rows"]] == [
        (s.region.code, s.rank, str(s.total)) for s in ranked
    ]
    # and the PDF writes them in its tables
    body = text(briefing_pdf(document(figures)))
    for phrase in ("矿山整合专班", "T-001", "菱镁联合行动季度考核", "50.0"):
        assert phrase in body


def test_only_the_province_office_reads_the_ranking_of_every_county(world, week_records) -> None:
    # given a leader of the province, who reads the province's briefing
    leader = UserFactory(role="leader", region=world.province)
    # when the office and the leader read the week
    with clock(LATER):
        week = Week.parse("2026-W10")
        office = build_figures(Scope(world.user("province_officer"), world.province, None), week)
        read = build_figures(Scope(leader, world.province, None), week)
    # then only the office sees the counties ranked
    assert sorted(r["code"] for r in office["sections"]["ranking"]["rows"]) == ["210381", "210882"]
    assert read["sections"]["ranking"] == {
        "title": "县区考核排名",
        "shown": False,
        "rows": [],
    }
