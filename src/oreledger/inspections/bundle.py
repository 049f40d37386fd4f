"""The inspections sheets of the province bundle (checklists, campaigns): a second industry
is configured by its checklists and campaigns, through the same importer as the first.

A checklist's rows (one per item, keyed by department, industry and position) are one
version: a changed list publishes the next version, an unchanged one leaves it. A campaign
is keyed by its name and organising region; a changed row changes its plan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from oreledger.accounts.bundle import department_kind, resolve_region
from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core import bundle_columns as col
from oreledger.core.bundle import (
    ImportContext,
    Progress,
    SheetImporter,
    SheetOutcome,
    register_sheet_importer,
)
from oreledger.core.permissions import ADD, CHANGE, may
from oreledger.core.workbook import Column, ColumnKind, ParsedRow, SheetSchema
from oreledger.inspections.choices import CampaignStatus
from oreledger.inspections.models import Campaign, Checklist
from oreledger.inspections.services import create_campaign, publish_checklist, update_campaign
from oreledger.inspections.services._common import is_person
from oreledger.registry.bundle.sheets import ENTERPRISE_KINDS, INDUSTRIES

SEVERITIES = ("low", "medium", "high")
# A list in one cell: codes separated by commas, 、 or spaces (as offices type them).
_SEPARATORS = re.compile(r"[,，、;；\s]+")

CHECKLISTS = SheetSchema(
    "checklists",
    (
        col.text("department", "部门", is_key=True, max_length=col.CODE_LENGTH),
        Column("industry", "行业", ColumnKind.CHOICE, True, True, choices=INDUSTRIES),
        col.integer("position", "序号", is_key=True, min_value=1, max_value=999),
        col.text("name", "检查表名称", max_length=col.NAME_LENGTH),
        col.text("text", "检查内容", max_length=300),
        col.text("legal_basis", "法律依据", required=False, max_length=300),
        col.choice("severity", "严重程度", SEVERITIES),
        col.yes_no("stops_production", "停产整改"),
    ),
)

CAMPAIGNS = SheetSchema(
    "campaigns",
    (
        col.text("name", "名称", is_key=True, max_length=col.NAME_LENGTH),
        col.text("region_code", "组织区域", is_key=True, max_length=col.REGION_CODE_LENGTH),
        col.text("legal_basis", "依据", required=False, max_length=2000),
        col.date("starts_on", "开始日期"),
        col.date("ends_on", "结束日期"),
        col.text("departments", "参与部门", max_length=500),
        col.text("enterprise_kinds", "企业类型", required=False, max_length=500),
        col.text("regions", "范围", required=False, max_length=2000),
    ),
)


def _codes(value: str | None) -> list[str]:
    return [code for code in _SEPARATORS.split(value or "") if code]


def _refuse_person(ctx: ImportContext, row: ParsedRow, action: str, model: type[Any]) -> bool:
    """Whether the importing person's role may not take the action (reported when so)."""
    if is_person(ctx.actor) and not may(ctx.actor, action, model):
        ctx.error(row, "department" if model is Checklist else "name", "not_allowed",
                  _("Your role may not change these records."))  # fmt: skip
        return True
    return False


def _items(rows: list[ParsedRow]) -> list[dict[str, Any]]:
    return [
        {
            "text": row.values["text"],
            "legal_basis": row.values.get("legal_basis") or "",
            "severity": row.values["severity"],
            "stops_production": bool(row.values.get("stops_production")),
        }
        for row in sorted(rows, key=lambda r: r.values["position"])
    ]


