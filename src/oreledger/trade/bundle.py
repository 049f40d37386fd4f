"""Importers of the trade sheets of the province bundle: floor_prices and contracts.

Grades are given by code and resolve to the grade of the standard in force on the row's
valid_from, whether that standard is already published or declared by the same workbook.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from oreledger.accounts.bundle import parent_region, region_of
from oreledger.accounts.models import Region
from oreledger.core import bundle_columns as col
from oreledger.core.bundle import (
    ImportContext,
    Planned,
    Progress,
    SheetImporter,
    SheetOutcome,
    apply_plans,
    load_by,
    plan_row,
    register_sheet_importer,
)
from oreledger.core.errors import DomainError
from oreledger.core.workbook import ParsedRow, SheetSchema
from oreledger.grading.models import Grade, GradingStandard
from oreledger.trade.models import Contract, FloorPrice
from oreledger.trade.services import ImportedContract, prepare_imported_contracts

CENT = Decimal("0.01")
# The spec's vocabulary (core.bundle_columns says why not the model's).
CONTRACT_STATUSES = ("draft", "submitted", "approved", "completed", "terminated")

FLOOR_PRICES = SheetSchema(
    "floor_prices",
    (
        col.text("grade", "品级", is_key=True, max_length=col.CODE_LENGTH),
        col.date("valid_from", "有效期起", is_key=True),
        # Empty while the price holds until further notice.
        col.date("valid_to", "有效期止", required=False),
        col.decimal("floor_yuan", "指导价下限/元每吨", min_value=Decimal(0)),
    ),
)

CONTRACTS = SheetSchema(
    "contracts",
    (
        col.code("number", "合同编号"),
        col.uscc("seller_uscc", "卖方"),
        col.uscc("buyer_uscc", "买方"),
        col.site_code("origin_site_code", "发货场所"),
        col.site_code("destination_site_code", "收货场所"),
        col.text("grade", "品级", max_length=col.CODE_LENGTH),
        col.tonnes("quantity_t", "数量/吨"),
        col.decimal("unit_price_yuan", "单价/元每吨", min_value=Decimal(0)),
        col.date("valid_from", "有效期起"),
        col.date("valid_to", "有效期止"),
        col.choice("status", "状态", CONTRACT_STATUSES),
    ),
)


class GradeCodes:
    """Which grade codes each standard holds, from the database and the workbook's grades."""

    def __init__(self, ctx: ImportContext) -> None:
        standards: dict[str, tuple[datetime.date, set[str]]] = {}
        for standard in GradingStandard.objects.prefetch_related("grades"):
            standards[standard.code] = (
                standard.effective_from,
                {g.code for g in standard.grades.all()},
            )
        for row in ctx.declared.get("grades", {}).values():
            values = row.values
            if values.get("standard") and values.get("effective_from") and values.get("code"):
                _day, codes = standards.setdefault(
                    values["standard"], (values["effective_from"], set())
                )
                codes.add(values["code"])
        self.versions = sorted(standards.values(), key=lambda item: item[0])
        self._dates = [day for day, _codes in self.versions]

    def check(self, ctx: ImportContext, row: ParsedRow, column: str, day: datetime.date) -> None:
        """Report an unknown grade code, or no standard in force on `day`."""
        code = row.values[column]
        index = bisect.bisect_right(self._dates, day)
        if not index:
            ctx.error(
                row,
                "valid_from",
                "no_grading_standard",
                _("No grading standard is in force on %(date)s.") % {"date": day.isoformat()},
            )
        elif code not in self.versions[index - 1][1]:
            ctx.error(
                row,
                column,
                "unknown_grade",
                _("Unknown grade %(grade)s in the grading standard in force.") % {"grade": code},
            )


class GradeLookup:
    """Grades of the saved standards, by (day, code): used once grades are applied."""

    def __init__(self) -> None:
        self.standards = sorted(
            GradingStandard.objects.prefetch_related("grades"), key=lambda s: s.effective_from
        )
        self._dates = [s.effective_from for s in self.standards]
        self._grades = [{g.code: g for g in s.grades.all()} for s in self.standards]

    def get(self, code: str, day: datetime.date) -> Grade:
        """The grade `code` of the standard in force on `day` (validated beforehand)."""
        return self._grades[bisect.bisect_right(self._dates, day) - 1][code]


