"""The procedures check (手续核查): each required permit per department, and regional counts.

Everything is computed from a handful of queries whatever the number of enterprises: the
requirements, sites and permits of the whole set are loaded at once and matched in memory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from oreledger.accounts.models import DepartmentKind, Region
from oreledger.registry.choices import ProcedureState, ValidityState
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitRequirement,
    PermitType,
    Site,
)

# The best permit answers a requirement: a valid one beats an expiring one, and so on.
_RANK = {
    ValidityState.VALID: 0,
    ValidityState.EXPIRING: 1,
    ValidityState.PENDING: 2,
    ValidityState.EXPIRED: 3,
    ValidityState.SUSPENDED_REVOKED: 4,
}
# A permit that is not yet in force does not answer a requirement today.
_STATE_OF = {
    ValidityState.VALID: ProcedureState.VALID,
    ValidityState.EXPIRING: ProcedureState.EXPIRING,
    ValidityState.PENDING: ProcedureState.MISSING,
    ValidityState.EXPIRED: ProcedureState.EXPIRED,
    ValidityState.SUSPENDED_REVOKED: ProcedureState.SUSPENDED_REVOKED,
}
STATES = list(ProcedureState)
PROBLEM_STATES = [s for s in STATES if s != ProcedureState.VALID]


@dataclass
class Line:
    """One required permit of one enterprise (or of one of its sites) and its state."""

    enterprise: Enterprise
    permit_type: PermitType
    state: str
    site: Site | None = None
    permit: Permit | None = None

    @property
    def department_kind(self) -> DepartmentKind:
        """The department that issues this permit type."""
        return self.permit_type.department_kind

    def get_state_display(self) -> str:
        """The state in the active language."""
        return str(ProcedureState(self.state).label)


@dataclass
class DepartmentBlock:
    """The lines of one department, for the enterprise file."""

    kind: DepartmentKind
    lines: list[Line] = field(default_factory=list)

    @property
    def worst(self) -> str:
        """The state most in need of action among the lines."""
        order = [
            ProcedureState.MISSING,
            ProcedureState.SUSPENDED_REVOKED,
            ProcedureState.EXPIRED,
            ProcedureState.EXPIRING,
            ProcedureState.VALID,
        ]
        states = {line.state for line in self.lines}
        return next((s for s in order if s in states), ProcedureState.VALID)


def _requirements() -> list[PermitRequirement]:
    return list(
        PermitRequirement.objects.select_related("permit_type__department_kind").order_by(
            "permit_type__department_kind__ordering", "permit_type__code"
        )
    )


def lines_for(enterprises: Iterable[Enterprise], today: datetime.date) -> dict[int, list[Line]]:
    """{enterprise id: lines} for a set of enterprises, in four queries."""
    by_id = {e.pk: e for e in enterprises}
    if not by_id:
        return {}
    requirements = _requirements()
    sites: dict[int, list[Site]] = defaultdict(list)
    for site in Site.objects.filter(enterprise_id__in=by_id).order_by("code"):
        sites[site.enterprise_id].append(site)
    permits: dict[tuple[int, int], list[Permit]] = defaultdict(list)
    for permit in Permit.objects.filter(holder_id__in=by_id).select_related("department__kind"):
        permits[(permit.holder_id, permit.type_id)].append(permit)
    result: dict[int, list[Line]] = {}
    for enterprise in by_id.values():
        lines: list[Line] = []
        for req in requirements:
            if req.applies_to == PermitRequirement.AppliesTo.ENTERPRISE:
                if req.holder_kind in ("*", enterprise.kind):
                    candidates = permits[(enterprise.pk, req.permit_type_id)]
                    lines.append(_line(enterprise, req.permit_type, None, candidates, today))
                continue
            for site in sites[enterprise.pk]:
                if site.kind != req.holder_kind:
                    continue
                # A permit issued to the enterprise without a site covers all its sites.
                candidates = [
                    p
                    for p in permits[(enterprise.pk, req.permit_type_id)]
                    if p.site_id in (None, site.pk)
                ]
                lines.append(_line(enterprise, req.permit_type, site, candidates, today))
        result[enterprise.pk] = lines
    return result


def _line(
    enterprise: Enterprise,
    permit_type: PermitType,
    site: Site | None,
    candidates: list[Permit],
    today: datetime.date,
) -> Line:
    if not candidates:
        return Line(enterprise, permit_type, ProcedureState.MISSING, site)
    scored = [(p.state_on(today), p) for p in candidates]
    state, best = min(
        scored, key=lambda item: (_RANK[ValidityState(item[0])], -item[1].valid_to.toordinal())
    )
    return Line(enterprise, permit_type, _STATE_OF[ValidityState(state)], site, best)


def procedures_for_enterprise(
    enterprise: Enterprise, today: datetime.date
) -> list[DepartmentBlock]:
    """Per department, each permit the enterprise must hold, with its state today."""
    blocks: dict[int, DepartmentBlock] = {}
    for line in lines_for([enterprise], today).get(enterprise.pk, []):
        kind = line.department_kind
        blocks.setdefault(kind.pk, DepartmentBlock(kind)).lines.append(line)
    return sorted(blocks.values(), key=lambda b: (b.kind.ordering, b.kind.code))


@dataclass
class SummaryRow:
    """One department's counts of required permits by state, in one region."""

    kind: DepartmentKind
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All required permits of this department."""
        return sum(self.counts.values())

    @property
    def problems(self) -> int:
        """Required permits that are not valid."""
        return self.total - self.counts.get(ProcedureState.VALID, 0)

    def cells(self) -> list[tuple[str, int]]:
        """(state, count) in the order of the table's columns."""
        return [(state.value, self.counts.get(state, 0)) for state in STATES]


