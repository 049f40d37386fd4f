"""The sheets of the province bundle (docs/specs/province-bundle.md) as workbook schemas.

Choice lists are the spec's, spelled out here rather than borrowed from the models, so
that widening a model's vocabulary does not silently widen the bundle contract. Permit
type and department kind codes are configuration (docs/reference/permits.md), hence text.
"""

from __future__ import annotations

from decimal import Decimal

from oreledger.core.workbook import Column, ColumnKind, SheetSchema

__all__ = [
    "ASSAYS",
    "BUNDLE_SHEETS",
    "CONTRACTS",
    "ENTERPRISES",
    "FLOOR_PRICES",
    "GRADES",
    "PERMITS",
    "QUOTAS",
    "REGIONS",
    "SHEETS_BY_NAME",
    "SHEET_ORDER",
    "SITES",
    "STATIONS",
    "USERS",
    "VEHICLES",
]

REGION_LEVELS = ("province", "city", "county", "town")
USER_ROLES = (
    "province_office",
    "county_operator",
    "department_officer",
    "leader",
    "enterprise_user",
)
ENTERPRISE_KINDS = ("mine_operator", "processor", "trader", "haulier", "chemical", "other")
INDUSTRIES = ("magnesite", "alumina", "chemical", "other")
OPERATING_STATUSES = ("operating", "suspended", "rectifying", "shut_down")
SITE_KINDS = ("mine", "plant", "yard")
VEHICLE_STATUSES = ("registered", "blacklisted")
PERMIT_STATUSES = ("valid", "suspended", "revoked")
CONTRACT_STATUSES = ("draft", "submitted", "approved", "completed", "terminated")

# Generous bounds: they catch a slipped unit or a pasted paragraph, not domain rules.
CODE_LENGTH = 64
NAME_LENGTH = 200
USCC_LENGTH = 18
REGION_CODE_LENGTH = 12
PERCENT_MIN = Decimal(0)
PERCENT_MAX = Decimal(100)


def _text(
    key: str, label: str, *, required: bool = True, is_key: bool = False, max_length: int
) -> Column:
    return Column(key, label, ColumnKind.TEXT, required, is_key, max_length=max_length)


def _choice(key: str, label: str, choices: tuple[str, ...], *, required: bool = True) -> Column:
    return Column(key, label, ColumnKind.CHOICE, required, False, choices=choices)