def _province_only(ctx: ImportContext, row: ParsedRow) -> bool:
    if ctx.scope is None or ctx.scope.level == "province":
        return True
    ctx.outside(row, "grade")
    return False


class FloorPriceImporter(SheetImporter):
    """The floor_prices sheet, keyed by (grade, valid_from): province-wide configuration."""

    schema = FLOOR_PRICES
    order = 1100
    depends_on = ("grades",)

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Grade in force on valid_from; validity ordered; only a province import."""
        codes = GradeCodes(ctx)
        for row in rows:
            if not row.valid or not _province_only(ctx, row):
                continue
            v = row.values
            codes.check(ctx, row, "grade", v["valid_from"])
            if v["valid_to"] is not None and v["valid_to"] < v["valid_from"]:
                ctx.error(
                    row,
                    "valid_to",
                    "validity_reversed",
                    _("The end of validity is before its start."),
                )
            if v["floor_yuan"] != v["floor_yuan"].quantize(CENT):
                ctx.error(row, "floor_yuan", "too_precise", _("Give the price in yuan and fen."))

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create or update by (grade, valid_from), with history."""
        grades = GradeLookup()
        valid = [row for row in rows if row.valid]
        existing = {
            (fp.grade.code, fp.valid_from): fp
            for fp in FloorPrice.objects.select_related("grade").filter(
                grade__code__in={row.values["grade"] for row in valid}
            )
        }
        plans: list[Planned] = []
        for row in valid:
            v = row.values
            values = {
                "grade": grades.get(v["grade"], v["valid_from"]),
                "valid_to": v["valid_to"],
                "floor_yuan": v["floor_yuan"].quantize(CENT),
            }
            current = existing.get((v["grade"], v["valid_from"]))
            plans.append(
                plan_row(
                    row,
                    current,
                    FloorPrice,
                    {"valid_from": v["valid_from"], **values} if current is None else values,
                )
            )
        return apply_plans(
            plans, ctx, progress, "floor_prices", fields=["grade", "valid_to", "floor_yuan"]
        )


def _county(ctx: ImportContext, region: Region) -> Region:
    node: Region | None = region
    while node is not None and node.level == "town":
        node = parent_region(ctx, node)
    return node or region


def _kg(ctx: ImportContext, row: ParsedRow) -> int | None:
    kg = row.values["quantity_t"] * 1000
    if kg != kg.to_integral_value():
        ctx.error(row, "quantity_t", "too_precise", _("Give the tonnage to the kilogram."))
        return None
    return int(kg)


# The sheet's column for each field a contract's rule names in its refusal.
RULE_COLUMNS = {
    "quantity_kg": "quantity_t",
    "unit_price": "unit_price_yuan",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
    "seller": "seller_uscc",
    "buyer": "buyer_uscc",
    "origin_site": "origin_site_code",
    "destination_site": "destination_site_code",
}


def _column_of(refusal: DomainError) -> str:
    # A refusal without a field is the ceiling's (below_delivered): the tonnage.
    return RULE_COLUMNS.get(next(iter(refusal.fields), "quantity_kg"), "quantity_t")


