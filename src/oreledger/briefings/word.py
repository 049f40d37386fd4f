"""The briefing as a Word document a clerk can edit: real headings, real tables."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from oreledger.briefings.charts import png


def _heading_line(shown: dict[str, Any]) -> str:
    return _("%(region)s · week %(week)s (%(first)s to %(last)s)") % {
        "region": shown["region_name"],
        "week": shown["week"],
        "first": shown["from"],
        "last": shown["until"],
    }


def briefing_docx(shown: dict[str, Any]) -> bytes:
    """The briefing (`queries.document`) as a .docx."""
    from docx import Document  # imported here: only Word export pays
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Noto Serif CJK SC"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    doc.add_heading(_("Weekly dispatch briefing"), level=0)
    doc.add_paragraph(_heading_line(shown))
    doc.add_heading(_("Leader's remarks"), level=1)
    doc.add_paragraph(shown["remarks"] or "—")
    doc.add_heading(_("Next week's priorities"), level=1)
    doc.add_paragraph(shown["priorities"] or "—")
    for section in shown["sections"]:
        doc.add_heading(section["title"], level=1)
        for table in section["tables"]:
            doc.add_heading(table["title"], level=2)
            if not table["rows"]:
                doc.add_paragraph(_("Nothing this week."))
                continue
            grid = doc.add_table(rows=1, cols=len(table["headers"]))
            grid.style = "Table Grid"
            for cell, header in zip(grid.rows[0].cells, table["headers"], strict=True):
                cell.text = header["text"]
                cell.paragraphs[0].runs[0].bold = True
            # The heading row repeats on every page the table runs onto.
            grid.rows[0]._tr.get_or_add_trPr().append(_repeat_header())
            for row in table["rows"]:
                cells = grid.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value["text"]
                    if value["num"]:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if shown["charts"]:
        doc.add_heading(_("Charts"), level=1)
        for chart in shown["charts"]:
            doc.add_picture(io.BytesIO(png(chart)), width=Cm(16))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _repeat_header() -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    return element
