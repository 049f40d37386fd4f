"""The campaign dashboard: its figures by town and by department recounted from the raw rows,
the drill-down lists the records behind each figure, the export writes the same figures."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oreledger.accounts.models import Region
from oreledger.inspections.models import (
    Checklist,
    Finding,
    Inspection,
    OrderSignoff,
    RectificationOrder,
)
from oreledger.inspections.queries import (
    campaign_counts,
    campaign_dashboard,
    enterprises_in_scope,
)
from oreledger.inspections.services import add_target, issue_order
from oreledger.inspections.tests.support import build_loop, inspect, today
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

LICENCE = "采矿许可证在有效期内"
BOUNDARY = "无越界开采"
COVERS = "料堆和运输车辆苫盖"


@pytest.fixture
def towns(world):
    return [
        Region.objects.create(
            code=code, name_zh=name, name_en="", level="town", parent=world.haicheng
        )
        for code, name in (
            ("210381101", "牌楼镇"),
            ("210381102", "八里镇"),
            ("210381103", "英落镇"),
        )
    ]


@pytest.fixture
def loop(world, towns):
    """Five mines in two towns and one at the county seat, four inspected; three orders:
    one closed, one overdue, one open; a Dashiqiao visit that must not count."""
    loop = build_loop(world)
    operator = world.user("haicheng_operator")
    add_target(
        actor=operator,
        campaign=loop.campaign,
        kind="inspected",
        goal_pct=60,
        due_on=today() + datetime.timedelta(days=30),
    )
    add_target(
        actor=operator,
        campaign=loop.campaign,
        kind="findings_closed",
        goal_pct=80,
        due_on=today() + datetime.timedelta(days=60),
    )
    paiou, bali, _ = towns
    sites = [
        SiteFactory(code=f"HC-M-4{n:02d}", enterprise=EnterpriseFactory(region=town), region=town)
        for n, town in enumerate([paiou, paiou, bali, bali])
    ]
    seat = SiteFactory(code="HC-M-499", enterprise=world.user("enterprise_user").enterprise)
    a = inspect(world, loop, sites[0], {COVERS: "裸露"})
    inspect(world, loop, sites[0])  # a second visit to the same enterprise
    inspect(world, loop, sites[1])
    b = inspect(world, loop, sites[2], {LICENCE: "过期", BOUNDARY: "越界"})
    c = inspect(world, loop, seat, {COVERS: "未盖"})
    deadline = today() + datetime.timedelta(days=10)
    closed = issue_order(
        actor=operator,
        findings=list(a.findings.all()),
        target="苫盖",
        measures="苫盖",
        deadline=deadline,
        responsible_person="甲",
    )
    RectificationOrder.objects.filter(pk=closed.pk).update(status="closed")
    overdue = issue_order(
        actor=operator,
        findings=list(b.findings.all()),
        target="补证",
        measures="补证",
        deadline=deadline,
        responsible_person="乙",
    )
    RectificationOrder.objects.filter(pk=overdue.pk).update(
        deadline=today() - datetime.timedelta(1)
    )
    issue_order(
        actor=operator,
        findings=list(c.findings.all()),
        target="苫盖",
        measures="苫盖",
        deadline=deadline,
        responsible_person="丙",
    )
    return loop


def _raw_by_town(campaign, region):
    """The dashboard's row for one region, counted in Python from the raw rows."""
    today_ = today()
    visits = [
        i
        for i in Inspection.objects.select_related("enterprise")
        if i.campaign_id == campaign.pk and i.enterprise.region_id == region.pk
    ]
    findings = [
        f
        for f in Finding.objects.select_related("enterprise", "inspection", "order")
        if f.inspection.campaign_id == campaign.pk and f.enterprise.region_id == region.pk
    ]
    orders = [
        o
        for o in RectificationOrder.objects.select_related("enterprise")
        if o.campaign_id == campaign.pk and o.enterprise.region_id == region.pk
    ]
    open_ = [o for o in orders if o.status != "closed"]
    return {
        "in_scope": sum(1 for e in enterprises_in_scope(campaign) if e.region_id == region.pk),
        "inspected": len({v.enterprise_id for v in visits}),
        "findings": len(findings),
        "findings_closed": sum(1 for f in findings if f.order and f.order.status == "closed"),
        "open_orders": len(open_),
        "overdue_orders": sum(1 for o in open_ if o.deadline < today_),
        "closed_orders": len(orders) - len(open_),
    }


