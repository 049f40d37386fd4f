"""The columns of the registry's sheets of the province bundle (docs/specs/province-bundle.md):
enterprises, sites, stations, vehicles and permits. Their importers are in `importers`.

Permit type and department kind codes are configuration (docs/reference/permits.md), hence
text; the other vocabularies are the spec's (core.bundle_columns says why not the models').
"""

from __future__ import annotations

from oreledger.core import bundle_columns as col
from oreledger.core.workbook import Column, ColumnKind, SheetSchema

__all__ = ["ENTERPRISES", "PERMITS", "SITES", "STATIONS", "VEHICLES"]

ENTERPRISE_KINDS = ("mine_operator", "processor", "trader", "haulier", "chemical", "other")
INDUSTRIES = ("magnesite", "alumina", "chemical", "other")
OPERATING_STATUSES = ("operating", "suspended", "rectifying", "shut_down")
SITE_KINDS = ("mine", "plant", "yard")
VEHICLE_STATUSES = ("registered", "blacklisted")
PERMIT_STATUSES = ("valid", "suspended", "revoked")

ENTERPRISES = SheetSchema(
    "enterprises",
    (
        col.uscc("uscc", "统一社会信用代码", is_key=True),
        col.text("name", "企业名称", max_length=col.NAME_LENGTH),
        col.choice("kind", "类型", ENTERPRISE_KINDS),
        col.choice("industry", "行业", INDUSTRIES),
        col.region_code(),
        col.text("legal_rep", "法定代表人", required=False, max_length=col.NAME_LENGTH),
        col.choice("status", "状态", OPERATING_STATUSES),
    ),
)

SITES = SheetSchema(
    "sites",
    (
        col.code("code"),
        col.uscc("enterprise_uscc", "企业信用代码"),
        col.choice("kind", "类型", SITE_KINDS),
        col.text("name", "名称", max_length=col.NAME_LENGTH),
        col.region_code(),
        *col.lat_lon(),
        Column("boundary", "范围", ColumnKind.JSON, False, False),
        col.tonnes("capacity_t", "年产能/吨", required=False),
        col.text("permitted_hours", "作业时段", required=False, max_length=col.CODE_LENGTH),
        col.choice("status", "状态", OPERATING_STATUSES),
    ),
)

STATIONS = SheetSchema(
    "stations",
    (
        col.code("code"),
        col.text("name", "名称", max_length=col.NAME_LENGTH),
        # Empty for a public checkpoint that guards no mine or plant.
        col.site_code("site_code", "所属场所", required=False),
        col.region_code(),
        *col.lat_lon(),
    ),
)

VEHICLES = SheetSchema(
    "vehicles",
    (
        # Printed plates carry a separator (辽C·12345); the importer normalises them.
        col.text("plate", "车牌", is_key=True, max_length=16),
        col.uscc("owner_uscc", "所属企业"),
        col.integer("axles", "轴数", min_value=2, max_value=6),
        col.integer("tare_kg", "皮重/千克", min_value=1),
        col.choice("status", "状态", VEHICLE_STATUSES),
    ),
)

PERMITS = SheetSchema(
    "permits",
    (
        col.code("number", "证号"),
        col.text("type", "类型", max_length=col.CODE_LENGTH),
        col.uscc("holder_uscc", "持证企业"),
        col.site_code("site_code", "场所", required=False),
        col.text("department", "发证部门", max_length=col.CODE_LENGTH),
        col.region_code(),
        col.date("valid_from", "有效期起"),
        col.date("valid_to", "有效期止"),
        col.choice("status", "状态", PERMIT_STATUSES),
        col.tonnes("scope_t", "许可规模/吨每年", required=False),
        col.text("mineral", "矿种", required=False, max_length=col.CODE_LENGTH),
    ),
)
