"""A campaign in Haicheng with two departments' checklists, for the inspections tests."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from oreledger.accounts.models import DepartmentKind, User
from oreledger.accounts.tests.factories import UserFactory, department
from oreledger.core.localtime import local_day
from oreledger.inspections.models import Campaign, Checklist, Inspection
from oreledger.inspections.queries import checklists_for, items_for
from oreledger.inspections.services import (
    create_campaign,
    decide_classification,
    issue_order,
    publish_checklist,
    submit_inspection,
)
from oreledger.registry.models import Site
from testkit.personas import PASSWORD, Province

NATURAL_RESOURCES = [
    {
        "text": "采矿许可证在有效期内",
        "legal_basis": "《矿产资源法》第三条",
        "severity": "high",
        "stops_production": True,
    },
    {"text": "无越界开采", "legal_basis": "《矿产资源法》第三十九条", "severity": "high"},
]
ECOLOGY = [
    {"text": "料堆和运输车辆苫盖", "legal_basis": "《大气污染防治法》第七十二条"},
]


@dataclass
class Loop:
    """A campaign, its checklists, and an officer of ecology and environment in Haicheng."""

    campaign: Campaign
    checklists: list[Checklist]
    ecology_officer: User


def today() -> datetime.date:
    """The local today."""
    return local_day(timezone.now())


def build_loop(world: Province) -> Loop:
    """Haicheng's campaign with natural resources and ecology and environment taking part."""
    kinds = list(
        DepartmentKind.objects.filter(code__in=["natural_resources", "ecology_environment"])
    )
    by_code = {k.code: k for k in kinds}
    checklists = [
        publish_checklist(
            actor=None,
            department_kind=by_code["natural_resources"],
            industry="magnesite",
            name="自然资源检查表",
            items=NATURAL_RESOURCES,
        ),
        publish_checklist(
            actor=None,
            department_kind=by_code["ecology_environment"],
            industry="magnesite",
            name="生态环境检查表",
            items=ECOLOGY,
        ),
    ]
    campaign = create_campaign(
        actor=world.user("haicheng_operator"),
        name="菱镁行业联合执法专项行动",
        legal_basis="《辽宁省菱镁行业整合整治方案》",
        region=world.haicheng,
        starts_on=today() - datetime.timedelta(days=10),
        ends_on=today() + datetime.timedelta(days=80),
        departments=kinds,
    )
    officer = UserFactory(
        username="ecology_officer",
        password=PASSWORD,
        role="department_officer",
        region=world.haicheng,
        department=department("ecology_environment", world.haicheng),
        display_name="海城生态环境局 钱进",
    )
    return Loop(campaign, checklists, officer)


def results_for(
    campaign: Campaign, site: Site, failing: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every item passed, except those whose text is in `failing` (text → note)."""
    failing = failing or {}
    return [
        {
            "item": item.pk,
            "outcome": "fail" if item.text in failing else "pass",
            "note": failing.get(item.text, ""),
        }
        for item in items_for(checklists_for(campaign, site.enterprise.industry))
    ]


def inspect(
    world: Province, loop: Loop, site: Site, failing: dict[str, str] | None = None
) -> Inspection:
    """The department officer inspects the site, failing the given items."""
    inspection, _ = submit_inspection(
        actor=world.user("department_officer"),
        campaign=loop.campaign,
        site=site,
        submission_key=uuid.uuid4(),
        inspected_on=today(),
        results=results_for(loop.campaign, site, failing),
    )
    return inspection


@dataclass
class Visit:
    """A campaign, an inspection with one finding, and the order it led to."""

    campaign: Campaign
    inspection: Inspection
    order: Any


def build_visit(world: Province, site: Site, actor: Any) -> Visit:
    """A county's campaign with the ecology checklist; the site fails its dust covers."""
    ecology = DepartmentKind.objects.get(code="ecology_environment")
    checklist = Checklist.objects.filter(department_kind=ecology, industry="magnesite").first()
    if checklist is None:
        publish_checklist(
            actor=None, department_kind=ecology, industry="magnesite", name="生态环境检查表",
            items=ECOLOGY,
        )  # fmt: skip
    campaign = create_campaign(
        actor=actor,
        name="扬尘治理专项行动",
        region=site.region,
        starts_on=today() - datetime.timedelta(days=5),
        ends_on=today() + datetime.timedelta(days=60),
        departments=[ecology],
    )
    inspection, _ = submit_inspection(
        actor=actor,
        campaign=campaign,
        site=site,
        submission_key=uuid.uuid4(),
        inspected_on=today(),
        results=results_for(campaign, site, {ECOLOGY[0]["text"]: "料堆未苫盖"}),
    )
    order = issue_order(
        actor=actor,
        findings=list(inspection.findings.all()),
        target="全部料堆苫盖",
        measures="购置苫盖网，车辆加盖篷布",
        deadline=today() + datetime.timedelta(days=15),
        responsible_person="刘工",
    )
    decide_classification(
        actor=actor, enterprise=site.enterprise, classification="retain_upgrade",
        reason="规模达标，整治提升", campaign=campaign,
    )  # fmt: skip
    return Visit(campaign, inspection, order)
