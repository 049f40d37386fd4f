"""The enterprise check-up: a demo-like mine operator's score recomputed by hand, point by
point; the page, the PDF (fonts embedded) and the enterprise file show the same figure."""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from oreledger.accounts.models import DepartmentKind
from oreledger.accounts.tests.factories import department
from oreledger.alerts.engine import raise_alert
from oreledger.alerts.models import Alert, Case
from oreledger.inspections.checkup import RULES, score_enterprise
from oreledger.inspections.models import RectificationOrder
from oreledger.inspections.queries import checklists_for, items_for
from oreledger.inspections.services import (
    create_campaign,
    issue_order,
    publish_checklist,
    submit_inspection,
)
from oreledger.inspections.tests.support import ECOLOGY, NATURAL_RESOURCES, today
from oreledger.quotas.models import Mineral, QuotaAccount
from oreledger.quotas.services import allocate_children, allocate_quota, open_period
from oreledger.registry.models import PermitType
from oreledger.registry.tests.factories import EnterpriseFactory, PermitFactory, SiteFactory
from testkit.matrix import check_matrix
from testkit.pdf import assert_fonts_embedded, text

pytestmark = pytest.mark.django_db

SAFETY = [
    {"text": "安全生产许可证在有效期内", "severity": "high", "stops_production": True},
    {"text": "爆破作业由持证人员实施", "severity": "medium"},
    {"text": "应急预案已备案并演练", "severity": "low"},
]
FAILING = {
    "无越界开采": "东侧越界约30米",  # natural resources, grave: procedures −8
    "料堆和运输车辆苫盖": "料堆裸露",  # ecology, serious: environment −4
    "爆破作业由持证人员实施": "爆破员证过期",  # emergency management, serious: safety −4
    "应急预案已备案并演练": "未演练",  # emergency management, minor: safety −2
}
T = 1000


def _type(code: str) -> int:
    return PermitType.objects.get(code=code).pk


@pytest.fixture
def mine(world):
    """Huaxin's mine with its permits as the demo gives a mine operator: two valid, one
    expiring, one expired, the discharge permit never obtained."""
    enterprise = world.user("enterprise_user").enterprise
    site = SiteFactory(code="HC-M-301", enterprise=enterprise, name="华鑫三矿")
    hc = world.haicheng
    day = today()
    for number, code, on_site, kind, valid_to in (
        ("BL-301", "business_licence", False, "market_regulation", day.replace(year=day.year + 3)),
        ("ML-301", "mining_licence", True, "natural_resources", day.replace(year=day.year + 3)),
        (
            "SP-301",
            "safety_production_licence",
            True,
            "emergency_management",
            day + datetime.timedelta(days=10),
        ),
        ("EIA-301", "eia_approval", True, "ecology_environment", day - datetime.timedelta(days=5)),
    ):
        PermitFactory(
            number=number,
            type_id=_type(code),
            holder=enterprise,
            site=site if on_site else None,
            department=department(kind, hc),
            valid_from=day.replace(year=day.year - 5),
            valid_to=valid_to,
        )
    return site


@pytest.fixture
def campaign(world):
    kinds = {
        k.code: k
        for k in DepartmentKind.objects.filter(
            code__in=["natural_resources", "ecology_environment", "emergency_management"]
        )
    }
    for code, name, items in (
        ("natural_resources", "自然资源检查表", NATURAL_RESOURCES),
        ("ecology_environment", "生态环境检查表", ECOLOGY),
        ("emergency_management", "应急管理检查表", SAFETY),
    ):
        publish_checklist(
            actor=None, department_kind=kinds[code], industry="magnesite", name=name, items=items
        )
    return create_campaign(
        actor=world.user("haicheng_operator"),
        name="菱镁行业联合执法专项行动",
        region=world.haicheng,
        starts_on=today() - datetime.timedelta(days=20),
        ends_on=today() + datetime.timedelta(days=70),
        departments=list(kinds.values()),
    )


