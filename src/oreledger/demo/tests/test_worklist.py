"""The demo's joint action: nine groups with tasks in every state, weeks confirmed or not."""

from __future__ import annotations

import datetime

import pytest

from oreledger.assessment.models import Scheme
from oreledger.assessment.queries import Period, ranking
from oreledger.demo.worklist import create_demo_worklist
from oreledger.worklist.choices import Timeliness
from oreledger.worklist.models import Task
from oreledger.worklist.queries import recent_weeks, reporting_timeliness, statuses, with_progress

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)


def test_the_demo_joint_action_is_part_way_through(world):
    # given the test province (Haicheng has an enterprise, Dashiqiao none)
    # when the demo's joint action is created
    counts = create_demo_worklist(seed=2026, today=TODAY)
    # then nine groups have one Haicheng task each and twelve weeks are mostly confirmed
    assert counts["groups"] == 9 and counts["tasks"] == 9
    found = set(statuses(with_progress(Task.objects.all()), TODAY).values())
    assert len(found) >= 3
    table = reporting_timeliness(world.province, recent_weeks(13, TODAY)[:12], today=TODAY)
    cells = {c.status for row in table.rows for c in row.cells if row.region == world.haicheng}
    assert Timeliness.ON_TIME in cells and table.reported == counts["confirmations"]
    scheme = Scheme.objects.get(code="magnesite-quarterly")
    (haicheng, *_rest) = [
        s
        for s in ranking(scheme, Period.containing("quarter", TODAY), today=TODAY)
        if s.region == world.haicheng
    ]
    assert haicheng.total > 0
    # and a task of a unit with a demo officer names that officer as the responsible person
    persons = {
        t.responsible_department.pk: t.responsible_person
        for t in Task.objects.select_related("responsible_person")
    }
    officer = world.user("department_officer")
    assert persons[officer.department_id] == officer
    # and running it again adds nothing
    assert create_demo_worklist(seed=2026, today=TODAY)["groups"] == 0
