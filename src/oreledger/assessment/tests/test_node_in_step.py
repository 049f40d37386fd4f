"""The node_in_step indicator: a county node's backlog and lag, as the hub's node rows hold them,
read by one function for the page, the API, the ranking (its export and the briefing)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from oreledger.assessment import services
from oreledger.assessment.queries import Period, county_score, ranking
from oreledger.federation.models import Node
from oreledger.federation.queries import node_rows
from oreledger.federation.services import hub

pytestmark = pytest.mark.django_db

D = Decimal
MINUTE = datetime.timedelta(minutes=1)
INDICATORS = [
    ("reporting_rate", D(80), "proportional", D(1)),
    ("node_in_step", D(20), "proportional", D(1)),
]


@pytest.fixture
def scheme(settings, world):
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", "210000"
    return services.create_scheme(
        actor=world.user("province_officer"),
        code="magnesite-2026",
        name="菱镁联合行动季度考核",
        period="quarter",
        indicators=INDICATORS,
    )


def _haicheng_node(*, made, acked, heard, newest):
    """Haicheng's node row as the hub holds it: the node's last seq, what the hub acked, when
    it last heard from the node and the time of the newest change it applied (ago)."""
    node, _secret = hub.add_node(code="210381", name="海城市")
    now = timezone.now()
    Node.objects.filter(pk=node.pk).update(
        node_last_seq=made,
        acked_seq=acked,
        last_contact=None if heard is None else now - heard,
        newest_change_at=None if newest is None else now - newest,
    )
    return Node.objects.get(pk=node.pk)


def _line(score):
    (line,) = [line for line in score.lines if line.indicator.kind == "node_in_step"]
    return line


@pytest.mark.parametrize(
    ("made", "acked", "heard", "newest", "counted"),
    [
        # idle: nothing waits, the newest change is five hours old
        (120, 120, 2 * MINUTE, 300 * MINUTE, [True, True]),
        # more than one push waiting, the newest change applied ten minutes ago
        (2_620, 1_000, 2 * MINUTE, 10 * MINUTE + 30 * datetime.timedelta(seconds=1), [False, True]),
        # a few changes waiting for two hours: the push is stuck
        (140, 120, 2 * MINUTE, 120 * MINUTE, [True, False]),
        # not heard from for two hours: neither figure is known to be current
        (120, 120, 120 * MINUTE, 5 * MINUTE, [False, False]),
        # registered, changes made, nothing applied yet
        (5, 0, 1 * MINUTE, None, [True, False]),
    ],
)
def test_backlog_and_lag_are_judged_from_the_hubs_node_row(
    world, scheme, made, acked, heard, newest, counted
):
    # given Haicheng's node as the hub holds it
    node = _haicheng_node(made=made, acked=acked, heard=heard, newest=newest)
    # when Haicheng's score is read
    with override("zh-hans"):
        line = _line(county_score(scheme, world.haicheng, Period.parse("quarter", "2026-Q4")))
        (row,) = node_rows(Node.objects.all())
    # then its two records are the node page's backlog and lag, each counted as expected
    assert row["backlog"] == made - acked
    assert [r.counted for r in line.measure.records] == counted
    backlog, lag = line.measure.records
    assert backlog.label == f"积压 {made - acked:,} 条变更待送达"
    if newest is None:
        assert (row["lag_seconds"], lag.label) == (None, "延迟：尚未收到任何变更")
    else:
        assert lag.label == f"延迟 {row['lag_seconds'] // 60:,} 分钟"
    assert backlog.note == ("" if heard < 60 * MINUTE else "超过一小时未联系")
    # and the line's numbers are those records: checks in step ÷ two
    assert (line.measure.numerator, line.measure.denominator) == (D(sum(counted)), D(2))
    assert line.points == (D(20) * D(sum(counted)) / 2).quantize(D("0.01"))
    assert node.code == world.haicheng.code


def test_a_county_without_a_node_has_nothing_due(world, scheme):
    # given Haicheng runs a node and Dashiqiao works on the hub itself
    _haicheng_node(made=10, acked=10, heard=MINUTE, newest=MINUTE)
    # when Dashiqiao's score is read
    line = _line(county_score(scheme, world.dashiqiao, Period.parse("quarter", "2026-Q4")))
    # then nothing is due: the whole weight, no records
    assert (line.measure.numerator, line.measure.denominator, line.rate) == (D(0), D(0), D(1))
    assert (line.points, line.measure.records) == (D("20.00"), [])


def test_the_page_the_api_and_the_ranking_read_the_same_line(world, scheme):
    # given Haicheng's node with a stuck push (backlog in step, lag not)
    _haicheng_node(made=140, acked=120, heard=2 * MINUTE, newest=120 * MINUTE)
    period = Period.parse("quarter", "2026-Q4")
    score = county_score(scheme, world.haicheng, period)
    # when the API's score, the ranking (its export and the briefing's section) and the
    # county's page are read
    answer = world.api("province_officer").get(
        f"/api/v1/assessment/schemes/{scheme.code}/scores/2026-Q4/210381"
    )
    ranked = {s.region.code: s for s in ranking(scheme, period)}
    page = (
        world.client("haicheng_operator")
        .get(reverse("assessment:county", args=[scheme.code, "2026-Q4", "210381"]))
        .content.decode()
    )
    # then every one of them reads one check of two: 10 of the 20 points
    (api_line,) = [x for x in answer.json()["lines"] if x["indicator"] == "node_in_step"]
    assert (api_line["numerator"], api_line["denominator"], api_line["points"]) == (
        "1",
        "2",
        "10.00",
    )
    assert [r["counted"] for r in api_line["records"]] == [True, False]
    assert _line(ranked["210381"]).points == _line(score).points == D("10.00")
    assert _line(score).formula in page
