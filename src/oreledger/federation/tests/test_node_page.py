"""The province's node page: local times, the lag in words, the state and what a restored
county must do; sorted, filtered and exported like every table."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from oreledger.federation.models import Node
from oreledger.federation.queries import lag_in_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def nodes(settings, world) -> None:
    """Haicheng up to date, Dashiqiao restored from an older backup with a backlog."""
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", "210000"
    now = timezone.now()
    Node.objects.create(
        code="210381",
        name="海城市",
        secret="s1",
        last_contact=datetime.datetime(2026, 12, 7, 1, 30, tzinfo=datetime.UTC),
        newest_change_at=now - datetime.timedelta(minutes=3, seconds=5),
        node_last_seq=40,
        acked_seq=40,
    )
    Node.objects.create(
        code="210882",
        name="大石桥市",
        secret="s2",
        last_contact=datetime.datetime(2026, 12, 6, 23, 5, tzinfo=datetime.UTC),
        newest_change_at=now - datetime.timedelta(hours=2, minutes=5, seconds=5),
        node_last_seq=48,
        acked_seq=30,
        refused_batches=2,
        last_error="node_restored: 分平台数据早于省级平台已保存的数据。",
        restored_at=now,
    )


def _rows(page) -> list[str]:
    return [row.code for row, _cells in page.context["rows"]]


def test_the_page_writes_local_times_and_the_lag_in_words(world, nodes) -> None:
    # when the province opens the node page (in Chinese)
    page = world.client("province_officer").get("/federation/nodes/")
    text = page.content.decode()
    # then the last contact is Shanghai time, the lag in words, and no UTC text or code shows
    cells = {row.code: {c.key: v for c, v, _css in cells} for row, cells in page.context["rows"]}
    assert cells["210381"]["last_contact"] == "2026-12-07 09:30"
    assert cells["210882"]["last_contact"] == "2026-12-07 07:05"
    assert (cells["210381"]["lag_seconds"], cells["210882"]["lag_seconds"]) == (
        "3 分钟",
        "2 小时 5 分钟",
    )
    assert (cells["210381"]["state"], cells["210882"]["state"]) == ("已同步", "已从较早备份恢复")
    assert cells["210882"]["error_sentence"] == "分平台数据早于省级平台已保存的数据。"
    assert "+00:00" not in text and "node_restored" not in text and "T01:30" not in text
    # and the restored county is told what to do
    assert "大石桥市（210882）是从较早的备份恢复的" in text
    assert "oreledger federation-status --resume-after 30" in text


def test_the_table_sorts_and_filters(world, nodes) -> None:
    client = world.client("province_officer")
    # when the province sorts by backlog, largest first, then by lag
    assert _rows(client.get("/federation/nodes/?sort=-backlog")) == ["210882", "210381"]
    assert _rows(client.get("/federation/nodes/?sort=lag_seconds")) == ["210381", "210882"]
    # and keeps only the nodes needing attention, or looks one up by name
    assert _rows(client.get("/federation/nodes/?state=attention")) == ["210882"]
    assert _rows(client.get("/federation/nodes/?state=restored&sort=code")) == ["210882"]
    assert _rows(client.get("/federation/nodes/?q=海城")) == ["210381"]


def test_the_table_exports_what_the_page_shows(world, nodes) -> None:
    # when the province exports the nodes needing attention
    response = world.client("province_officer").get(
        "/federation/nodes/?state=attention&export=xlsx"
    )
    # then the workbook holds that row with the local time and the lag in words
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert len(rows) == 2
    found = dict(zip(header, rows[1], strict=True))
    assert (found["编码"], found["最近联系"], found["延迟"], found["积压"]) == (
        "210882",
        "2026-12-07 07:05",
        "2 小时 5 分钟",
        18,
    )


def test_others_cannot_export_the_node_table(world, nodes) -> None:
    # when a county operator asks for the export
    response = world.client("haicheng_operator").get("/federation/nodes/?export=xlsx")
    # then it is not found, as the page
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(None, ""), (45, "45 秒"), (180, "3 分钟"), (7500, "2 小时 5 分钟"), (100_800, "1 天 4 小时")],
)
def test_lag_in_words(seconds, words) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        assert lag_in_words(seconds) == words