@pytest.fixture
def history(world, mine, campaign):
    """One inspection failing four items, two orders (one overdue), quota 95 % used, two open
    alerts and a resolved one, an open case and a closed one."""
    inspection, _ = submit_inspection(
        actor=world.user("department_officer"),
        campaign=campaign,
        site=mine,
        submission_key=uuid.uuid4(),
        inspected_on=today() - datetime.timedelta(days=12),
        results=[
            {
                "item": item.pk,
                "outcome": "fail" if item.text in FAILING else "pass",
                "note": FAILING.get(item.text, ""),
            }
            for item in items_for(checklists_for(campaign, "magnesite"))
        ],
    )
    by_text = {f.result.item.text: f for f in inspection.findings.select_related("result__item")}
    operator = world.user("haicheng_operator")
    dust = issue_order(
        actor=operator,
        findings=[by_text["料堆和运输车辆苫盖"]],
        target="料堆全部苫盖",
        measures="购置苫盖网",
        deadline=today() + datetime.timedelta(days=5),
        responsible_person="刘工",
    )
    # The dust order's deadline has since passed (an order is issued with a future one).
    RectificationOrder.objects.filter(pk=dust.pk).update(deadline=today() - datetime.timedelta(3))
    issue_order(
        actor=operator,
        findings=[by_text["爆破作业由持证人员实施"], by_text["应急预案已备案并演练"]],
        target="爆破与应急整改",
        measures="换证、演练",
        deadline=today() + datetime.timedelta(days=20),
        responsible_person="王工",
    )
    Mineral.objects.get_or_create(
        code="magnesite", defaults={"name_zh": "菱镁矿", "name_en": "Magnesite"}
    )
    year = today().year
    open_period(actor="test", year=year)
    common = {"actor": "test", "period": year, "mineral": "magnesite"}
    allocate_quota(**common, holder=world.province, allocated_kg=10_000 * T)
    allocate_children(**common, allocations=[(world.haicheng, 4_000 * T)])
    allocate_children(**common, allocations=[(mine, 1_000 * T)])
    # 950 t weighed out of 1,000 t (the weighing path's draws are not this test's subject).
    QuotaAccount.objects.filter(holder_site=mine).update(consumed_kg=950 * T)
    for ref in ("HC-ST-301#1", "HC-ST-301#2", "HC-ST-301#3"):
        raise_alert(
            rule="overload",
            region=world.haicheng,
            subject_type="ticket",
            subject_ref=ref,
            at=timezone.now(),
            refs={},
            evidence={},
            enterprise_id=mine.enterprise_id,
            site_id=mine.pk,
        )
    Alert.objects.filter(subject_ref="HC-ST-301#3").update(status="resolved")
    for number, status in (("HC-2026-901", "investigating"), ("HC-2026-902", "closed")):
        Case.objects.create(
            number=number,
            title="超载运输",
            region=world.haicheng,
            enterprise=mine.enterprise,
            status=status,
        )
    # Another enterprise's troubles are not this one's.
    other = EnterpriseFactory(region=world.haicheng)
    Case.objects.create(
        number="HC-2026-903", title="无证开采", region=world.haicheng, enterprise=other
    )
    return inspection


def test_the_score_is_recomputed_point_by_point(world, mine, campaign, history) -> None:
    # when the check-up scores the enterprise
    checkup = score_enterprise(mine.enterprise, campaign)
    # then every point lost is one rule applied to one record
    lost = {d.key: [(x.rule.code, x.points) for x in d.deductions] for d in checkup.dimensions}
    assert lost == {
        # 25 − (5 missing discharge permit + 5 expired EIA + 2 expiring safety licence
        #       + 8 grave boundary finding) = 5
        "procedures": [
            ("procedures.permit_lapsed", 5),
            ("procedures.permit_missing", 5),
            ("procedures.permit_expiring", 2),
            ("procedures.finding_high", 8),
        ],
        # 25 − (4 serious blasting + 2 minor drill + 3 their open order) = 16
        "safety": [
            ("safety.finding_medium", 4),
            ("safety.finding_low", 2),
            ("safety.order_open", 3),
        ],
        # 25 − (4 serious dust covers + 3 open order + 3 overdue) = 15
        "environment": [
            ("environment.finding_medium", 4),
            ("environment.order_open", 3),
            ("environment.order_overdue", 3),
        ],
        # 25 − (5 quota 95 % used + 2 × 2 open alerts + 5 open case) = 11
        "production": [
            ("production.quota_near", 5),
            ("production.alert_open", 2),
            ("production.alert_open", 2),
            ("production.case_open", 5),
        ],
    }
    assert [d.score for d in checkup.dimensions] == [5, 16, 15, 11]
    assert (checkup.score, checkup.maximum) == (47, 100)
    # and each reason names the record it comes from, in Chinese
    seen = (today() - datetime.timedelta(days=12)).isoformat()
    dust, blasting = RectificationOrder.objects.order_by("number")
    assert [x.reason for d in checkup.dimensions for x in d.deductions] == [
        "环境影响评价批复（HC-M-301）：已过期",
        "排污许可证（HC-M-301）：缺失",
        "安全生产许可证（HC-M-301）：即将到期",
        f"{seen} 自然资源局：无越界开采：东侧越界约30米",
        f"{seen} 应急管理局：爆破作业由持证人员实施：爆破员证过期",
        f"{seen} 应急管理局：应急预案已备案并演练：未演练",
        f"整改通知书 {blasting.number}（期限 {blasting.deadline.isoformat()}）：爆破与应急整改",
        f"{seen} 生态环境局：料堆和运输车辆苫盖：料堆裸露",
        f"整改通知书 {dust.number}（期限 {dust.deadline.isoformat()}）：料堆全部苫盖",
        f"整改通知书 {dust.number} 自 {dust.deadline.isoformat()} 起逾期",
        f"HC-M-301 {today().year} 年度：限额使用率 95.0%",
        f"预警“超载”，自 {today().isoformat()} 起",
        f"预警“超载”，自 {today().isoformat()} 起",
        "案件 HC-2026-901：超载运输",
    ]


