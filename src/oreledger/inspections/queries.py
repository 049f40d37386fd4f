"""Read-side lookups shared by pages, services and exports: checklists in force, scope,
and a campaign's progress against its targets (computed, never typed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core.localtime import local_day
from oreledger.inspections.choices import OrderStatus, TargetKind
from oreledger.inspections.models import (
    Campaign,
    CampaignTarget,
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
    OrderSignoff,
    RectificationOrder,
)
from oreledger.registry.choices import OperatingStatus
from oreledger.registry.models import Enterprise, Site

# `overdue` is not a stored status: an order not closed whose deadline has passed.
OVERDUE = "overdue"


def overdue_orders(orders: QuerySet[RectificationOrder]) -> QuerySet[RectificationOrder]:
    """The orders not closed whose deadline is before today's date in Asia/Shanghai."""
    today = local_day(timezone.now())
    return orders.exclude(status=OrderStatus.CLOSED).filter(deadline__lt=today)


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
    def pct(self) -> float:
        """Done as a percentage of the total, as pages show it."""
        return 100 * self.share

    @property
    def reached(self) -> bool:
        """Whether the goal is met."""
        return self.total > 0 and self.share * 100 >= self.target.goal_pct


def inspected_enterprises(campaign: Campaign) -> QuerySet[Enterprise]:
    """The enterprises visited at least once under the campaign."""
    visited = Inspection.objects.filter(campaign=campaign).values("enterprise_id")
    return Enterprise.objects.filter(pk__in=visited)


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """In scope, inspected, findings, findings closed, open and overdue orders: the sum of
    the dashboard's rows by town (every enterprise lies in one region, so they partition)."""
    _, rows = _town_rows(campaign, local_day(timezone.now()))
    counts = {name: sum(getattr(row, name) for row in rows.values()) for name in FIGURES}
    counts["inspections"] = Inspection.objects.filter(campaign=campaign).count()
    return counts


def campaign_progress(
    campaign: Campaign,
    counts: dict[str, Any] | None = None,
    targets: list[CampaignTarget] | None = None,
) -> list[Progress]:
    """Each target of the campaign against the records."""
    counts = counts or campaign_counts(campaign)
    result = []
    for target in campaign.targets.all() if targets is None else targets:
        if target.kind == TargetKind.INSPECTED:
            result.append(Progress(target, counts["inspected"], counts["in_scope"]))
        else:
            result.append(Progress(target, counts["findings_closed"], counts["findings"]))
    return result


def concerns_campaign(campaign: Campaign, enterprise: Enterprise) -> bool:
    """Whether the enterprise is in the campaign's scope or was inspected under it."""
    return (
        enterprises_in_scope(campaign).filter(pk=enterprise.pk).exists()
        or Inspection.objects.filter(campaign=campaign, enterprise=enterprise).exists()
    )


# --- the campaign dashboard ---------------------------------------------------------------

BY_TOWN = "town"
BY_DEPARTMENT = "department"
DASHBOARD_MODES = (BY_TOWN, BY_DEPARTMENT)
# What a drill-down lists: the visits, the findings, or the orders open, overdue or closed.
RECORD_KINDS = ("inspected", "findings", "open", "overdue", "closed")
FIGURES = ("in_scope", "inspected", "findings", "findings_closed", "open_orders",
           "overdue_orders", "closed_orders")  # fmt: skip


@dataclass
class DashboardRow:
    """One town's or department's figures in a campaign."""

    key: str
    label: str
    in_scope: int = 0
    inspected: int = 0
    findings: int = 0
    findings_closed: int = 0
    open_orders: int = 0
    overdue_orders: int = 0
    closed_orders: int = 0

    @property
    def inspected_pct(self) -> float:
        """Enterprises inspected as a percentage of those in scope."""
        return 100 * self.inspected / self.in_scope if self.in_scope else 0.0

    @property
    def closed_pct(self) -> float:
        """Findings closed as a percentage of the findings."""
        return 100 * self.findings_closed / self.findings if self.findings else 0.0

    @property
    def any(self) -> bool:
        """Whether the row has any figure at all."""
        return any(getattr(self, name) for name in FIGURES)


