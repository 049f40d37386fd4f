"""In Chinese: the office writes last week's briefing's remarks, issues it, downloads it."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from oreledger.accounts.tests.factories import department
from oreledger.briefings.sections import Week
from oreledger.briefings.services import draft_briefing
from oreledger.worklist import services as worklist
from oreledger.worklist.tests.support import group
from testkit.pdf import text
from testkit.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")


def _download(page: Any, label: str) -> bytes:
    with page.expect_download() as download:
        page.locator(".page-actions").get_by_text(label, exact=True).click()
    return Path(download.value.path()).read_bytes()


def _docx_cells(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    return [cell.text for table in document.tables for row in table.rows for cell in row.cells]


def test_the_office_writes_issues_and_downloads_last_weeks_briefing(
    world_tx: Any, page: Any
) -> None:
    # given a task whose unit reported 37 % last week, and last week's draft (the scheduler's)
    monday = Week.of(timezone.localdate() - datetime.timedelta(days=7)).monday
    office = world_tx.user("province_officer")
    task = worklist.create_task(
        actor=office,
        group=group(world_tx),
        number="ZB01-0381",
        title="越界开采清理",
        measures="比对卫星影像与矿权范围",
        completion_standard="越界图斑全部查处销号",
        responsible_department=department("natural_resources", world_tx.haicheng),
        responsible_person=world_tx.user("department_officer"),
        start=monday - datetime.timedelta(days=14),
        due=monday + datetime.timedelta(days=60),
    )
    worklist.report_progress(actor=office, task=task, week=monday, text="比对完成", percent=37)
    week = Week.of(monday)
    draft_briefing(actor=office, region=world_tx.province, week=week)
    # when the office opens it from the archive
    _login(page, "province_officer")
    page.locator("nav.sidebar").get_by_text("周调度简报", exact=True).click()
    page.locator("[data-testid=briefing-archive]").get_by_text(week.key).click()
    assert page.locator("[data-testid=briefing-status]").inner_text() == "草稿"
    # then the working group's mean progress is on the page, and drawn in the one chart with
    # anything to show (no tonnes, no task behind, no scheme: those charts are left out)
    groups = page.locator("[data-section=tasks] table").first
    assert groups.locator("tbody tr td").first.inner_text() == "矿山整合专班"
    assert groups.locator("tbody tr td").last.inner_text() == "37.0"
    assert page.locator("[data-testid=chart]").count() == 1
    page.wait_for_selector("[data-testid=chart] canvas")
    # when it writes the leader's remarks and next week's priorities, and saves them
    page.fill("#id_remarks", "各专班要盯住越界开采，逐图斑销号。")
    page.fill("#id_priorities", "完成海城市越界图斑复核。")
    page.click("[data-testid=save-narrative]")
    page.wait_for_selector("text=讲话已保存。")
    # and issues it, confirming the step
    page.click("[data-testid=issue]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("text=简报已印发。")
    # then it is issued, shows the remarks as text, and offers no form to change them
    assert page.locator("[data-testid=briefing-status]").inner_text() == "已印发"
    narrative = page.locator("[data-testid=narrative]")
    assert "各专班要盯住越界开采，逐图斑销号。" in narrative.inner_text()
    assert narrative.locator("textarea").count() == 0
    assert page.locator("[data-testid=issue]").count() == 0
    # and its PDF and Word files carry the remarks and the figure shown on the page
    pdf = _download(page, "PDF")
    assert pdf.startswith(b"%PDF-")
    pdf_text = text(pdf)
    assert "各专班要盯住越界开采" in pdf_text
    assert "矿山整合专班" in pdf_text and "37.0" in pdf_text
    docx = _download(page, "可编辑文档")
    assert docx.startswith(b"PK")
    cells = _docx_cells(docx)
    assert "37.0" in cells and "矿山整合专班" in cells
    paragraphs = [p.text for p in Document(io.BytesIO(docx)).paragraphs]
    assert "各专班要盯住越界开采，逐图斑销号。" in paragraphs
