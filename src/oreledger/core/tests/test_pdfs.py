"""Every PDF the platform makes embeds its fonts and carries its Chinese as text.

pdffonts and pdftotext (Debian's poppler-utils, installed by .ci/run) read the files as a
person's viewer would: a font that is only named, not embedded, shows as boxes or nothing
on a machine without it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from oreledger.alerts.services import add_case_note, close_case, decide_case, escalate_alert
from oreledger.alerts.tests.support import World, alerts
from oreledger.core.pdf import render_pdf
from oreledger.weighing.tests.support import on_shift
from testkit.pdf import assert_fonts_embedded, page_count, text

pytestmark = pytest.mark.django_db
PACKAGE = Path(__file__).resolve().parents[2]


@pytest.fixture
def closed_case(world: Any) -> Any:
    """A case from an overload alert, investigated, decided with a fine and closed."""
    w = World(world)
    truck = w.truck(1)
    w.send("exit", truck, waybill=w.waybill(truck), net=34_500, at=on_shift())
    user = world.user("haicheng_operator")
    case = escalate_alert(actor=user, alert=alerts()[0], note="超载立案")
    add_case_note(actor=user, case=case, text="现场核查·磅单与运单一致，司机承认超载。")
    decide_case(actor=user, case=case, decision="fine", note="依法处罚", fine_yuan=Decimal("5000"))
    close_case(actor=user, case=case, note="罚款已缴纳，结案。")
    return case


# Every place that makes a PDF, and the test below that makes it. A new PDF joins both.
MAKES_PDF = r"application/pdf|render_pdf\(|reportlab|(from|import) weasyprint"
PDF_SOURCES = {
    "alerts/pdf.py",
    "alerts/views/cases.py",
    "briefings/pdf.py",
    "briefings/views.py",
    "inspections/pdf.py",
    "inspections/views/checkup.py",
}


def test_the_case_pdf_embeds_its_fonts_and_its_chinese_is_text(
    world: Any, closed_case: Any
) -> None:
    # Given a closed case; when its officer downloads the case file
    response = world.client("haicheng_operator").get(
        reverse("alerts:case_pdf", args=[closed_case.number])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    # then every font is embedded, and the Chinese reads back as text
    assert_fonts_embedded(pdf)
    body = text(pdf)
    for phrase in (
        "行政执法案卷",
        closed_case.number,
        "海城市",
        "超载",
        "现场核查·磅单与运单一致",
        "罚款人民币 5,000.00 元",
        "罚款已缴纳，结案。",
        "已结案",
        f"第 1 页，共 {page_count(pdf)} 页",
    ):
        assert phrase in body, phrase
    assert "\ufffd" not in body


def test_a_long_table_breaks_across_pages_with_its_header_and_page_numbers() -> None:
    # Given a table far longer than a page (the weekly briefing's shape)
    rows = [
        [{"text": f"海城市第{n}号矿"}, {"text": f"{n * 1000:,}.00", "num": True}]
        for n in range(1, 121)
    ]
    context = {
        "title": "分矿出矿量",
        "columns": [{"label": "矿山"}, {"label": "出矿量（吨）", "num": True}],
        "rows": rows,
    }
    # when it is printed
    pdf = render_pdf("core/pdf/table.html", context, footer="周报 2026-49")
    # then it runs over several pages, each with the column headers and its page number
    pages = page_count(pdf)
    assert pages >= 3
    assert_fonts_embedded(pdf)
    for page in range(1, pages + 1):
        on_page = text(pdf, page)
        assert "矿山" in on_page and "出矿量（吨）" in on_page, page
        assert f"第 {page} 页，共 {pages} 页" in on_page and "周报 2026-49" in on_page
    assert "海城市第120号矿" in text(pdf, pages) and "120,000.00" in text(pdf, pages)


def test_an_english_document_numbers_its_pages_in_english() -> None:
    context = {"title": "Exit tonnage", "columns": [{"label": "Mine"}], "rows": [[{"text": "A"}]]}
    pdf = render_pdf("core/pdf/table.html", context, language="en")
    assert "Page 1 of 1" in text(pdf)
    assert_fonts_embedded(pdf)


def test_every_module_that_makes_a_pdf_is_covered_here() -> None:
    root = PACKAGE
    makers = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path != root / "core" / "pdf.py"
        # recognises uploaded PDFs by their content and names their type; it makes none
        and path != root / "core" / "uploads.py"
        and re.search(MAKES_PDF, path.read_text())
    }
    assert makers == PDF_SOURCES