FIGURES = [
    "in_scope",
    "inspected",
    "findings",
    "findings_closed",
    "open_orders",
    "overdue_orders",
    "closed_orders",
]


def _figures(row):
    return {name: getattr(row, name) for name in FIGURES}


def test_the_town_figures_are_the_raw_rows_counted(world, towns, loop) -> None:
    # when the dashboard is read by town
    dashboard = campaign_dashboard(loop.campaign, "town")
    rows = {row.key: row for row in dashboard.rows}
    # then each row is its region's raw rows counted, a town with nothing still shown
    assert list(rows) == ["210381", "210381101", "210381102", "210381103"]
    for region in [world.haicheng, *towns]:
        assert _figures(rows[region.code]) == _raw_by_town(loop.campaign, region), region
    assert _figures(rows["210381101"]) == {
        "in_scope": 2,
        "inspected": 2,
        "findings": 1,
        "findings_closed": 1,
        "open_orders": 0,
        "overdue_orders": 0,
        "closed_orders": 1,
    }
    assert _figures(rows["210381102"]) == {
        "in_scope": 2,
        "inspected": 1,
        "findings": 2,
        "findings_closed": 0,
        "open_orders": 1,
        "overdue_orders": 1,
        "closed_orders": 0,
    }
    # and the rows add up to the campaign's total, which is the campaign page's figure
    counts = campaign_counts(loop.campaign)
    for name in FIGURES:
        assert sum(getattr(r, name) for r in dashboard.rows) == counts[name], name
        assert getattr(dashboard.total, name) == counts[name]
    # and the targets in force are the next time nodes
    assert dashboard.goals == {"inspected": 60, "findings_closed": 80}


def test_the_department_figures_are_the_raw_rows_counted(world, loop) -> None:
    dashboard = campaign_dashboard(loop.campaign, "department")
    rows = {row.key: row for row in dashboard.rows}
    assert list(rows) == ["natural_resources", "ecology_environment"]
    today_ = today()
    visited = {i.enterprise for i in Inspection.objects.select_related("enterprise")}
    for code, row in rows.items():
        # a department inspected every visited enterprise of an industry it has a list for
        industries = set(
            Checklist.objects.filter(department_kind__code=code).values_list("industry", flat=True)
        )
        findings = [
            f
            for f in Finding.objects.select_related("department_kind", "order")
            if f.department_kind.code == code
        ]
        signoffs = [
            s.order
            for s in OrderSignoff.objects.select_related("order", "department_kind")
            if s.department_kind.code == code
        ]
        assert _figures(row) == {
            "in_scope": enterprises_in_scope(loop.campaign).count(),
            "inspected": sum(1 for e in visited if e.industry in industries),
            "findings": len(findings),
            "findings_closed": sum(1 for f in findings if f.order and f.order.status == "closed"),
            "open_orders": sum(1 for o in signoffs if o.status != "closed"),
            "overdue_orders": sum(
                1 for o in signoffs if o.status != "closed" and o.deadline < today_
            ),
            "closed_orders": sum(1 for o in signoffs if o.status == "closed"),
        }, code
    assert (rows["natural_resources"].findings, rows["ecology_environment"].findings) == (2, 2)
    assert (rows["ecology_environment"].inspected, rows["ecology_environment"].open_orders) == (
        4,
        1,
    )


