"""Large list exports run as a background job: progress page, then a file only its asker gets."""

from __future__ import annotations

import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from oreledger.core.columns import write_workbook
from oreledger.core.exports import prune_exports
from oreledger.core.jobs import prune_housekeeping
from oreledger.core.models import ExportRun
from oreledger.core.worker import make_worker
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory, VehicleFactory
from oreledger.registry.views.lists import VehicleListView

LIST = "/registry/vehicles/?status=registered&sort=-plate"


@pytest.fixture
def fleet(world_tx: Any, settings: Any, tmp_path: Path) -> Any:
    """Seven trucks registered in Haicheng, two in Dashiqiao; exports above 3 rows are jobs."""
    settings.MEDIA_ROOT = tmp_path
    settings.OL_EXPORT_SYNC_ROWS = 3
    haicheng = EnterpriseFactory(
        name="海城市顺达运输有限公司", kind="haulier", region=world_tx.haicheng
    )
    dashiqiao = EnterpriseFactory(
        name="大石桥市通达运输有限公司", kind="haulier", region=world_tx.dashiqiao
    )
    for n in range(7):
        VehicleFactory(plate=f"辽C3000{n}", owner=haicheng)
    VehicleFactory(plate="辽C30009", owner=haicheng, status="blacklisted", blacklist_reason="套牌")
    for n in range(2):
        VehicleFactory(plate=f"辽H4000{n}", owner=dashiqiao)
    return world_tx


def _plates(content: bytes) -> list[str]:
    sheet = load_workbook(BytesIO(content)).active
    assert sheet is not None
    return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_large_export_runs_as_a_job_with_progress_then_the_file(
    fleet: Any, settings: Any
) -> None:
    client = fleet.client("haicheng_operator")
    # given the list the operator sees: registered trucks, by plate descending
    listed = [v.plate for v in client.get(LIST).context["object_list"]]
    assert listed == [f"辽C3000{n}" for n in range(6, -1, -1)]
    # when they export it (7 rows, more than 3)
    asked = client.get(LIST + "&export=xlsx")
    # then a job is queued for them with the same query, and they see its progress page
    run = ExportRun.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/data/exports/{run.uuid}/"
    assert (run.actor, run.status, run.total, run.path) == (
        fleet.user("haicheng_operator"),
        "queued",
        7,
        "/registry/vehicles/",
    )
    assert run.query == "status=registered&sort=-plate"
    page = client.get(asked["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'data-testid="export-bar"' in page
    assert "等待后台任务" in page
    assert 'data-testid="export-download"' not in page
    # when a worker runs the job
    make_worker(batch=True).run()
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == ("succeeded", 7, 7)
    assert Path(run.file_path).parent == Path(settings.MEDIA_ROOT) / "exports"
    # then the page stops polling and offers the file
    fragment = client.get(asked["Location"] + "?fragment=1").content.decode()
    assert "every 1s" not in fragment
    assert 'data-testid="export-download"' in fragment and "共 7 行，已生成" in fragment
    download = client.get(f"/data/exports/{run.uuid}/file/")
    assert download.status_code == 200
    assert run.file_name.startswith("车辆-") and run.file_name.endswith(".xlsx")
    assert "filename*=utf-8''%E8%BD%A6%E8%BE%86-" in download["Content-Disposition"]
    # with exactly the rows of the list: same scope, filter and sort
    assert _plates(b"".join(download.streaming_content)) == listed


@pytest.mark.parametrize("persona", ["dashiqiao_operator", "province_officer", "enterprise_user"])
def test_nobody_else_sees_the_run_or_gets_its_file(fleet: Any, persona: str) -> None:
    fleet.client("haicheng_operator").get(LIST + "&export=xlsx")
    make_worker(batch=True).run()
    run = ExportRun.objects.get()
    other = fleet.client(persona)
    assert other.get(f"/data/exports/{run.uuid}/").status_code == 404
    assert other.get(f"/data/exports/{run.uuid}/file/").status_code == 404
    assert fleet.client("anonymous").get(f"/data/exports/{run.uuid}/file/").status_code == 302


def test_the_job_writes_the_askers_scope(fleet: Any) -> None:
    # the province officer's export of the same list holds both counties' trucks
    fleet.client("province_officer").get(LIST + "&export=xlsx")
    make_worker(batch=True).run()
    run = ExportRun.objects.get()
    body = fleet.client("province_officer").get(f"/data/exports/{run.uuid}/file/")
    plates = _plates(b"".join(body.streaming_content))
    assert plates == [*(f"辽H4000{n}" for n in (1, 0)), *(f"辽C3000{n}" for n in range(6, -1, -1))]


def test_a_small_export_is_answered_at_once(fleet: Any) -> None:
    response = fleet.client("haicheng_operator").get(
        "/registry/vehicles/?q=辽C3000&axles=6&sort=plate&export=xlsx&status=blacklisted"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _plates(response.content) == ["辽C30009"]
    assert not ExportRun.objects.exists()


def test_the_procedures_check_exports_in_the_background_too(fleet: Any) -> None:
    for n in range(2):
        operator = EnterpriseFactory(name=f"海城市测试矿业{n}", region=fleet.haicheng)
        SiteFactory(code=f"HC-M-90{n}", enterprise=operator, kind="mine")
    client = fleet.client("haicheng_operator")
    asked = client.get("/registry/procedures/?region=210381&export=xlsx")
    run = ExportRun.objects.get()
    assert asked["Location"] == f"/data/exports/{run.uuid}/"
    make_worker(batch=True).run()
    run.refresh_from_db()
    assert run.status == "succeeded" and run.done == run.total > 3
    body = client.get(f"/data/exports/{run.uuid}/file/")
    sheet = load_workbook(BytesIO(b"".join(body.streaming_content))).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]][:3] == ["企业", "统一社会信用代码", "区域"]
    assert sheet.max_row == run.total + 1


def test_progress_is_reported_while_the_workbook_grows(fleet: Any) -> None:
    # the writer reports every `every` rows …
    seen: list[int] = []
    view = VehicleListView()
    rows = list(range(7))
    write_workbook("车辆", view.columns[:1], rows, BytesIO(), progress=seen.append, every=2)
    assert seen == [2, 4, 6]
    # … and the page shows how far a running job has come
    fleet.client("haicheng_operator").get(LIST + "&export=xlsx")
    run = ExportRun.objects.get()
    ExportRun.objects.filter(pk=run.pk).update(status="running", done=3)
    fragment = fleet.client("haicheng_operator").get(f"/data/exports/{run.uuid}/?fragment=1")
    text = fragment.content.decode()
    assert "已写入 3 / 7 行" in text and 'value="43"' in text and "every 1s" in text


def test_old_exports_are_pruned_with_their_files(fleet: Any) -> None:
    client = fleet.client("haicheng_operator")
    client.get(LIST + "&export=xlsx")
    make_worker(batch=True).run()
    old = ExportRun.objects.get()
    client.get(LIST + "&export=xlsx")
    make_worker(batch=True).run()
    fresh = ExportRun.objects.exclude(pk=old.pk).get()
    ExportRun.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert Path(old.file_path).is_file()
    # the hourly housekeeping prunes the run older than 24 hours, and its file
    assert prune_housekeeping.call("2026-01-01T00")["exports"] == 1
    assert list(ExportRun.objects.all()) == [fresh]
    assert not Path(old.file_path).exists() and Path(fresh.file_path).is_file()
    assert client.get(f"/data/exports/{old.uuid}/file/").status_code == 404
    assert prune_exports() == 0