def test_a_dimension_never_drops_below_zero(world, mine, campaign, history) -> None:
    # given six more open cases (6 × 5 points) on top of the 14 already lost in production
    for n in range(6):
        Case.objects.create(
            number=f"HC-2026-91{n}",
            title="超载运输",
            region=world.haicheng,
            enterprise=mine.enterprise,
        )
    checkup = score_enterprise(mine.enterprise, campaign)
    production = checkup.dimensions[-1]
    # then production counts as zero, with every deduction still listed
    assert (production.lost, production.score, production.capped) == (25, 0, True)
    assert len(production.deductions) == 4 + 6
    assert checkup.score == 5 + 16 + 15 + 0


def test_the_rules_table_is_the_documented_one() -> None:
    # given docs/reference/checkup.md's table of rules
    doc = (Path(__file__).resolve().parents[4] / "docs/reference/checkup.md").read_text()
    documented = [
        (m["code"], m["dimension"], int(m["points"]))
        for m in re.finditer(
            r"^\| `(?P<code>[a-z_.]+)` \| (?P<dimension>\w+) \| (?P<points>\d+) \|", doc, re.M
        )
    ]
    # then it lists every rule of RULES, in order, with its dimension and points
    assert documented == [(r.code, r.dimension, r.points) for r in RULES]
    assert {r.dimension for r in RULES} == {"procedures", "safety", "environment", "production"}


def test_page_pdf_and_file_show_the_same_score(world, mine, campaign, history) -> None:
    client = world.client("haicheng_operator")
    url = reverse("inspections:checkup", args=[campaign.pk, mine.enterprise.uscc])
    page = client.get(url).content.decode()
    assert 'data-testid="checkup-score">47 / 100' in page
    assert "东侧越界约30米" in page
    response = client.get(
        reverse("inspections:checkup_pdf", args=[campaign.pk, mine.enterprise.uscc])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_fonts_embedded(response.content)
    body = text(response.content)
    for phrase in (
        "企业体检报告",
        mine.enterprise.name,
        "47 / 100",
        "东侧越界约30米",
        "HC-2026-901",
    ):
        assert phrase in body, phrase
    dossier = client.get(reverse("registry:enterprise_detail", args=[mine.enterprise.uscc]))
    assert 'data-testid="dossier-checkup-score">47 / 100' in dossier.content.decode()


def test_the_checkup_matrix(world, mine, campaign, history) -> None:
    uscc = mine.enterprise.uscc
    for name in ("inspections:checkup", "inspections:checkup_pdf"):
        check_matrix(
            world,
            lambda c, name=name: c.get(reverse(name, args=[campaign.pk, uscc])),
            {
                "province_officer": 200,
                "haicheng_operator": 200,
                "dashiqiao_operator": 404,
                "department_officer": 200,
                "enterprise_user": 404,
                "anonymous": 302,
            },
            watch=[RectificationOrder, Case],
        )


def test_an_enterprise_outside_the_campaign_has_no_checkup(world, campaign) -> None:
    outside = EnterpriseFactory(region=world.dashiqiao)
    response = world.client("province_officer").get(
        reverse("inspections:checkup", args=[campaign.pk, outside.uscc])
    )
    assert response.status_code == 404
