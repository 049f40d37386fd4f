"""Read-side lookups shared by pages, services and exports: checklists in force, scope,
and a campaign's progress against its targets (computed, never typed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from oreledger.core.localtime import local_day
from oreledger.inspections.choices import OrderStatus, TargetKind
from oreledger.inspections.models import (
    Campaign,
    CampaignTarget,
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
)
from oreledger.registry.choices import OperatingStatus
from oreledger.registry.models import Enterprise, Site


def checklists_for(campaign: Campaign, industry: str) -> list[Checklist]:
    """The latest version of each participating department's checklist for the industry."""
    latest: dict[int, Checklist] = {}
    rows = Checklist.objects.filter(
        department_kind__in=campaign.departments.all(), industry=industry
    ).select_related("department_kind")
    for checklist in rows.order_by("department_kind_id", "-version"):
        latest.setdefault(checklist.department_kind_id, checklist)
    return sorted(latest.values(), key=lambda c: (c.department_kind.ordering, c.pk))


def items_for(checklists: list[Checklist]) -> QuerySet[ChecklistItem]:
    """Every item of the given checklists, in their order."""
    return (
        ChecklistItem.objects.filter(checklist__in=checklists)
        .select_related("checklist__department_kind")
        .order_by("checklist__department_kind__ordering", "checklist_id", "position")
    )


def _region_scope(campaign: Campaign, prefix: str) -> Q:
    paths = [r.path for r in campaign.regions.all()] or [campaign.region.path]
    scope = Q()
    for path in paths:
        scope |= Q(**{f"{prefix}__startswith": path})
    return scope


def enterprises_in_scope(campaign: Campaign) -> QuerySet[Enterprise]:
    """The enterprises the campaign must visit: its regions, its kinds, not shut down."""
    rows = Enterprise.objects.filter(_region_scope(campaign, "region__path")).exclude(
        status=OperatingStatus.SHUT_DOWN
    )
    if campaign.enterprise_kinds:
        rows = rows.filter(kind__in=campaign.enterprise_kinds)
    return rows


def site_in_scope(campaign: Campaign, site: Site) -> bool:
    """Whether the site lies in the campaign's regions and its enterprise's kind is in scope."""
    if campaign.enterprise_kinds and site.enterprise.kind not in campaign.enterprise_kinds:
        return False
    return Site.objects.filter(_region_scope(campaign, "region__path"), pk=site.pk).exists()


@dataclass(frozen=True)
class Progress:
    """A target with what the records say of it."""

    target: CampaignTarget
    done: int
    total: int

    @property
    def share(self) -> float:
        """Done as a share of the total (0 when there is nothing to count)."""
        return self.done / self.total if self.total else 0.0

    @property
    def reached(self) -> bool:
        """Whether the goal is met."""
        return self.total > 0 and self.share * 100 >= self.target.goal_pct


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """In scope, inspected, findings, findings closed, open and overdue orders."""
    today = local_day(timezone.now())
    findings = Finding.objects.filter(inspection__campaign=campaign).aggregate(
        total=Count("pk"), closed=Count("pk", filter=Q(order__status=OrderStatus.CLOSED))
    )
    orders = campaign.orders.aggregate(
        open=Count("pk", filter=~Q(status=OrderStatus.CLOSED)),
        overdue=Count("pk", filter=~Q(status=OrderStatus.CLOSED) & Q(deadline__lt=today)),
        closed=Count("pk", filter=Q(status=OrderStatus.CLOSED)),
    )
    return {
        "in_scope": enterprises_in_scope(campaign).count(),
        "inspected": Inspection.objects.filter(campaign=campaign)
        .values("enterprise_id")
        .distinct()
        .count(),
        "inspections": Inspection.objects.filter(campaign=campaign).count(),
        "findings": findings["total"],
        "findings_closed": findings["closed"],
        "open_orders": orders["open"],
        "overdue_orders": orders["overdue"],
        "closed_orders": orders["closed"],
    }


def campaign_progress(campaign: Campaign, counts: dict[str, Any] | None = None) -> list[Progress]:
    """Each target of the campaign against the records."""
    counts = counts or campaign_counts(campaign)
    result = []
    for target in campaign.targets.all():
        if target.kind == TargetKind.INSPECTED:
            result.append(Progress(target, counts["inspected"], counts["in_scope"]))
        else:
            result.append(Progress(target, counts["findings_closed"], counts["findings"]))
    return result
