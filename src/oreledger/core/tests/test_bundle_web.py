"""The province-bundle import in the web interface: upload, job, progress, result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oreledger.core.models import ImportRun
from oreledger.core.worker import make_worker
from oreledger.registry.models import Enterprise
from oreledger.registry.tests.factories import EnterpriseFactory
from oreledger.registry.tests.test_bundle_import import base_rows, workbook
from testkit.matrix import check_matrix


def _upload(client: Any, rows: dict[str, Any], **extra: Any) -> Any:
    data = {"file": SimpleUploadedFile("县台账.xlsx", workbook(rows).getvalue()), **extra}
    return client.post(reverse("core:bundle_import"), data)


def test_who_may_open_the_import_page(world: Any) -> None:
    check_matrix(
        world,
        lambda client: client.get(reverse("core:bundle_import")),
        {"province_officer": 200, "haicheng_operator": 200, "dashiqiao_operator": 200,
         "department_officer": 403, "enterprise_user": 403, "anonymous": 302},
    )  # fmt: skip


def test_a_non_xlsx_upload_is_refused(world: Any, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = world.client("haicheng_operator")
    response = client.post(
        reverse("core:bundle_import"), {"file": SimpleUploadedFile("a.csv", b"x,y")},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


def test_the_web_import_runs_as_a_job_and_shows_progress_then_outcomes(
    world_tx: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = world_tx.client("haicheng_operator")
    # given an uploaded bundle
    response = _upload(client, base_rows())
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:bundle_run", args=[run.uuid])
    assert Path(run.file_path).parent == tmp_path / "imports"
    assert (run.status, run.scope, run.dry_run) == ("queued", world_tx.haicheng, False)
    # then the page polls its progress fragment while the job waits
    page = client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content
    assert b'data-testid="bundle-bar"' in page.content
    # when the worker runs the job
    make_worker(batch=True).run()
    run.refresh_from_db()
    assert (run.status, run.stage, run.errors) == ("succeeded", "done", [])
    assert run.outcomes["sheets"]["enterprises"] == {"created": 2, "updated": 0, "unchanged": 0}
    # then the fragment stops polling, shows the outcomes and the new secrets once
    fragment = client.get(response["Location"] + "?fragment=1")
    assert b"every 1s" not in fragment.content
    assert b'data-testid="bundle-outcomes"' in fragment.content
    assert b'data-testid="bundle-secrets"' in fragment.content
    assert b"HC-ST-901" in fragment.content
    again = client.get(response["Location"])
    assert b'data-testid="bundle-secrets"' not in again.content
    run.refresh_from_db()
    assert run.secrets == {}
    # and someone else cannot see the run at all
    assert world_tx.client("dashiqiao_operator").get(response["Location"]).status_code == 404


def test_a_haicheng_web_import_of_a_dashiqiao_row_is_refused(
    world_tx: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    other = EnterpriseFactory(region=world_tx.dashiqiao, name="大石桥原名镁业有限公司")
    rows = {"enterprises": [{"uscc": other.uscc, "name": "改名镁业有限公司",
                             "kind": "mine_operator", "industry": "magnesite",
                             "region_code": "210882", "status": "operating"}]}  # fmt: skip
    client = world_tx.client("haicheng_operator")
    client.post(reverse("set_language"), {"language": "en"})
    response = _upload(client, rows)
    make_worker(batch=True).run()
    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert [e["line"] for e in run.errors] == [
        "enterprises!2: region_code: This record is outside your jurisdiction."
    ]
    page = client.get(response["Location"])
    assert "enterprises!2: region_code: This record is outside your jurisdiction." in (
        page.content.decode()
    )
    assert Enterprise.objects.get(pk=other.pk).name == "大石桥原名镁业有限公司"


def test_a_dry_run_from_the_web_saves_nothing(world_tx: Any, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = world_tx.client("province_officer")
    _upload(client, base_rows(), dry_run="on")
    make_worker(batch=True).run()
    run = ImportRun.objects.get()
    assert (run.status, run.dry_run, run.outcomes["rows"]) == ("succeeded", True, 8)
    assert not Enterprise.objects.filter(name="海城测试镁矿有限公司").exists()
