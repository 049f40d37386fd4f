"""The departments' checklists the demo province ships, as rows of the bundle's `checklists`
sheet: for magnesite mines and plants, and for the chemical industry (危险化学品).

Every item names its legal basis. An article is cited only where the text is the law in force
that says it; otherwise the law, regulation or national standard alone. `stops` marks the
items whose failure stops production until the departments sign the rectification off.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

__all__ = ["CHECKLISTS", "PARK_COUNTY", "Item", "campaign_rows", "checklist_rows"]

# The county whose first town hosts the chemical park (demo.chempark).
PARK_COUNTY = "210882"


class Item(NamedTuple):
    """One checklist item: what is checked, on what basis, how grave, whether it stops work."""

    text: str
    basis: str
    severity: str = "medium"
    stops: bool = False


MINERAL_LAW = "《中华人民共和国矿产资源法》"
AIR_LAW = "《中华人民共和国大气污染防治法》"
EIA_LAW = "《中华人民共和国环境影响评价法》第二十五条"
DISCHARGE = "《排污许可管理条例》第二条"
SAFETY_LICENCE = "《安全生产许可证条例》第二条"
FIRE_LAW = "《中华人民共和国消防法》"
HAZCHEM = "《危险化学品安全管理条例》"
FILING = "《企业投资项目核准和备案管理条例》第十三条"
CATALOGUE = "《产业结构调整指导目录（2024年本）》"

MAGNESITE: dict[str, tuple[str, list[Item]]] = {
    "natural_resources": (
        "菱镁矿山自然资源检查表",
        [
            Item("采矿许可证在有效期内，开采矿种、开采方式与许可证一致", MINERAL_LAW, "high", True),
            Item("无越界开采：采场、坑道均在批准的矿区范围和开采深度内", MINERAL_LAW, "high", True),
            Item("储量年报按期报送，动用储量与开采量台账一致", "《矿产资源储量管理规定》"),
            Item("矿山地质环境保护与土地复垦方案按年度实施", "《矿山地质环境保护规定》"),
            Item(
                "排土场、堆场占地已办理用地手续，无未批先占",
                "《中华人民共和国土地管理法》第四十四条",
                "high",
            ),
        ],
    ),
    "ecology_environment": (
        "菱镁企业生态环境检查表",
        [
            Item("建设项目环境影响评价文件已批复，未批先建的不得生产", EIA_LAW, "high", True),
            Item("持有效排污许可证，按证排污、按期提交执行报告", DISCHARGE, "high", True),
            Item("料堆密闭或设不低于堆放物高度的围挡，并有效苫盖", f"{AIR_LAW}第七十二条"),
            Item("运输车辆密闭或苫盖，厂区出口设车辆冲洗设施，道路无遗撒", f"{AIR_LAW}第七十条"),
            Item("窑炉烟气除尘、脱硫设施正常运行，在线监测数据联网", AIR_LAW, "high"),
        ],
    ),
    "emergency_management": (
        "菱镁矿山安全生产检查表",
        [
            Item("持有效安全生产许可证", SAFETY_LICENCE, "high", True),
            Item(
                "爆破作业由具备资质的单位实施，爆破器材专库存放、领退登记",
                "《民用爆炸物品安全管理条例》",
                "high",
                True,
            ),
            Item("爆破警戒范围和警戒人员落实，符合爆破安全规程", "GB 6722-2014《爆破安全规程》"),
            Item(
                "露天采场台阶高度、坡面角符合设计，边坡无浮石、无伞檐",
                "GB 16423-2020《金属非金属矿山安全规程》",
                "high",
            ),
            Item(
                "尾矿库（排土场）坝体稳定、排洪设施畅通，在线监测正常运行",
                "GB 39496-2020《尾矿库安全规程》",
                "high",
                True,
            ),
            Item(
                "主要负责人和安全管理人员考核合格，特种作业人员持证上岗",
                "《中华人民共和国安全生产法》",
            ),
        ],
    ),
    "housing_construction": (
        "菱镁加工厂房建设检查表",
        [
            Item("新建、改建厂房开工前领取施工许可证", "《中华人民共和国建筑法》第七条", "high"),
            Item("厂房竣工后经竣工验收合格方投入使用", "《建设工程质量管理条例》第十六条", "high"),
            Item("窑炉平台、料仓等构筑物无擅自加层、改变用途", "《建设工程质量管理条例》"),
        ],
    ),
    "fire_rescue": (
        "菱镁企业消防安全检查表",
        [
            Item("厂房、仓库经消防验收或备案抽查合格", f"{FIRE_LAW}第十三条", "high", True),
            Item("消防设施、器材完好有效，疏散通道、安全出口畅通", f"{FIRE_LAW}第十六条"),
            Item("燃料油、煤气等可燃物储存区与窑炉保持防火间距", FIRE_LAW, "high"),
        ],
    ),
    "development_reform": (
        "菱镁产能与项目检查表",
        [
            Item("项目已核准或备案，建设内容与备案一致", FILING, "high"),
            Item(
                "无淘汰类窑炉：轻烧反射窑、单窑规模低于淘汰标准的竖窑已拆除",
                CATALOGUE,
                "high",
                True,
            ),
            Item("实际产能不超过备案产能，新增产能有产能置换方案", CATALOGUE, "medium"),
            Item("单位产品能耗达到菱镁行业能耗限额", "《中华人民共和国节约能源法》"),
        ],
    ),
}

CHEMICAL: dict[str, tuple[str, list[Item]]] = {
    "emergency_management": (
        "危险化学品企业安全检查表",
        [
            Item(
                "取得危险化学品安全生产许可证，许可范围与实际生产品种一致",
                f"{HAZCHEM}第十四条",
                "high",
                True,
            ),
            Item(
                "重大危险源已辨识、评估、登记建档并备案，实行监控",
                "《危险化学品重大危险源监督管理暂行规定》",
                "high",
                True,
            ),
            Item(
                "危险化学品储存在专用仓库，剧毒品双人收发、双人保管",
                f"{HAZCHEM}第二十四条",
                "high",
                True,
            ),
            Item(
                "作业场所监测、监控、通风、防火、防爆、泄压等安全设施齐全有效",
                f"{HAZCHEM}第二十条",
                "high",
            ),
            Item("产品附化学品安全技术说明书，包装粘贴安全标签", f"{HAZCHEM}第十五条"),
            Item(
                "动火、受限空间等特殊作业按规范审批、监护",
                "GB 30871-2022《危险化学品企业特殊作业安全规范》",
                "high",
            ),
            Item(
                "涉及危险工艺的装置实现自动化控制，安全仪表系统投用",
                "《关于公布首批重点监管的危险化工工艺目录的通知》",
                "high",
            ),
        ],
    ),
    "ecology_environment": (
        "化工企业生态环境检查表",
        [
            Item("建设项目环境影响评价文件已批复", EIA_LAW, "high", True),
            Item("持有效排污许可证，按证排污", DISCHARGE, "high", True),
            Item("含挥发性有机物废气在密闭空间或设备中产生并收集处理", f"{AIR_LAW}第四十五条"),
            Item(
                "危险废物分类贮存、设置识别标志，转移执行联单",
                "《中华人民共和国固体废物污染环境防治法》",
                "high",
            ),
        ],
    ),
    "fire_rescue": (
        "化工企业消防安全检查表",
        [
            Item("装置、罐区经消防验收合格", f"{FIRE_LAW}第十三条", "high", True),
            Item("消防水系统、泡沫系统和火灾自动报警系统完好有效", f"{FIRE_LAW}第十六条", "high"),
        ],
    ),
    "development_reform": (
        "化工项目与园区检查表",
        [
            Item("项目已核准或备案，建设内容与备案一致", FILING, "high"),
            Item("无淘汰类工艺、装置和产品", CATALOGUE, "high", True),
        ],
    ),
}

# (industry, department) → (checklist name, items), in the order the departments inspect.
CHECKLISTS: dict[tuple[str, str], tuple[str, list[Item]]] = {
    **{("magnesite", dept): value for dept, value in MAGNESITE.items()},
    **{("chemical", dept): value for dept, value in CHEMICAL.items()},
}


def checklist_rows(industries: tuple[str, ...] = ("magnesite", "chemical")) -> list[dict[str, Any]]:
    """The `checklists` sheet: one row per item of every department's list."""
    rows = []
    for (industry, department), (name, items) in CHECKLISTS.items():
        if industry not in industries:
            continue
        for position, item in enumerate(items, start=1):
            rows.append(
                {"department": department, "industry": industry, "position": position,
                 "name": name, "text": item.text, "legal_basis": item.basis,
                 "severity": item.severity, "stops_production": item.stops}
            )  # fmt: skip
    return rows