def test_the_page_drills_down_to_the_records_and_exports_them(world, towns, loop) -> None:
    client = world.client("haicheng_operator")
    url = reverse("inspections:dashboard", args=[loop.campaign.pk, "town"])
    page = client.get(url).content.decode()
    assert 'data-testid="dashboard-table"' in page and 'id="campaign-chart-data"' in page
    drill = reverse("inspections:dashboard_drill", args=[loop.campaign.pk, "town", "210381102"])
    findings = client.get(drill + "?show=findings").content.decode()
    assert "无越界开采：越界" in findings and "料堆" not in findings
    overdue = client.get(drill + "?show=overdue")
    [order] = RectificationOrder.objects.filter(target="补证")
    assert order.number in overdue.content.decode()
    # the workbook of the dashboard holds the page's figures, the total last
    book = load_workbook(BytesIO(client.get(url + "?export=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == (
        "乡镇",
        "范围内企业",
        "已检查企业",
        "检查率（%）",
        "发现问题",
        "已销号问题",
        "问题销号率（%）",
        "未销号整改通知书",
        "逾期整改通知书",
        "已销号整改通知书",
    )
    assert [r[0] for r in rows[1:]] == ["海城市", "牌楼镇", "八里镇", "英落镇", "全行动合计"]
    assert rows[2][1:3] == (2, 2) and rows[-1][2] == campaign_counts(loop.campaign)["inspected"]
    # and the drill-down's workbook lists its records
    book = load_workbook(BytesIO(client.get(drill + "?show=findings&export=xlsx").content))
    assert len(list(book.active.iter_rows(values_only=True))) == 1 + 2


def test_the_campaign_page_lists_its_visits(world, loop) -> None:
    page = world.client("haicheng_operator").get(loop.campaign.get_absolute_url())
    body = page.content.decode()
    visits = body.split('data-testid="campaign-visits"')[1]
    # five visits, each a row linking to its inspection
    assert [visits.count(v.get_absolute_url()) for v in Inspection.objects.all()] == [1] * 5
    assert (
        body.count(
            reverse(
                "inspections:checkup",
                args=[loop.campaign.pk, world.user("enterprise_user").enterprise.uscc],
            )
        )
        == 1
    )


def test_the_dashboard_matrix(world, loop) -> None:
    for by, key in (("town", "210381101"), ("department", "ecology_environment")):
        for url in (
            reverse("inspections:dashboard", args=[loop.campaign.pk, by]),
            reverse("inspections:dashboard_drill", args=[loop.campaign.pk, by, key]),
        ):
            check_matrix(
                world,
                lambda c, url=url: c.get(url),
                {
                    "province_officer": 200,
                    "haicheng_operator": 200,
                    "dashiqiao_operator": 404,
                    "department_officer": 200,
                    "enterprise_user": 404,
                    "anonymous": 302,
                },
                watch=[Inspection, RectificationOrder],
            )
    client = world.client("haicheng_operator")
    assert (
        client.get(reverse("inspections:dashboard", args=[loop.campaign.pk, "x"])).status_code
        == 404
    )
    missing = reverse("inspections:dashboard_drill", args=[loop.campaign.pk, "town", "210882"])
    assert client.get(missing).status_code == 404


def test_a_site_in_scope_of_an_enterprise_from_elsewhere_counts_in_its_own_row(
    world, towns, loop
) -> None:
    # given a Dashiqiao enterprise's mine in a Haicheng town, inspected with a finding
    outsider = EnterpriseFactory(region=world.dashiqiao)
    inspect(world, loop, SiteFactory(code="HC-M-480", enterprise=outsider, region=towns[2]),
            {COVERS: "裸露"})  # fmt: skip
    # when the dashboard is read by town
    dashboard = campaign_dashboard(loop.campaign, "town")
    elsewhere = dashboard.rows[-1]
    # then the visit counts in a row of its own (not a drill-down link), and in the totals
    assert (elsewhere.key, elsewhere.inspected, elsewhere.findings) == ("elsewhere", 1, 1)
    assert dashboard.total.inspected == sum(r.inspected for r in dashboard.rows) == 5
    page = world.client("haicheng_operator").get(
        reverse("inspections:dashboard", args=[loop.campaign.pk, "town"])
    )
    assert "区域外企业" in page.content.decode() and "/elsewhere/" not in page.content.decode()