@dataclass
class ChildRow:
    """A region below the one summarised, with its counts, to drill down into."""

    region: Region
    enterprises: int
    counts: dict[str, int]

    @property
    def problems(self) -> int:
        """Required permits that are not valid."""
        return sum(n for s, n in self.counts.items() if s != ProcedureState.VALID)

    def cells(self) -> list[tuple[str, int]]:
        """(state, count) in the order of the table's columns."""
        return [(state.value, self.counts.get(state, 0)) for state in STATES]


@dataclass
class Summary:
    """The procedures check of a region: the report each department gave, now live."""

    region: Region | None
    rows: list[SummaryRow]
    children: list[ChildRow]
    lines: list[Line]
    enterprises: int

    @property
    def totals(self) -> list[tuple[str, int]]:
        """(state, count) over every department."""
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for state, n in row.counts.items():
                counts[state] += n
        return [(state.value, counts.get(state, 0)) for state in STATES]


def procedures_summary(
    region: Region | None,
    today: datetime.date,
    enterprises: QuerySet[Enterprise] | None = None,
) -> Summary:
    """Counts per department × state for the enterprises of a region (in the viewer's scope).

    `enterprises` is the viewer's scoped queryset; without it every enterprise is counted.
    """
    queryset = enterprises if enterprises is not None else Enterprise.objects.all()
    if region is not None:
        queryset = queryset.filter(region__path__startswith=region.path)
    members = list(queryset.select_related("region").order_by("name"))
    by_enterprise = lines_for(members, today)
    kinds = {k.pk: k for k in DepartmentKind.objects.order_by("ordering", "code")}
    counts: dict[int, dict[str, int]] = {pk: defaultdict(int) for pk in kinds}
    children_regions = (
        list(Region.objects.filter(parent=region).order_by("code")) if region is not None else []
    )
    child_of = {}
    for child in children_regions:
        for enterprise in members:
            if enterprise.region.path.startswith(child.path):
                child_of[enterprise.pk] = child.pk
    child_counts: dict[int, dict[str, int]] = {c.pk: defaultdict(int) for c in children_regions}
    child_members: dict[int, set[int]] = defaultdict(set)
    lines: list[Line] = []
    for enterprise in members:
        for line in by_enterprise.get(enterprise.pk, []):
            lines.append(line)
            counts[line.permit_type.department_kind_id][line.state] += 1
            child_pk = child_of.get(enterprise.pk)
            if child_pk is not None:
                child_counts[child_pk][line.state] += 1
                child_members[child_pk].add(enterprise.pk)
    rows = [SummaryRow(kinds[pk], dict(c)) for pk, c in counts.items() if c]
    children = [
        ChildRow(c, len(child_members[c.pk]), dict(child_counts[c.pk])) for c in children_regions
    ]
    return Summary(region, rows, children, lines, len(members))