MAGNESITE_CAMPAIGN = "菱镁行业整合整治联合执法专项行动"
CHEMICAL_CAMPAIGN = "化工园区危险化学品安全整治专项行动"
MAGNESITE_DEPARTMENTS = ("natural_resources", "ecology_environment", "emergency_management",
                         "housing_construction", "fire_rescue", "development_reform")  # fmt: skip


def campaign_rows(today: date) -> list[dict[str, Any]]:
    """The `campaigns` sheet: the magnesite campaign in Haicheng and Dashiqiao, and the
    chemical park's, each under way on the demo's today."""
    magnesite = {
        "name": MAGNESITE_CAMPAIGN,
        "legal_basis": "《中华人民共和国矿产资源法》《中华人民共和国安全生产法》"
        "《中华人民共和国大气污染防治法》；省菱镁产业整合整治工作部署",
        "departments": ",".join(MAGNESITE_DEPARTMENTS),
        "enterprise_kinds": "mine_operator,processor",
        "regions": None,
    }
    return [
        {**magnesite, "region_code": "210381", "starts_on": today - timedelta(days=75),
         "ends_on": today + timedelta(days=100)},
        {**magnesite, "region_code": "210882", "starts_on": today - timedelta(days=60),
         "ends_on": today + timedelta(days=100)},
        {"name": CHEMICAL_CAMPAIGN, "region_code": PARK_COUNTY,
         "legal_basis": "《危险化学品安全管理条例》《安全生产许可证条例》",
         "starts_on": today - timedelta(days=45), "ends_on": today + timedelta(days=75),
         "departments": "emergency_management,ecology_environment,fire_rescue,development_reform",
         "enterprise_kinds": "chemical", "regions": None},
    ]  # fmt: skip
