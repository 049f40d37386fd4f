"""Campaigns (专项行动), their targets and groups, and the departments' checklists."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max

from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core.audit import record_change
from oreledger.core.permissions import ADD, CHANGE
from oreledger.inspections.choices import CampaignStatus
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.models import (
    Campaign,
    CampaignTarget,
    Checklist,
    ChecklistItem,
    InspectionGroup,
)
from oreledger.inspections.services._common import in_reach, is_person, require_role


def _require_own_region(actor: Any, region: Region) -> None:
    own = getattr(actor, "region", None)
    if not is_person(actor) or actor.is_superuser or actor.role == "admin":
        return
    if own is None or not region.path.startswith(own.path):
        raise InspectionError("not_allowed", status=403)


def create_campaign(
    *,
    actor: Any,
    name: str,
    region: Region,
    starts_on: datetime.date,
    ends_on: datetime.date,
    departments: Iterable[DepartmentKind],
    legal_basis: str = "",
    regions: Iterable[Region] = (),
    enterprise_kinds: Sequence[str] = (),
) -> Campaign:
    """Launch a campaign: its legal basis, period, regions, enterprise kinds and departments."""
    require_role(actor, ADD, Campaign)
    _require_own_region(actor, region)
    if ends_on < starts_on:
        raise InspectionError("period_invalid", field="ends_on")
    in_scope = list(regions)
    for town in in_scope:
        if not town.path.startswith(region.path):
            raise InspectionError("site_out_of_scope", field="regions")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            legal_basis=legal_basis,
            region=region,
            starts_on=starts_on,
            ends_on=ends_on,
            enterprise_kinds=list(enterprise_kinds),
        )
        campaign.regions.set(in_scope)
        campaign.departments.set(list(departments))
        record_change(actor=actor, obj=campaign, action="create")
    return campaign


def add_target(
    *, actor: Any, campaign: Campaign, kind: str, goal_pct: int, due_on: datetime.date
) -> CampaignTarget:
    """Add a time node to a campaign ("80 % of findings closed by 31 August")."""
    campaign = in_reach(actor, campaign, CHANGE)
    target = CampaignTarget(campaign=campaign, kind=kind, goal_pct=goal_pct, due_on=due_on)
    target.full_clean()
    with transaction.atomic():
        target.save()
        record_change(actor=actor, obj=target, action="create")
    return target


def form_group(
    *,
    actor: Any,
    campaign: Campaign,
    name: str,
    leader: Any,
    members: Iterable[Any] = (),
    towns: Iterable[Region] = (),
) -> InspectionGroup:
    """Form an inspection group (检查组): a leader, members and the towns it visits."""
    campaign = in_reach(actor, campaign, CHANGE)
    with transaction.atomic():
        group = InspectionGroup.objects.create(campaign=campaign, name=name, leader=leader)
        group.members.set(list(members))
        group.towns.set(list(towns))
        record_change(actor=actor, obj=group, action="create")
    return group


def publish_checklist(
    *,
    actor: Any,
    department_kind: DepartmentKind,
    industry: str,
    name: str,
    items: Sequence[Mapping[str, Any]],
) -> Checklist:
    """Publish the next version of a department's checklist for an industry."""
    require_role(actor, CHANGE, Checklist)
    if not items:
        raise InspectionError("checklist_empty", field="items")
    with transaction.atomic():
        latest = (
            Checklist.objects.select_for_update()
            .filter(department_kind=department_kind, industry=industry)
            .aggregate(v=Max("version"))["v"]
        )
        checklist = Checklist.objects.create(
            department_kind=department_kind,
            industry=industry,
            version=(latest or 0) + 1,
            name=name,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                checklist=checklist,
                position=position,
                text=item["text"],
                legal_basis=item.get("legal_basis", ""),
                severity=item.get("severity", "medium"),
                stops_production=bool(item.get("stops_production", False)),
            )
            for position, item in enumerate(items, start=1)
        )
        record_change(actor=actor, obj=checklist, action="create")
    return checklist


def close_campaign(*, actor: Any, campaign: Campaign) -> Campaign:
    """End a campaign: no more inspections are recorded under it."""
    campaign = in_reach(actor, campaign, CHANGE)
    with transaction.atomic():
        before = {"status": campaign.status}
        campaign.status = CampaignStatus.CLOSED
        campaign.bump_version()
        campaign.save(update_fields=["status", "version", "updated_at"])
        record_change(actor=actor, obj=campaign, action="update", before=before)
    return campaign