class ContractImporter(SheetImporter):
    """The contracts sheet: deals already registered by the county, keyed by number."""

    schema = CONTRACTS
    order = 1200
    depends_on = ("enterprises", "sites", "grades")

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Parties and sites known, grade in force, precision, scope; then the trade service's
        rules of every contract (two parties, a mine of the seller, a plant of the buyer,
        validity, a ceiling not below what was delivered)."""
        valid = [row for row in rows if row.valid]
        parties = [u for r in valid for u in (r.values["seller_uscc"], r.values["buyer_uscc"])]
        ctx.refer("enterprises", parties)
        ctx.refer(
            "sites",
            [
                c
                for r in valid
                for c in (r.values["origin_site_code"], r.values["destination_site_code"])
            ],
        )
        existing = load_by(Contract.objects.all(), "number", [r.values["number"] for r in valid])
        codes = GradeCodes(ctx)
        plans: list[tuple[ParsedRow, ImportedContract]] = []
        for row in valid:
            v = row.values
            if len(v["number"]) > Contract._meta.get_field("number").max_length:  # type: ignore[operator]
                ctx.error(row, "number", "too_long", _("The contract number is too long."))
            seller = self._party(ctx, row, "seller_uscc")
            buyer = self._party(ctx, row, "buyer_uscc")
            origin = self._site(ctx, row, "origin_site_code")
            destination = self._site(ctx, row, "destination_site_code")
            codes.check(ctx, row, "grade", v["valid_from"])
            kg = _kg(ctx, row)
            if v["unit_price_yuan"] != v["unit_price_yuan"].quantize(CENT):
                ctx.error(
                    row, "unit_price_yuan", "too_precise", _("Give the price in yuan and fen.")
                )
            if origin is not None:
                ctx.within(row, "origin_site_code", region_of(ctx, origin))
            if kg is None or any(r is None for r in (seller, buyer, origin, destination)):
                continue
            imported = ImportedContract(
                number=v["number"],
                current=existing.get(v["number"]),
                seller=seller,
                buyer=buyer,
                origin_site=origin,
                destination_site=destination,
                quantity_kg=kg,
                unit_price=v["unit_price_yuan"],
                valid_from=v["valid_from"],
                valid_to=v["valid_to"],
                status=v["status"],
                region=_county(ctx, region_of(ctx, origin)),
            )
            plans.append((row, imported))
        # The trade service decides each contract by the rules of every contract.
        for (row, _imported), prepared in zip(
            plans, prepare_imported_contracts(contracts=[i for _r, i in plans]), strict=True
        ):
            if isinstance(prepared, DomainError):
                ctx.error(row, _column_of(prepared), prepared.code, prepared.message)
        plans = [(row, imported) for row, imported in plans if row.valid]
        ctx.cache["plans:contracts"] = plans

    @staticmethod
    def _party(ctx: ImportContext, row: ParsedRow, column: str) -> Any:
        uscc = row.values[column].upper()
        return ctx.resolve(
            row,
            column,
            "enterprises",
            uscc,
            "unknown_enterprise",
            _("Unknown enterprise %(uscc)s.") % {"uscc": uscc},
        )

    @staticmethod
    def _site(ctx: ImportContext, row: ParsedRow, column: str) -> Any:
        code = row.values[column]
        return ctx.resolve(
            row, column, "sites", code, "unknown_site", _("Unknown site %(code)s.") % {"code": code}
        )

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create or update by number, with history, with the values the trade service decides
        (delivered tonnage is never imported)."""
        grades = GradeLookup()
        pending: list[tuple[ParsedRow, ImportedContract]] = ctx.cache["plans:contracts"]
        contracts = [
            replace(imported, grade=grades.get(row.values["grade"], imported.valid_from))
            for row, imported in pending
        ]
        plans: list[Planned] = []
        prepared = prepare_imported_contracts(contracts=contracts)
        for (row, imported), values in zip(pending, prepared, strict=True):
            if isinstance(values, DomainError):
                # Decided on the rows validation saw; this import's transaction is undone.
                raise values
            current = imported.current
            created = {"number": imported.number, **values} if current is None else values
            plans.append(plan_row(row, current, Contract, created))
        return apply_plans(
            plans,
            ctx,
            progress,
            "contracts",
            fields=[
                "seller",
                "buyer",
                "origin_site",
                "destination_site",
                "grade",
                "quantity_kg",
                "unit_price",
                "valid_from",
                "valid_to",
                "status",
                "region",
                "approved_at",
                "max_delivery_kg",
            ],
        )


def _all(importers: Iterable[SheetImporter]) -> None:
    for importer in importers:
        register_sheet_importer(importer)


_all((FloorPriceImporter(), ContractImporter()))
