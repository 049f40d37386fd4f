"""The demo's briefings: three past weeks issued by the province office, last week a draft."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from oreledger.briefings.choices import BriefingStatus
from oreledger.briefings.models import Briefing
from oreledger.core.localtime import LOCAL, local_midnight
from oreledger.core.models import ObjectChange
from oreledger.demo.briefings import NARRATIVES, create_demo_briefings
from oreledger.demo.worklist import create_demo_worklist

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)  # a Wednesday of 2026-W21
NOW = local_midnight(TODAY) + datetime.timedelta(hours=10)


def test_the_past_weeks_are_issued_and_last_week_is_a_draft(world):
    # given the demo's joint action in the test province
    create_demo_worklist(seed=2026, today=TODAY)
    # when the demo's briefings are made
    counts = create_demo_briefings(now=NOW)
    # then weeks 17 to 19 are issued by the province office with their remarks, 20 a draft
    assert counts == {"issued": 3, "drafts": 1}
    rows = {b.week: b for b in Briefing.objects.filter(region=world.province)}
    assert sorted(rows) == ["2026-W17", "2026-W18", "2026-W19", "2026-W20"]
    issued = ("2026-W17", "2026-W18", "2026-W19")
    for week, (remarks, priorities) in zip(issued, NARRATIVES, strict=True):
        briefing = rows[week]
        assert (briefing.status, briefing.issued_by) == (
            BriefingStatus.ISSUED,
            world.user("province_officer"),
        )
        assert (briefing.remarks, briefing.priorities) == (remarks, priorities)
        # issued on the Monday after its week, at 10:05, with the figures of that morning
        monday = datetime.date.fromisocalendar(2026, int(week[-2:]) + 1, 1)
        assert briefing.issued_at.astimezone(LOCAL).replace(tzinfo=None) == datetime.datetime(
            monday.year, monday.month, monday.day, 10, 5
        )
        assert briefing.figures["week"] == week
        assert briefing.figures["built_at"] == f"{monday.isoformat()}T10:05:00+08:00"
        assert briefing.figures["sections"]["tasks"]["groups"] != []
    draft = rows["2026-W20"]
    assert (draft.status, draft.figures, draft.remarks) == (BriefingStatus.DRAFT, {}, "")
    # and each step is in the audit trail, on its Monday
    changes = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Briefing))
    assert changes.count() == 3 * 3 + 1  # created, remarks, issued; the draft created
    assert {c.time.astimezone(LOCAL).date() for c in changes} == {
        datetime.date(2026, 4, 27), datetime.date(2026, 5, 4), datetime.date(2026, 5, 11),
        datetime.date(2026, 5, 18),
    }  # fmt: skip
    # and making them again adds nothing
    assert create_demo_briefings(now=NOW) == {"issued": 0, "drafts": 0}
    assert Briefing.objects.count() == 4
