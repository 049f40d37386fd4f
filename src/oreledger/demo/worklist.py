"""The demo's magnesite joint action: nine working groups part-way through their tasks,
weekly confirmations of the past weeks (some late, some missing) and a quarterly assessment.

Everything goes through the worklist's and assessment's services, with the clock set to
the moment each step happened, so statuses, notices and scores read like a real history.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from oreledger.accounts.choices import RegionLevel
from oreledger.accounts.models import Department, DepartmentKind, Region, User
from oreledger.assessment import services as assessment
from oreledger.assessment.queries import Period
from oreledger.core.localtime import local_midnight
from oreledger.registry.models import Enterprise
from oreledger.worklist import services
from oreledger.worklist.models import WorkingGroup
from oreledger.worklist.queries import week_of

DAY = datetime.timedelta(days=1)

# (group, lead department kind, member kinds, tasks: (title, measures, standard))
GROUPS: list[tuple[str, str, list[str], list[tuple[str, str, str]]]] = [
    (
        "矿山整合专班",
        "natural_resources",
        ["emergency_management", "ecology_environment"],
        [
            (
                "小散矿山整合重组",
                "逐矿核查储量与边界，制定一矿一策整合方案",
                "整合方案获批，被整合矿山注销采矿权",
            ),
            ("越界开采清理", "比对卫星影像与矿权范围，逐一立案", "越界图斑全部查处销号"),
        ],
    ),
    (
        "窑炉淘汰专班",
        "industry_it",
        ["ecology_environment", "power_supply"],
        [
            ("反射窑淘汰", "建立反射窑台账，明确拆除时限", "反射窑全部拆除并断电"),
            ("轻烧窑升级改造", "组织企业编制改造方案，验收排放", "改造窑炉排放达标并通过验收"),
        ],
    ),
    (
        "平台销售专班",
        "development_reform",
        ["market_regulation", "transport"],
        [
            ("矿石上平台交易", "组织矿山企业注册挂牌，合同线上备案", "辖区矿石销售全部线上成交"),
            ("磅单与合同核对", "每周比对磅单与合同量", "无合同出矿为零"),
        ],
    ),
    (
        "测绘与数据专班",
        "natural_resources",
        ["industry_it"],
        [
            ("矿区三维测绘", "委托测绘单位完成矿区实测", "测绘成果入库并与储量核实报告一致"),
            ("数据周报制度", "明确各部门数据报送人，周报上平台", "连续八周按时报送"),
        ],
    ),
    (
        "企业体检专班",
        "emergency_management",
        ["fire_rescue", "ecology_environment"],
        [
            ("企业安全体检", "按清单逐企检查，形成问题清单", "问题清单全部整改销号"),
            ("隐患整改复查", "对体检问题逐项复查", "复查合格率100%"),
        ],
    ),
    (
        "联合执法专班",
        "public_security",
        ["natural_resources", "transport"],
        [
            ("非法运输整治", "设卡检查超载与无票运输", "无票运输车辆全部查处"),
            ("盗采盗运打击", "夜间巡查，联合立案", "典型案件公开通报"),
        ],
    ),
    (
        "生态修复专班",
        "ecology_environment",
        ["forestry", "natural_resources"],
        [
            ("废弃矿山修复", "编制修复方案，落实修复资金", "修复面积达到年度目标"),
            ("粉尘治理", "料场全封闭，道路硬化洒水", "粉尘在线监测达标"),
        ],
    ),
    (
        "市场监管专班",
        "market_regulation",
        ["development_reform"],
        [
            ("产品质量抽检", "按月抽检镁砂产品", "抽检合格率不低于95%"),
            ("价格监测", "每周采集成交价格", "价格指数按周发布"),
        ],
    ),
    (
        "综合保障专班",
        "development_reform",
        ["housing_construction", "power_supply"],
        [
            ("分平台建设", "落实分平台场地、人员和经费", "分平台上线运行"),
            ("电力保障", "核查矿山用电户号，停电与复电联动", "关停矿山全部断电"),
        ],
    ),
]


def _department(kind: str, region: Region) -> Department:
    found = Department.objects.filter(kind__code=kind, region=region).first()
    if found is not None:
        return found
    return Department.objects.create(kind=DepartmentKind.objects.get(code=kind), region=region)


def create_demo_worklist(*, seed: int, today: datetime.date) -> dict[str, int]:
    """Nine groups with tasks per county part-way through, 12 weeks of confirmations, a scheme."""
    rng = random.Random(seed)
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    counties = list(
        Region.objects.filter(
            level=RegionLevel.COUNTY, pk__in=Enterprise.objects.values("region_id")
        ).order_by("code")
    )
    if province is None or not counties or WorkingGroup.objects.exists():
        return {"groups": 0, "tasks": 0, "confirmations": 0}
    start = week_of(today) - 10 * 7 * DAY
    tasks = 0
    for order, (name, lead, members, specs) in enumerate(GROUPS, start=1):
        group = services.create_working_group(
            actor=None,
            name=name,
            region=province,
            lead_department=_department(lead, province),
            members=[_department(kind, province) for kind in members],
            ordering=order,
        )
        for n, county in enumerate(counties):
            title, measures, standard = specs[n % len(specs)]
            tasks += 1
            _task(
                group,
                f"ZB{order:02d}-{county.code[-4:]}",
                title,
                measures,
                standard,
                _department(lead, county),
                start,
                today,
                rng,
            )
    confirmations = _confirmations(counties, today, rng)
    _scheme(counties, today, rng)
    return {"groups": len(GROUPS), "tasks": tasks, "confirmations": confirmations}


def _task(
    group: WorkingGroup,
    number: str,
    title: str,
    measures: str,
    standard: str,
    unit: Department,
    start: datetime.date,
    today: datetime.date,
    rng: random.Random,
) -> Any:
    """A task from ten weeks ago: on pace, lagging, silent, done on time or late, or overdue."""
    length = rng.choice([8, 12, 16, 20]) * 7
    due = start + (length - 1) * DAY
    mid, late = start + (length // 3) * DAY, start + (2 * length // 3) * DAY
    task = services.create_task(
        actor=None,
        group=group,
        number=number,
        title=f"{title}（{unit.region.name_zh}）",
        measures=measures,
        completion_standard=standard,
        responsible_department=unit,
        # The demo's officer of that unit, where there is one (Haicheng's natural resources).
        responsible_person=User.objects.filter(department=unit).order_by("pk").first(),
        start=start,
        due=due,
        milestones=[("完成摸底和方案", mid), ("完成主体工作", late)],
    )
    pace = rng.choice([1.0, 1.0, 1.1, 0.6, 0.0])  # 0.6 lags, 0.0 never reports
    week = start
    for milestone in task.milestones.all():
        if milestone.due < today and pace >= 1.0:
            services.complete_milestone(actor=None, milestone=milestone, on=milestone.due)
    while week + 4 * DAY <= min(today, due) and pace:
        share = min(100, int(pace * 100 * ((week - start).days + 7) / length))
        services.report_progress(
            actor=None,
            task=task,
            week=week,
            text=f"本周推进{title}，完成进度{share}%",
            percent=share,
            problems="部分企业配合度不高" if pace < 1 else "",
            help_needed="请市级协调供电公司" if pace < 1 and share > 30 else "",
            on=week + 4 * DAY,
        )
        week += 7 * DAY
    if due < today and pace >= 1.0:
        services.complete_task(actor=None, task=task, on=due + rng.choice([0, -3, 4]) * DAY)
    return task


def _confirmations(counties: list[Region], today: datetime.date, rng: random.Random) -> int:
    """Twelve past weeks per county: mostly on time, some late, some missing."""
    count = 0
    for county in counties:
        for n in range(12, 0, -1):
            week = week_of(today) - n * 7 * DAY
            roll = rng.random()
            if roll < 0.1:
                continue  # missing
            delay = 7 + rng.randint(0, 1) if roll < 0.85 else 7 + rng.randint(3, 6)
            day = min(week + delay * DAY, today)
            services.confirm_week(
                actor=None,
                region=county,
                week=week,
                comment="本周数据已核对完整",
                at=local_midnight(day) + datetime.timedelta(hours=rng.randint(9, 17)),
            )
            count += 1
    return count


def _scheme(counties: list[Region], today: datetime.date, rng: random.Random) -> None:
    """The quarterly assessment and each county's funding and staffing entries."""
    assessment.create_scheme(
        actor=None,
        code="magnesite-quarterly",
        name="菱镁联合行动季度考核",
        period="quarter",
        indicators=[
            ("funding", Decimal(10), "proportional", Decimal(1)),
            ("staffing", Decimal(10), "proportional", Decimal(1)),
            ("tasks_on_time", Decimal(20), "proportional", Decimal(1)),
            ("reporting_rate", Decimal(10), "proportional", Decimal(1)),
            ("on_time_rate", Decimal(10), "threshold", Decimal("0.8")),
            ("alerts_in_time", Decimal(15), "proportional", Decimal(1)),
            ("orders_on_time", Decimal(15), "proportional", Decimal(1)),
            ("appeals_in_time", Decimal(10), "proportional", Decimal(1)),
        ],
    )
    period = Period.containing("quarter", today)
    for n, county in enumerate(counties):
        funding = assessment.submit_evidence(
            actor=None,
            region=county,
            kind="funding",
            period=period,
            planned=Decimal(200),
            actual=Decimal(rng.choice([120, 160, 200])),
            evidence="县财政分平台建设经费拨付凭证",
        )
        staffing = assessment.submit_evidence(
            actor=None,
            region=county,
            kind="staffing",
            period=period,
            planned=Decimal(6),
            actual=Decimal(rng.choice([3, 5, 6])),
            evidence="编办关于分平台人员编制的批复",
        )
        assessment.decide_evidence(actor=None, entry=funding, approve=True)
        if n % 2 == 0:  # every other county's staffing still waits for the province
            assessment.decide_evidence(actor=None, entry=staffing, approve=True)
