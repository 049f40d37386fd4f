"""Importer of the quotas sheet: allocations province → county → mine, in bulk.

Validation checks the final state of every tree the sheet touches (sheet values over the
database's) so that each problem is reported on its row; applying goes through the quota
service `import_allocations`, which writes the entries and checks the locked trees again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from oreledger.accounts.models import Region
from oreledger.core import bundle_columns as col
from oreledger.core.bundle import (
    ImportContext,
    Progress,
    SheetImporter,
    SheetOutcome,
    register_sheet_importer,
)
from oreledger.core.permissions import in_node_region, other_region_message
from oreledger.core.workbook import ParsedRow, SheetSchema
from oreledger.quotas.choices import AccountLevel, PeriodStatus
from oreledger.quotas.errors import refuse, tonnes
from oreledger.quotas.models import Mineral, QuotaAccount, QuotaPeriod, within_allocation
from oreledger.quotas.services import import_allocations
from oreledger.registry.models import Site

QUOTAS = SheetSchema(
    "quotas",
    (
        col.integer("period", "年度", is_key=True, min_value=2000, max_value=2100),
        # A region code or a mine site code; the importer tells which.
        col.text("holder", "指标持有者", is_key=True, max_length=col.CODE_LENGTH),
        col.text("mineral", "矿种", is_key=True, max_length=col.CODE_LENGTH),
        col.tonnes("allocated_t", "指标/吨"),
    ),
)

Key = tuple[int, str, str]  # (year, mineral, holder code)


@dataclass
class _Node:
    level: str  # province | county | mine
    parent: str | None  # the holder code of the parent
    path: str


class _Tree:
    """Regions and mines by code, from the database and the workbook's earlier sheets."""

    def __init__(self, ctx: ImportContext, site_codes: set[str]) -> None:
        regions: dict[str, tuple[Any, Any]] = {
            code: (level, parent)
            for code, level, parent in Region.objects.values_list("code", "level", "parent__code")
        }
        for (code,), row in ctx.declared.get("regions", {}).items():
            regions[code] = (row.values.get("level"), row.values.get("parent_code"))
        self.regions = regions
        sites: dict[str, tuple[Any, Any]] = {
            code: (kind, region)
            for code, kind, region in Site.objects.filter(code__in=site_codes).values_list(
                "code", "kind", "region__code"
            )
        }
        for (code,), row in ctx.declared.get("sites", {}).items():
            if code in site_codes:
                sites[code] = (row.values.get("kind"), row.values.get("region_code"))
        self.sites = sites

    def _path(self, code: str | None) -> str:
        chain: list[str] = []
        while code and code in self.regions and len(chain) < 8:
            chain.append(code)
            code = self.regions[code][1]
        return "/" + "".join(f"{c}/" for c in reversed(chain))

    def _up_to(self, code: str | None, level: str) -> str | None:
        for _step in range(8):
            if code is None or code not in self.regions:
                return None
            if self.regions[code][0] == level:
                return code
            code = self.regions[code][1]
        return None

    def node(self, holder: str) -> _Node | None:
        """Where a holder code sits, or None when it is no province, county or mine."""
        if holder in self.sites:
            kind, region = self.sites[holder]
            county = self._up_to(region, "county")
            if kind != "mine" or county is None:
                return None
            return _Node(AccountLevel.MINE, county, self._path(region))
        if holder in self.regions:
            level = self.regions[holder][0]
            if level == "province":
                return _Node(AccountLevel.PROVINCE, None, self._path(holder))
            if level == "county":
                return _Node(
                    AccountLevel.COUNTY, self._up_to(holder, "province"), self._path(holder)
                )
        return None


def _kg(row: ParsedRow) -> int | None:
    grams = Decimal(row.values["allocated_t"]) * 1000
    return int(grams) if grams == grams.to_integral_value() else None


def _key(row: ParsedRow) -> Key:
    return (row.values["period"], row.values["mineral"], row.values["holder"])


def _stored(years: set[int], minerals: set[str]) -> dict[Key, Any]:
    rows = QuotaAccount.objects.filter(period__year__in=years, mineral__code__in=minerals).values(
        "pk",
        "period__year",
        "mineral__code",
        "holder_region__code",
        "holder_site__code",
        "parent_id",
        "allocated_kg",
        "consumed_kg",
        "tolerance_kg",
    )
    stored = {}
    for row in rows:
        holder = row["holder_site__code"] or row["holder_region__code"]
        stored[(row["period__year"], row["mineral__code"], holder)] = row
    return stored


