"""Reference tables the demo province is configured with, its scale and its demo logins."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from oreledger.demo.geography import County
from oreledger.registry.identifiers import PLATE_LETTERS

GRADING_STANDARD = "LN-MG-2025"
GRADING_EFFECTIVE = date(2025, 1, 1)

# docs/reference/grades.md: code, name_zh, rank, MgO ≥, CaO ≤, SiO2 ≤ (None = no limit).
GRADES: tuple[tuple[str, str, int, float, float | None, float | None], ...] = (
    ("LMT-47", "特级", 1, 47.0, 0.6, 0.6),
    ("LM-46", "一级", 2, 46.0, 0.8, 1.2),
    ("LM-45", "二级", 3, 45.0, 1.5, 1.5),
    ("LM-44", "三级", 4, 44.0, 2.0, 2.0),
    ("LM-41", "四级", 5, 41.0, 4.0, 4.0),
    ("LG", "贫矿", 6, 0.0, None, None),
)
FLOOR_YUAN = {"LMT-47": 520, "LM-46": 380, "LM-45": 260, "LM-44": 180, "LM-41": 110, "LG": 35}
# Assay bands in hundredths of a percent: MgO, CaO, SiO2, Fe2O3, Al2O3 ranges that classify
# as the grade; LOI comes last so that the components never sum above 100 %.
ASSAY_BANDS: dict[str, tuple[tuple[int, int], ...]] = {
    "LMT-47": ((4700, 4750), (30, 60), (30, 60), (20, 40), (5, 15)),
    "LM-46": ((4600, 4699), (35, 80), (40, 120), (20, 50), (5, 20)),
    "LM-45": ((4500, 4599), (60, 150), (60, 150), (30, 60), (10, 30)),
    "LM-44": ((4400, 4499), (80, 190), (80, 190), (30, 70), (10, 35)),
    "LM-41": ((4100, 4399), (150, 300), (150, 300), (40, 80), (15, 40)),
    "LG": ((4000, 4095), (200, 300), (200, 300), (50, 80), (20, 40)),
}
TYPICAL_GRADE_WEIGHTS = {"LMT-47": 8, "LM-46": 22, "LM-45": 30, "LM-44": 25, "LM-41": 15}


def grade_of(mgo: int, cao: int, sio2: int) -> str:
    """The best grade whose limits an assay (in hundredths of a percent) meets."""
    for code, _name, _rank, mgo_min, cao_max, sio2_max in GRADES:
        if (
            mgo >= round(mgo_min * 100)
            and (cao_max is None or cao <= round(cao_max * 100))
            and (sio2_max is None or sio2 <= round(sio2_max * 100))
        ):
            return code
    return GRADES[-1][0]


def assay(rng: random.Random, grade: str) -> tuple[int, int, int, int, int, int]:
    """An assay (MgO, CaO, SiO2, Fe2O3, Al2O3, LOI in hundredths of a percent) of a grade."""
    mgo, cao, sio2, fe2o3, al2o3 = (rng.randint(low, high) for low, high in ASSAY_BANDS[grade])
    # Loss on ignition of magnesite is 50–51.5 %; impure ore gives up CaO and SiO2 so that
    # the components never sum above 100 %.
    excess = mgo + cao + sio2 + fe2o3 + al2o3 + 5000 + 5 - 10000
    if excess > 0:
        cut = math.ceil(excess / 2)
        cao, sio2 = max(30, cao - cut), max(30, sio2 - cut)
    base = mgo + cao + sio2 + fe2o3 + al2o3
    loi = rng.randint(5000, min(5150, 10000 - base - 5))
    return (mgo, cao, sio2, fe2o3, al2o3, loi)


# docs/reference/permits.md: issuing department per permit type, and the required-permit matrix.
PERMIT_DEPARTMENTS = {
    "business_licence": "market_regulation",
    "mining_licence": "natural_resources",
    "safety_production_licence": "emergency_management",
    "eia_approval": "ecology_environment",
    "pollutant_discharge_permit": "ecology_environment",
    "project_filing": "development_reform",
    "land_use_approval": "natural_resources",
    "forest_land_approval": "forestry",
    "construction_permit": "housing_construction",
    "fire_acceptance": "fire_rescue",
    "road_transport_licence": "transport",
    "hazardous_chemicals_licence": "emergency_management",
    "capacity_replacement": "industry_it",
}
REQUIRED_PERMITS: dict[str, tuple[str, ...]] = {
    "mine": (
        "mining_licence",
        "safety_production_licence",
        "eia_approval",
        "pollutant_discharge_permit",
    ),
    "plant": (
        "project_filing",
        "land_use_approval",
        "eia_approval",
        "pollutant_discharge_permit",
        "construction_permit",
        "fire_acceptance",
    ),
    "haulier": ("road_transport_licence",),
    "chemical": (
        "project_filing",
        "eia_approval",
        "pollutant_discharge_permit",
        "safety_production_licence",
        "hazardous_chemicals_licence",
        "fire_acceptance",
    ),
}
# Optional permits some holders carry: mines on forest land, plants with kilns.
OPTIONAL_PERMITS = {"mine": ("forest_land_approval", 0.25), "plant": ("capacity_replacement", 0.3)}

# Tare range (kg) by axle count for loaded-ore trucks; most mining trucks have 5 or 6 axles.
TARE_KG_BY_AXLES = {
    2: (6000, 9000),
    3: (10000, 13000),
    4: (13000, 16000),
    5: (14000, 17000),
    6: (15000, 18000),
}
AXLE_WEIGHTS = {2: 4, 3: 6, 4: 8, 5: 22, 6: 60}
OTHER_PLATE_PREFIXES = ("辽A", "辽B", "辽E", "辽G", "辽L", "吉A", "蒙D")
NEW_ENERGY_SHARE = 0.03
BLACKLISTED_SHARE = 0.005
# Shares of permits (outside business licences) with a problem, and of holders missing one.
PERMIT_PROBLEMS: tuple[tuple[str, float], ...] = (
    ("expiring", 0.03),  # valid_to within 30 days
    ("expired", 0.03),
    ("suspended", 0.025),
    ("revoked", 0.005),
)
MISSING_SHARE = 0.03


@dataclass(frozen=True)
class DemoScale:
    """How many of each thing the demo province has; the default is the realistic province."""

    mines: int = 30
    plants: int = 100
    yards: int = 6
    second_site_share: float = 0.1  # share of mines and plants whose owner already has one
    traders: int = 6
    chemical: int = 3
    hauliers: int = 28
    others: int = 0
    trucks: int = 1200
    towns_per_county: tuple[int, int] = (2, 4)
    checkpoints_per_county: tuple[int, int] = (2, 4)
    assays_per_mine: tuple[int, int] = (3, 6)
    contracts_per_mine: tuple[int, int] = (2, 5)

    @classmethod
    def benchmark(cls) -> DemoScale:
        """About 10,000 enterprises, 20,000 sites, 30,000 permits and 50,000 vehicles."""
        return cls(
            mines=900,
            plants=2400,
            yards=16700,
            traders=3000,
            chemical=100,
            hauliers=1500,
            others=2430,
            trucks=50000,
        )


@dataclass(frozen=True)
class DemoUser:
    """A demo login: who it is, where it looks, and which demo enterprise it belongs to."""

    username: str
    display_name: str
    role: str
    region_code: str
    description_zh: str
    description_en: str
    department: str = ""
    enterprise: str = ""  # "mine" or "plant": the first Haicheng mine operator or processor
    api_token: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("province_office", "刘志刚", "province_office", "210000",
             "省菱镁产业领导小组办公室", "Provincial leading-group office", api_token=True),
    DemoUser("anshan_leader", "张建国", "leader", "210300",
             "鞍山市领导（只读）", "Anshan city leader (read-only)"),
    DemoUser("haicheng_operator", "王丽娟", "county_operator", "210381",
             "海城市分平台操作员", "Haicheng county sub-platform operator"),
    DemoUser("dashiqiao_operator", "李明", "county_operator", "210882",
             "大石桥市分平台操作员", "Dashiqiao county sub-platform operator"),
    DemoUser("haicheng_natres", "赵海峰", "department_officer", "210381",
             "海城市自然资源局干部", "Haicheng natural resources bureau officer",
             department="natural_resources"),
    DemoUser("hc_mine_user", "孙德胜", "enterprise_user", "210381",
             "海城市首家矿山企业用户", "User of the first Haicheng mine operator",
             enterprise="mine", api_token=True),
    DemoUser("hc_plant_user", "周晓燕", "enterprise_user", "210381",
             "海城市首家加工企业用户", "User of the first Haicheng processing plant",
             enterprise="plant"),
    DemoUser("xiuyan_operator", "关志远", "county_operator", "210323",
             "岫岩县分平台操作员", "Xiuyan county sub-platform operator"),
    DemoUser("fengcheng_operator", "陈春梅", "county_operator", "210682",
             "凤城市分平台操作员", "Fengcheng county sub-platform operator"),
    DemoUser("kuandian_operator", "佟振宇", "county_operator", "210624",
             "宽甸县分平台操作员", "Kuandian county sub-platform operator"),
    DemoUser("liaoyang_county_operator", "郝立新", "county_operator", "211021",
             "辽阳县分平台操作员", "Liaoyang County sub-platform operator"),
    # Inspectors of the joint campaigns: they find, and sign rectifications off.
    DemoUser("haicheng_ecology", "钱文博", "department_officer", "210381",
             "海城市生态环境局干部", "Haicheng ecology and environment bureau officer",
             department="ecology_environment"),
    DemoUser("dsq_emergency", "高建华", "department_officer", "210882",
             "大石桥市应急管理局干部（化工园区）",
             "Dashiqiao emergency management bureau officer (chemical park)",
             department="emergency_management"),
    DemoUser("dsq_fire", "马振东", "department_officer", "210882",
             "大石桥市消防救援大队干部", "Dashiqiao fire and rescue officer",
             department="fire_rescue"),
)  # fmt: skip


def permit_number(permit_type: str, serial: int, uscc: str, county: County, issued: date) -> str:
    """A permit number in the style its department prints (serial is per permit type)."""
    n, year, abbrev = serial, issued.year, county.doc_abbrev
    if permit_type == "business_licence":
        return uscc  # a business licence carries the enterprise's USCC as its number
    formats = {
        "mining_licence": f"C{county.code}{year}{issued.month:02d}1130{n:06d}",
        "safety_production_licence": f"（辽）FM安许证字〔{year}〕{n:04d}",
        "hazardous_chemicals_licence": f"（辽）WH安许证字〔{year}〕{n:04d}",
        "eia_approval": f"{abbrev}环审〔{year}〕{n}号",
        "pollutant_discharge_permit": f"{uscc}{n:03d}P",
        "project_filing": f"{year}-{county.code}-30-03-{n:06d}",
        "land_use_approval": f"{abbrev}政地〔{year}〕{n}号",
        "forest_land_approval": f"{abbrev}林审字〔{year}〕{n}号",
        "construction_permit": f"{county.code}{issued:%Y%m%d}{n:04d}",
        "fire_acceptance": f"{abbrev}消验字〔{year}〕第{n:04d}号",
        "road_transport_licence": f"辽交运管许可{county.city_abbrev}字{county.code}{n:06d}号",
        "capacity_replacement": f"{abbrev}工信发〔{year}〕{n}号",
    }
    return formats[permit_type]


def plate(rng: random.Random, prefix: str, *, new_energy: bool) -> str:
    """A plate under a province-and-authority prefix such as 辽C, in the common serial styles."""

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    if new_energy:
        if rng.random() < 0.8:  # heavy trucks carry the large-vehicle form: 5 digits + D/F
            return prefix + digits(5) + rng.choice("DF")
        return prefix + rng.choice("DF") + rng.choice("0123456789" + PLATE_LETTERS) + digits(4)
    draw = rng.random()
    if draw < 0.55:
        serial = digits(5)
    elif draw < 0.85:
        serial = rng.choice(PLATE_LETTERS) + digits(4)
    elif draw < 0.95:
        serial = digits(1) + rng.choice(PLATE_LETTERS) + digits(3)
    else:
        serial = rng.choice(PLATE_LETTERS) + rng.choice(PLATE_LETTERS) + digits(3)
    return prefix + serial