def _decimal(
    key: str,
    label: str,
    *,
    required: bool = True,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> Column:
    return Column(
        key, label, ColumnKind.DECIMAL, required, False, min_value=min_value, max_value=max_value
    )


def _integer(
    key: str,
    label: str,
    *,
    is_key: bool = False,
    min_value: int | None = None,
    max_value: int | None = None,
) -> Column:
    return Column(
        key, label, ColumnKind.INTEGER, True, is_key, min_value=min_value, max_value=max_value
    )


def _date(key: str, label: str, *, required: bool = True, is_key: bool = False) -> Column:
    return Column(key, label, ColumnKind.DATE, required, is_key)


def _code(key: str, label: str = "编码") -> Column:
    return _text(key, label, is_key=True, max_length=CODE_LENGTH)


def _uscc(key: str, label: str, *, required: bool = True, is_key: bool = False) -> Column:
    # Length and GB 32100 checksum are checked by the importer (registry.identifiers).
    return _text(key, label, required=required, is_key=is_key, max_length=USCC_LENGTH)


def _region(key: str = "region_code", label: str = "区域代码", *, required: bool = True) -> Column:
    return _text(key, label, required=required, max_length=REGION_CODE_LENGTH)


def _site(key: str, label: str, *, required: bool = True, is_key: bool = False) -> Column:
    return _text(key, label, required=required, is_key=is_key, max_length=CODE_LENGTH)


def _tonnes(key: str, label: str, *, required: bool = True) -> Column:
    return _decimal(key, label, required=required, min_value=Decimal(0))


def _percent(key: str, label: str, *, required: bool) -> Column:
    return _decimal(key, label, required=required, min_value=PERCENT_MIN, max_value=PERCENT_MAX)


def _lat_lon() -> tuple[Column, Column]:
    return (
        _decimal("lat", "纬度", min_value=Decimal(-90), max_value=Decimal(90)),
        _decimal("lon", "经度", min_value=Decimal(-180), max_value=Decimal(180)),
    )


REGIONS = SheetSchema(
    "regions",
    (
        _text("code", "代码", is_key=True, max_length=REGION_CODE_LENGTH),
        _text("name_zh", "名称", max_length=NAME_LENGTH),
        _text("name_en", "英文名称", required=False, max_length=NAME_LENGTH),
        _choice("level", "级别", REGION_LEVELS),
        # Empty for the province at the root of the tree.
        _region("parent_code", "上级代码", required=False),
    ),
)

USERS = SheetSchema(
    "users",
    (
        _text("username", "用户名", is_key=True, max_length=150),
        _text("display_name", "姓名", max_length=NAME_LENGTH),
        _choice("role", "角色", USER_ROLES),
        # Which of the next three a row needs depends on its role; the importer checks that.
        _region(required=False),
        _text("department", "部门", required=False, max_length=CODE_LENGTH),
        _uscc("enterprise_uscc", "企业信用代码", required=False),
        Column("api_token", "API令牌", ColumnKind.BOOL_YES_NO, False, False),
    ),
)

ENTERPRISES = SheetSchema(
    "enterprises",
    (
        _uscc("uscc", "统一社会信用代码", is_key=True),
        _text("name", "企业名称", max_length=NAME_LENGTH),
        _choice("kind", "类型", ENTERPRISE_KINDS),
        _choice("industry", "行业", INDUSTRIES),
        _region(),
        _text("legal_rep", "法定代表人", required=False, max_length=NAME_LENGTH),
        _choice("status", "状态", OPERATING_STATUSES),
    ),
)

SITES = SheetSchema(
    "sites",
    (
        _code("code"),
        _uscc("enterprise_uscc", "企业信用代码"),
        _choice("kind", "类型", SITE_KINDS),
        _text("name", "名称", max_length=NAME_LENGTH),
        _region(),
        *_lat_lon(),
        Column("boundary", "范围", ColumnKind.JSON, False, False),
        _tonnes("capacity_t", "年产能/吨", required=False),
        _text("permitted_hours", "作业时段", required=False, max_length=CODE_LENGTH),
        _choice("status", "状态", OPERATING_STATUSES),
    ),
)

STATIONS = SheetSchema(
    "stations",
    (
        _code("code"),
        _text("name", "名称", max_length=NAME_LENGTH),
        # Empty for a public checkpoint that guards no mine or plant.
        _site("site_code", "所属场所", required=False),
        _region(),
        *_lat_lon(),
    ),
)

VEHICLES = SheetSchema(
    "vehicles",
    (
        # Printed plates carry a separator (辽C·12345); the importer normalises them.
        _text("plate", "车牌", is_key=True, max_length=16),
        _uscc("owner_uscc", "所属企业"),
        _integer("axles", "轴数", min_value=2, max_value=6),
        _integer("tare_kg", "皮重/千克", min_value=1),
        _choice("status", "状态", VEHICLE_STATUSES),
    ),
)

PERMITS = SheetSchema(
    "permits",
    (
        _code("number", "证号"),
        _text("type", "类型", max_length=CODE_LENGTH),
        _uscc("holder_uscc", "持证企业"),
        _site("site_code", "场所", required=False),
        _text("department", "发证部门", max_length=CODE_LENGTH),
        _region(),
        _date("valid_from", "有效期起"),
        _date("valid_to", "有效期止"),
        _choice("status", "状态", PERMIT_STATUSES),
        _tonnes("scope_t", "许可规模/吨每年", required=False),
        _text("mineral", "矿种", required=False, max_length=CODE_LENGTH),
    ),
)

GRADES = SheetSchema(
    "grades",
    (
        _text("standard", "标准", is_key=True, max_length=CODE_LENGTH),
        _text("code", "牌号", is_key=True, max_length=CODE_LENGTH),
        _text("name_zh", "名称", max_length=NAME_LENGTH),
        _integer("rank", "等级顺序", min_value=1),
        # Empty means the grade sets no limit on that component.
        _percent("mgo_min", "氧化镁下限/%", required=False),
        _percent("cao_max", "氧化钙上限/%", required=False),
        _percent("sio2_max", "二氧化硅上限/%", required=False),
        _percent("fe2o3_max", "三氧化二铁上限/%", required=False),
        _percent("al2o3_max", "三氧化二铝上限/%", required=False),
        _date("effective_from", "生效日期"),
    ),
)

QUOTAS = SheetSchema(
    "quotas",
    (
        _integer("period", "年度", is_key=True, min_value=2000, max_value=2100),
        # A region code or a mine site code; the importer tells which.
        _text("holder", "指标持有者", is_key=True, max_length=CODE_LENGTH),
        _text("mineral", "矿种", is_key=True, max_length=CODE_LENGTH),
        _tonnes("allocated_t", "指标/吨"),
    ),
)

ASSAYS = SheetSchema(
    "assays",
    (
        _site("site_code", "场所", is_key=True),
        _text("lot", "批次", is_key=True, max_length=CODE_LENGTH),
        _date("sampled_on", "取样日期"),
        # MgO, CaO and SiO2 are what the grading standard classifies on.
        _percent("mgo", "氧化镁/%", required=True),
        _percent("cao", "氧化钙/%", required=True),
        _percent("sio2", "二氧化硅/%", required=True),
        _percent("fe2o3", "三氧化二铁/%", required=False),
        _percent("al2o3", "三氧化二铝/%", required=False),
        _percent("loi", "烧失量/%", required=False),
        _text("lab", "化验单位", required=False, max_length=NAME_LENGTH),
    ),
)

FLOOR_PRICES = SheetSchema(
    "floor_prices",
    (
        _text("grade", "品级", is_key=True, max_length=CODE_LENGTH),
        _date("valid_from", "有效期起", is_key=True),
        # Empty while the price holds until further notice.
        _date("valid_to", "有效期止", required=False),
        _decimal("floor_yuan", "指导价下限/元每吨", min_value=Decimal(0)),
    ),
)

CONTRACTS = SheetSchema(
    "contracts",
    (
        _code("number", "合同编号"),
        _uscc("seller_uscc", "卖方"),
        _uscc("buyer_uscc", "买方"),
        _site("origin_site_code", "发货场所"),
        _site("destination_site_code", "收货场所"),
        _text("grade", "品级", max_length=CODE_LENGTH),
        _tonnes("quantity_t", "数量/吨"),
        _decimal("unit_price_yuan", "单价/元每吨", min_value=Decimal(0)),
        _date("valid_from", "有效期起"),
        _date("valid_to", "有效期止"),
        _choice("status", "状态", CONTRACT_STATUSES),
    ),
)

# Import order: every sheet comes after the sheets its rows refer to.
SHEET_ORDER: tuple[str, ...] = (
    "regions",
    "enterprises",
    "users",
    "sites",
    "stations",
    "vehicles",
    "permits",
    "grades",
    "quotas",
    "assays",
    "floor_prices",
    "contracts",
)

SHEETS_BY_NAME: dict[str, SheetSchema] = {
    schema.name: schema
    for schema in (
        REGIONS,
        ENTERPRISES,
        USERS,
        SITES,
        STATIONS,
        VEHICLES,
        PERMITS,
        GRADES,
        QUOTAS,
        ASSAYS,
        FLOOR_PRICES,
        CONTRACTS,
    )
}

BUNDLE_SHEETS: tuple[SheetSchema, ...] = tuple(SHEETS_BY_NAME[name] for name in SHEET_ORDER)