class ChecklistImporter(SheetImporter):
    """Each (department, industry) of the sheet is one checklist; a change is a new version."""

    schema = CHECKLISTS
    order = 1300

    def _groups(self, rows: list[ParsedRow]) -> dict[tuple[str, str], list[ParsedRow]]:
        groups: dict[tuple[str, str], list[ParsedRow]] = defaultdict(list)
        for row in rows:
            if row.valid:
                groups[(row.values["department"], row.values["industry"])].append(row)
        return groups

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """A known department, the province's role, one name per list."""
        for row in rows:
            if row.valid and not _refuse_person(ctx, row, CHANGE, Checklist):
                department_kind(ctx, row, "department", row.values["department"])
        for group in self._groups(rows).values():
            first = group[0].values["name"]
            for row in group[1:]:
                if row.values["name"] != first:
                    ctx.error(row, "name", "checklist_names_differ",
                              _("Every item of a checklist carries the same name."))  # fmt: skip

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Publish the lists that differ from their latest version; leave the others."""
        outcome = SheetOutcome()
        kinds = {kind.code: kind for kind in DepartmentKind.objects.all()}
        for (department, industry), group in self._groups(rows).items():
            items, name = _items(group), group[0].values["name"]
            latest = (
                Checklist.objects.filter(department_kind__code=department, industry=industry)
                .order_by("-version")
                .first()
            )
            if latest is not None and latest.name == name and _stored(latest) == items:
                outcome.unchanged += len(group)
                continue
            publish_checklist(actor=ctx.actor, department_kind=kinds[department],
                              industry=industry, name=name, items=items)  # fmt: skip
            if latest is None:
                outcome.created += len(group)
            else:
                outcome.updated += len(group)
        return outcome


def _stored(checklist: Checklist) -> list[dict[str, Any]]:
    return [
        {"text": item.text, "legal_basis": item.legal_basis, "severity": item.severity,
         "stops_production": item.stops_production}
        for item in checklist.items.order_by("position")
    ]  # fmt: skip


class CampaignImporter(SheetImporter):
    """Campaigns by name and organising region: created, or their plan changed."""

    schema = CAMPAIGNS
    order = 1400
    depends_on = ("regions",)

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """The region in reach, known departments, kinds and towns below the region."""
        for row in rows:
            if not row.valid or _refuse_person(ctx, row, ADD, Campaign):
                continue
            values = row.values
            region = resolve_region(ctx, row, "region_code", values["region_code"])
            ctx.within(row, "region_code", region)
            if values["ends_on"] < values["starts_on"]:
                ctx.error(row, "ends_on", "period_invalid",
                          _("The campaign ends before it starts."))  # fmt: skip
            for code in _codes(values["departments"]) or [""]:
                department_kind(ctx, row, "departments", code)
            for kind in _codes(values.get("enterprise_kinds")):
                if kind not in ENTERPRISE_KINDS:
                    ctx.error(row, "enterprise_kinds", "invalid_choice",
                              _("Unknown enterprise kind %(code)s.") % {"code": kind})  # fmt: skip
            for code in _codes(values.get("regions")):
                town = resolve_region(ctx, row, "regions", code)
                if (
                    town is not None
                    and region is not None
                    and not town.path.startswith(region.path)
                ):
                    message = _("%(code)s lies outside the organising region.") % {"code": code}
                    ctx.error(row, "regions", "site_out_of_scope", message)
            existing = _existing(values)
            if existing is not None and existing.status == CampaignStatus.CLOSED:
                ctx.error(row, "name", "campaign_closed",
                          _("This campaign has ended; its plan can no longer change."))  # fmt: skip

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Launch the new campaigns and change the plans that differ."""
        outcome = SheetOutcome()
        kinds = {kind.code: kind for kind in DepartmentKind.objects.all()}
        for row in rows:
            values = row.values
            plan = {
                "name": values["name"],
                "legal_basis": values.get("legal_basis") or "",
                "starts_on": values["starts_on"],
                "ends_on": values["ends_on"],
                "departments": [kinds[c] for c in _codes(values["departments"])],
                "enterprise_kinds": _codes(values.get("enterprise_kinds")),
                "regions": list(Region.objects.filter(code__in=_codes(values.get("regions")))),
            }
            existing = _existing(values)
            if existing is None:
                region = Region.objects.get(code=values["region_code"])
                create_campaign(actor=ctx.actor, region=region, **plan)
                outcome.created += 1
            elif _plan_of(existing) == _plan_key(plan):
                outcome.unchanged += 1
            else:
                update_campaign(actor=ctx.actor, campaign=existing, **plan,
                                groups=_groups_of(existing),
                                targets=_targets_of(existing))  # fmt: skip
                outcome.updated += 1
        return outcome


def _existing(values: dict[str, Any]) -> Campaign | None:
    return Campaign.objects.filter(name=values["name"], region__code=values["region_code"]).first()


def _plan_key(plan: dict[str, Any]) -> tuple[Any, ...]:
    return (
        plan["name"], plan["legal_basis"], plan["starts_on"], plan["ends_on"],
        sorted(d.pk for d in plan["departments"]), sorted(plan["enterprise_kinds"]),
        sorted(r.pk for r in plan["regions"]),
    )  # fmt: skip


def _plan_of(campaign: Campaign) -> tuple[Any, ...]:
    return _plan_key({
        "name": campaign.name, "legal_basis": campaign.legal_basis,
        "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
        "departments": list(campaign.departments.all()),
        "enterprise_kinds": list(campaign.enterprise_kinds),
        "regions": list(campaign.regions.all()),
    })  # fmt: skip


def _groups_of(campaign: Campaign) -> list[dict[str, Any]]:
    # The sheet does not carry groups: a changed plan keeps the groups set on the pages.
    return [
        {"name": g.name, "leader": g.leader, "members": list(g.members.all()),
         "towns": list(g.towns.all())}
        for g in campaign.groups.all()
    ]  # fmt: skip


def _targets_of(campaign: Campaign) -> list[dict[str, Any]]:
    # Nor targets: a changed plan keeps the time nodes set on the pages.
    return [
        {"kind": t.kind, "goal_pct": t.goal_pct, "due_on": t.due_on} for t in campaign.targets.all()
    ]


for _importer in (ChecklistImporter(), CampaignImporter()):
    register_sheet_importer(_importer)