@dataclass
class Dashboard:
    """A campaign's figures by town or by department, with the campaign's totals and goals."""

    campaign: Campaign
    by: str
    rows: list[DashboardRow]
    total: DashboardRow
    progress: list[Progress]
    # The goal (%) in force today for each target kind: the next time node, or the last one.
    goals: dict[str, int] = field(default_factory=dict)

    def behind(self, row: DashboardRow, kind: str) -> bool:
        """Whether the row is short of the goal in force for that kind of target."""
        goal = self.goals.get(kind)
        if goal is None:
            return False
        share = row.inspected_pct if kind == TargetKind.INSPECTED else row.closed_pct
        return share < goal


def _goals(targets: list[CampaignTarget], today: Any) -> dict[str, int]:
    goals: dict[str, int] = {}
    for kind in TargetKind.values:
        nodes = [t for t in targets if t.kind == kind]
        ahead = [t for t in nodes if t.due_on >= today]
        if nodes:
            goals[kind] = (ahead[0] if ahead else nodes[-1]).goal_pct
    return goals


def _order_figures(prefix: str, today: Any) -> dict[str, Any]:
    open_ = ~Q(**{f"{prefix}status": OrderStatus.CLOSED})
    return {
        "open_orders": Count("pk", filter=open_),
        "overdue_orders": Count("pk", filter=open_ & Q(**{f"{prefix}deadline__lt": today})),
        "closed_orders": Count("pk", filter=Q(**{f"{prefix}status": OrderStatus.CLOSED})),
    }


def _fill(rows: dict[Any, DashboardRow], key_of: dict[Any, Any], found: Any, key: str) -> None:
    """Add grouped counts to the rows they belong to (a key with no row is skipped)."""
    for values in found:
        row = rows.get(key_of.get(values[key]))
        if row is None:
            continue
        for name in FIGURES:
            if name in values:
                setattr(row, name, getattr(row, name) + values[name])


# The row of records whose enterprise lies outside the campaign's region (its site inside):
# counted in the totals, shown only when it holds something.
ELSEWHERE = "elsewhere"


def _town_rows(campaign: Campaign, today: Any) -> tuple[list[Region], dict[Any, DashboardRow]]:
    """The campaign's regions, and {region id (None: elsewhere): row}: each statement one
    aggregate per region.

    The figures are grouped by the enterprise's region; a visited enterprise is found by a
    semi-join on the campaign's visits, never by a distinct count over every visit, and
    findings carry their campaign so no visit is joined (bench/README.md).
    """
    regions = list(Region.objects.filter(path__startswith=campaign.region.path).order_by("path"))
    rows: dict[Any, DashboardRow] = {r.pk: DashboardRow(r.code, r.name) for r in regions}
    rows[None] = DashboardRow(ELSEWHERE, str(_("Elsewhere")))
    key_of: dict[Any, Any] = defaultdict(lambda: None, {r.pk: r.pk for r in regions})
    _fill(rows, key_of, enterprises_in_scope(campaign).values("region_id")
          .annotate(in_scope=Count("pk")), "region_id")  # fmt: skip
    inspected = inspected_enterprises(campaign).values("region_id")
    _fill(rows, key_of, inspected.annotate(inspected=Count("pk")), "region_id")
    findings = Finding.objects.filter(campaign=campaign)
    _fill(rows, key_of, findings.values("enterprise__region_id").annotate(
        findings=Count("pk"),
        findings_closed=Count("pk", filter=Q(order__status=OrderStatus.CLOSED)),
    ), "enterprise__region_id")  # fmt: skip
    orders = RectificationOrder.objects.filter(campaign=campaign)
    _fill(rows, key_of, orders.values("enterprise__region_id")
          .annotate(**_order_figures("", today)), "enterprise__region_id")  # fmt: skip
    return regions, rows


def _by_town(
    campaign: Campaign, regions: list[Region], rows: dict[Any, DashboardRow]
) -> list[DashboardRow]:
    """The rows shown: the towns in scope, and any region (or elsewhere) with a figure."""
    scope_paths = [r.path for r in campaign.regions.all()] or [campaign.region.path]
    shown = []
    for region in regions:
        row = rows[region.pk]
        in_scope = region.level == "town" and any(region.path.startswith(p) for p in scope_paths)
        if row.any or in_scope:
            shown.append(row)
    if rows[None].any:
        shown.append(rows[None])
    return shown


