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


def _check_scope(
    region: Region,
    starts_on: datetime.date,
    ends_on: datetime.date,
    regions: Sequence[Region],
    groups: Sequence[Mapping[str, Any]],
) -> None:
    """Refuse a period that runs backwards, and towns or people outside the region."""
    if ends_on < starts_on:
        raise InspectionError("period_invalid", field="ends_on")
    for town in regions:
        if not town.path.startswith(region.path):
            raise InspectionError("site_out_of_scope", field="regions")
    names = [str(g["name"]).strip() for g in groups]
    if any(not name for name in names) or len(set(names)) != len(names):
        raise InspectionError("group_name_invalid", field="groups")
    for group in groups:
        people = [group["leader"], *group.get("members", ())]
        if any(not _within(person, region) for person in people):
            raise InspectionError("member_out_of_scope", field="groups")
        for town in group.get("towns", ()):
            if not town.path.startswith(region.path):
                raise InspectionError("site_out_of_scope", field="groups")


def _within(person: Any, region: Region) -> bool:
    # A province officer may join a county's group; a county's people only their own.
    own = getattr(person, "region", None)
    if own is None:
        return False
    return region.path.startswith(own.path) or own.path.startswith(region.path)


def _targets(campaign: Campaign, targets: Sequence[Mapping[str, Any]]) -> list[CampaignTarget]:
    rows = [
        CampaignTarget(
            campaign=campaign, kind=t["kind"], goal_pct=t["goal_pct"], due_on=t["due_on"]
        )
        for t in targets
    ]
    for row in rows:
        row.full_clean(exclude=["campaign"])
    return rows


def _write_plan(
    actor: Any,
    campaign: Campaign,
    groups: Sequence[Mapping[str, Any]],
    targets: list[CampaignTarget],
) -> None:
    """Replace the campaign's targets and groups (groups kept by name; a visited one stays)."""
    for dropped in campaign.targets.all():
        record_change(actor=actor, obj=dropped, action="delete")
    campaign.targets.all().delete()
    for target in targets:
        target.campaign = campaign
        target.save()
        record_change(actor=actor, obj=target, action="create")
    existing = {g.name: g for g in campaign.groups.all()}
    wanted = {str(g["name"]).strip(): g for g in groups}
    for name, old in existing.items():
        if name in wanted:
            continue
        if old.inspections.exists():
            raise InspectionError("group_in_use", field="groups", name=name)
        record_change(actor=actor, obj=old, action="delete")
        old.delete()
    for name, spec in wanted.items():
        group = existing.get(name)
        before = _group_snapshot(group) if group else None
        if group is None:
            group = InspectionGroup.objects.create(
                campaign=campaign, name=name, leader=spec["leader"]
            )
        else:
            group.leader = spec["leader"]
            group.save(update_fields=["leader", "updated_at"])
        group.members.set(list(spec.get("members", ())))
        group.towns.set(list(spec.get("towns", ())))
        if before != _group_snapshot(group):
            record_change(
                actor=actor, obj=group, action="update" if before else "create", before=before
            )


def _group_snapshot(group: InspectionGroup) -> dict[str, Any]:
    return {
        "leader": group.leader_id,
        "members": sorted(m.pk for m in group.members.all()),
        "towns": sorted(t.pk for t in group.towns.all()),
    }


def _campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "legal_basis": campaign.legal_basis,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "enterprise_kinds": list(campaign.enterprise_kinds),
        "regions": sorted(r.pk for r in campaign.regions.all()),
        "departments": sorted(d.pk for d in campaign.departments.all()),
    }


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
    groups: Sequence[Mapping[str, Any]] = (),
    targets: Sequence[Mapping[str, Any]] = (),
) -> Campaign:
    """Launch a campaign: legal basis, period, regions, kinds, departments, groups, targets."""
    require_role(actor, ADD, Campaign)
    _require_own_region(actor, region)
    in_scope = list(regions)
    _check_scope(region, starts_on, ends_on, in_scope, groups)
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
        _write_plan(actor, campaign, groups, _targets(campaign, targets))
    return campaign


def update_campaign(
    *,
    actor: Any,
    campaign: Campaign,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    departments: Iterable[DepartmentKind],
    legal_basis: str = "",
    regions: Iterable[Region] = (),
    enterprise_kinds: Sequence[str] = (),
    groups: Sequence[Mapping[str, Any]] = (),
    targets: Sequence[Mapping[str, Any]] = (),
) -> Campaign:
    """Change a campaign's plan; its organising region stays, progress is never typed."""
    campaign = in_reach(actor, campaign, CHANGE)
    if campaign.status == CampaignStatus.CLOSED:
        raise InspectionError("campaign_closed", status=409)
    in_scope = list(regions)
    _check_scope(campaign.region, starts_on, ends_on, in_scope, groups)
    planned = _targets(campaign, targets)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = _campaign_snapshot(campaign)
        campaign.name = name
        campaign.legal_basis = legal_basis
        campaign.starts_on = starts_on
        campaign.ends_on = ends_on
        campaign.enterprise_kinds = list(enterprise_kinds)
        campaign.bump_version()
        campaign.save()
        campaign.regions.set(in_scope)
        campaign.departments.set(list(departments))
        record_change(actor=actor, obj=campaign, action="update", before=before)
        _write_plan(actor, campaign, groups, planned)
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
