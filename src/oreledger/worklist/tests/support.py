"""The worklist tests' scaffolding: a working group with tasks in Haicheng."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from oreledger.accounts.tests.factories import department
from oreledger.worklist import services
from oreledger.worklist.models import Task, WorkingGroup
from testkit.personas import Province

# A Monday; the task below runs four weeks from it.
MONDAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)


def group(world: Province, name: str = "矿山整合专班") -> WorkingGroup:
    """A province working group led by Haicheng's natural-resources bureau."""
    return services.create_working_group(
        actor=world.user("province_officer"),
        name=name,
        region=world.province,
        lead_department=department("natural_resources", world.haicheng),
        members=[department("natural_resources", world.dashiqiao)],
    )


def task(
    world: Province,
    number: str = "T-001",
    *,
    start: datetime.date = MONDAY,
    due: datetime.date = MONDAY + 27 * DAY,
    milestones: Sequence[tuple[str, datetime.date]] = (),
    county: Any = None,
    in_group: WorkingGroup | None = None,
) -> Task:
    """A task of Haicheng's (or `county`'s) natural-resources bureau."""
    return services.create_task(
        actor=world.user("province_officer"),
        group=in_group or group(world),
        number=number,
        title="关停整合小散矿山",
        measures="逐矿核查，制定整合方案",
        completion_standard="整合方案获批，关停矿山全部断电",
        responsible_department=department("natural_resources", county or world.haicheng),
        responsible_person=world.user("department_officer"),
        start=start,
        due=due,
        milestones=milestones,
    )