def _by_department(campaign: Campaign, today: Any, in_scope: int) -> list[DashboardRow]:
    """Rows per participating department: the enterprises its checklist covered, what it
    found, and the orders it signs.

    Every inspection answers every item of the checklists in force for the enterprise's
    industry (pass, fail or not applicable), so a department inspected each visited
    enterprise whose industry it has a checklist for: counted from the visited enterprises
    by industry, not from a million answers.
    """
    kinds = list(campaign.departments.order_by("ordering"))
    rows = {k.pk: DashboardRow(k.code, k.name_zh, in_scope=in_scope) for k in kinds}
    key_of = {k.pk: k.pk for k in kinds}
    by_industry = dict(
        inspected_enterprises(campaign).values("industry").annotate(n=Count("pk"))
        .values_list("industry", "n")
    )  # fmt: skip
    covered = Checklist.objects.filter(department_kind__in=kinds).values_list(
        "department_kind_id", "industry"
    )
    for kind_id, industry in set(covered):
        rows[kind_id].inspected += by_industry.get(industry, 0)
    findings = Finding.objects.filter(campaign=campaign)
    _fill(rows, key_of, findings.values("department_kind_id").annotate(
        findings=Count("pk"),
        findings_closed=Count("pk", filter=Q(order__status=OrderStatus.CLOSED)),
    ), "department_kind_id")  # fmt: skip
    signoffs = OrderSignoff.objects.filter(order__campaign=campaign)
    _fill(rows, key_of, signoffs.values("department_kind_id")
          .annotate(**_order_figures("order__", today)), "department_kind_id")  # fmt: skip
    return [rows[k.pk] for k in kinds]


def campaign_dashboard(campaign: Campaign, by: str) -> Dashboard:
    """The campaign's figures by town or by department, against its targets."""
    today = local_day(timezone.now())
    regions, town_rows = _town_rows(campaign, today)
    counts = {name: sum(getattr(r, name) for r in town_rows.values()) for name in FIGURES}
    total = DashboardRow("", "", **counts)
    if by == BY_TOWN:
        rows = _by_town(campaign, regions, town_rows)
    else:
        rows = _by_department(campaign, today, counts["in_scope"])
    targets = list(campaign.targets.order_by("due_on", "pk"))
    progress = campaign_progress(campaign, counts, targets)
    return Dashboard(campaign, by, rows, total, progress, _goals(targets, today))


def dashboard_bucket(campaign: Campaign, by: str, key: str) -> Region | DepartmentKind | None:
    """The town or department a drill-down names, if it belongs to the campaign."""
    if by == BY_TOWN:
        return Region.objects.filter(path__startswith=campaign.region.path, code=key).first()
    return campaign.departments.filter(code=key).first()


def dashboard_records(
    campaign: Campaign, bucket: Region | DepartmentKind, kind: str, user: Any
) -> QuerySet[Any]:
    """The records behind one figure of one dashboard row, within the reader's scope."""
    today = local_day(timezone.now())
    if kind == "inspected":
        visits = Inspection.objects.for_user(user).filter(campaign=campaign)
        if isinstance(bucket, Region):
            visits = visits.filter(enterprise__region=bucket)
        else:
            industries = Checklist.objects.filter(department_kind=bucket).values("industry")
            visits = visits.filter(enterprise__industry__in=industries)
        return visits.select_related("enterprise", "site", "region").order_by(
            "-inspected_on", "-pk"
        )
    if kind == "findings":
        findings = Finding.objects.for_user(user).filter(campaign=campaign)
        if isinstance(bucket, Region):
            findings = findings.filter(enterprise__region=bucket)
        else:
            findings = findings.filter(department_kind=bucket)
        return findings.select_related("enterprise", "department_kind", "order", "inspection")
    orders = RectificationOrder.objects.for_user(user).filter(campaign=campaign)
    if isinstance(bucket, Region):
        orders = orders.filter(enterprise__region=bucket)
    else:
        orders = orders.filter(signoffs__department_kind=bucket)
    if kind == "closed":
        orders = orders.filter(status=OrderStatus.CLOSED)
    else:
        orders = orders.exclude(status=OrderStatus.CLOSED)
        if kind == "overdue":
            orders = orders.filter(deadline__lt=today)
    return orders.select_related("enterprise", "site").order_by("deadline", "number")