class QuotasImporter(SheetImporter):
    """Allocations by (period, holder, mineral); re-import adjusts only what differs."""

    schema = QUOTAS
    order = 900
    depends_on = ("regions", "sites")

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Known holders and minerals, whole kilograms, and every parent's children within it."""
        valid = [row for row in rows if row.valid]
        minerals = set(Mineral.objects.values_list("code", flat=True))
        tree = _Tree(ctx, {row.values["holder"] for row in valid})
        stored = _stored({r.values["period"] for r in valid}, {r.values["mineral"] for r in valid})
        closed = set(
            QuotaPeriod.objects.filter(status=PeriodStatus.CLOSED).values_list("year", flat=True)
        )
        by_pk = {record["pk"]: key for key, record in stored.items()}
        final: dict[Key, int] = {key: record["allocated_kg"] for key, record in stored.items()}
        parents: dict[Key, Key | None] = {
            key: by_pk.get(record["parent_id"]) for key, record in stored.items()
        }
        sheet_rows: dict[Key, ParsedRow] = {}
        for row in valid:
            year, mineral, holder = key = _key(row)
            node = tree.node(holder)
            kg = _kg(row)
            if year in closed:
                ctx.error(
                    row,
                    "period",
                    "period_closed",
                    str(refuse("period_closed", year=year).message),
                )
            elif mineral not in minerals:
                ctx.error(
                    row,
                    "mineral",
                    "mineral_unknown",
                    str(refuse("mineral_unknown", mineral=mineral).message),
                )
            elif node is None:
                ctx.error(
                    row,
                    "holder",
                    "holder_not_allocatable",
                    _("%(holder)s is no province, county or mine.") % {"holder": holder},
                )
            elif kg is None:
                ctx.error(
                    row,
                    "allocated_t",
                    "not_whole_kilograms",
                    _("Allocations are whole kilograms (at most 3 decimals of a tonne)."),
                )
            elif not in_node_region(node.path):
                ctx.error(row, "holder", "other_region", other_region_message(node))
            elif not ctx.in_scope(node.path) or (
                ctx.scope is not None and node.path == ctx.scope.path and final.get(key) != kg
            ):
                ctx.error(
                    row,
                    "holder",
                    "outside_jurisdiction",
                    _("%(holder)s is not yours to allocate to.") % {"holder": holder},
                )
            else:
                final[key] = kg
                parents[key] = (year, mineral, node.parent) if node.parent else None
                sheet_rows[key] = row
        self._check_tree(ctx, sheet_rows, final, parents, stored)

    def _check_tree(
        self,
        ctx: ImportContext,
        sheet_rows: dict[Key, ParsedRow],
        final: dict[Key, int],
        parents: dict[Key, Key | None],
        stored: dict[Key, dict[str, Any]],
    ) -> None:
        children: dict[Key, list[Key]] = defaultdict(list)
        for key, parent in parents.items():
            if parent is not None:
                children[parent].append(key)
        for key, row in sheet_rows.items():
            parent = parents[key]
            if parent is not None and parent not in final:
                ctx.error(
                    row,
                    "holder",
                    "parent_account_missing",
                    _("%(parent)s has no quota for %(year)s in the sheet or the platform.")
                    % {"parent": parent[2], "year": key[0]},
                )
            record = stored.get(key)
            if record and not within_allocation(
                allocated_kg=final[key],
                consumed_kg=record["consumed_kg"],
                tolerance_kg=record["tolerance_kg"],
            ):
                ctx.error(
                    row,
                    "allocated_t",
                    "below_consumption",
                    _("The allocation cannot drop below the %(consumed)s t already consumed.")
                    % {"consumed": tonnes(record["consumed_kg"])},
                )
        for parent, keys in children.items():
            given = sum(final[k] for k in keys)
            if parent in final and given > final[parent]:
                culprit = sheet_rows.get(parent) or next(
                    (sheet_rows[k] for k in reversed(keys) if k in sheet_rows), None
                )
                if culprit is not None:
                    ctx.error(
                        culprit,
                        "allocated_t",
                        "over_parent_allocation",
                        _(
                            "The allocations under %(parent)s add up to %(given)s t, more "
                            "than its %(total)s t."
                        )
                        % {
                            "parent": parent[2],
                            "given": tonnes(given),
                            "total": tonnes(final[parent]),
                        },
                    )

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Hand the sheet's allocations to the quota service (it creates, chains and checks)."""
        wanted: dict[Key, int] = {}
        for row in rows:
            kg = _kg(row)
            assert kg is not None  # validate refused fractions of a kilogram
            wanted[_key(row)] = kg
        done = import_allocations(actor=ctx.actor, allocations=wanted)
        return SheetOutcome(created=done.created, updated=done.updated, unchanged=done.unchanged)


register_sheet_importer(QuotasImporter())
