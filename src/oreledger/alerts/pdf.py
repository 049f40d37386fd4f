"""The case file as a PDF in Chinese (reportlab, with its built-in CID font STSong-Light).

weasyprint is not installed on these machines; reportlab is already a dependency and its
Adobe CID font needs no font file, so the file renders the same everywhere.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from oreledger.alerts.catalogue import BY_CODE
from oreledger.alerts.choices import CaseStatus, DecisionKind

FONT = "STSong-Light"
_registered = False


def _font() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


STATUS_ZH = {
    CaseStatus.OPEN: "立案",
    CaseStatus.INVESTIGATING: "调查中",
    CaseStatus.DECIDED: "已决定",
    CaseStatus.CLOSED: "已结案",
}
DECISION_ZH = {
    DecisionKind.WARNING: "警告",
    DecisionKind.FINE: "罚款",
    DecisionKind.SUSPENSION: "责令停产停业（停止场所作业）",
    DecisionKind.REVOCATION_REQUEST: "提请发证机关吊销许可证",
    DecisionKind.NO_VIOLATION: "未发现违法",
}


def case_pdf(case: Any) -> bytes:
    """The case file (案卷): parties, violations, alerts, investigation, decision, closure."""
    _font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16)
    head = ParagraphStyle("head", parent=body, fontSize=13, leading=20, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1)
    number = ParagraphStyle("number", parent=body, fontName="Helvetica", alignment=1)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text or "—")).replace("\n", "<br/>"), style)

    story: list[Any] = [
        p("行政执法案卷", title),
        # The number in a Latin font, so that it is searchable text in the file.
        p(case.number, number),
        Spacer(1, 6 * mm),
    ]
    facts = [
        ["案件名称", case.title],
        ["案件编号", case.number],
        ["所属区域", case.region.name_zh],
        [
            "当事企业",
            f"{case.enterprise.name}（{case.enterprise.uscc}）" if case.enterprise else "—",
        ],
        ["涉及场所", f"{case.site.code} {case.site.name}" if case.site else "—"],
        ["案件状态", STATUS_ZH.get(case.status, case.status)],
        ["立案时间", _local(case.created_at)],
        ["办理期限", case.deadline.isoformat() if case.deadline else "—"],
    ]
    story.append(_table([[p(a), p(b)] for a, b in facts], (35 * mm, 135 * mm)))
    story += [p("一、违法事实", head), p(case.violations)]
    alerts = list(case.alerts.select_related("region").order_by("first_seen"))
    story.append(p("二、预警记录", head))
    if alerts:
        rows = [[p("规则"), p("对象"), p("首次发现"), p("次数")]]
        rows += [
            [
                p(BY_CODE[a.rule].name),
                p(f"{a.subject_type}: {a.subject_ref}"),
                p(_local(a.first_seen)),
                p(a.count),
            ]
            for a in alerts
        ]
        story.append(_table(rows, (40 * mm, 70 * mm, 40 * mm, 20 * mm)))
    else:
        story.append(p("（直接立案，无关联预警）"))
    story.append(p("三、调查记录", head))
    for note in case.notes.all():
        attachment = f"（附件：{note.attachment.name}）" if note.attachment else ""
        story.append(p(f"{_local(note.at)} {note.author_name}：{note.text}{attachment}"))
    story.append(p("四、处理决定", head))
    if case.decision:
        text = DECISION_ZH.get(case.decision, case.decision)
        if case.fine_yuan:
            text += f"，罚款人民币 {case.fine_yuan:,.2f} 元"
        if case.permit_id:
            text += f"，许可证 {case.permit.number}，发证机关 {case.permit.department}"
        story += [p(text), p(case.decision_note), p(f"决定时间：{_local(case.decided_at)}")]
    else:
        story.append(p("尚未作出决定"))
    story += [p("五、结案", head), p(case.closure_note if case.closed_at else "尚未结案")]
    if case.closed_at:
        story.append(p(f"结案时间：{_local(case.closed_at)}"))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=case.number,
        author="oreledger",
        subject=case.title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list[Any]], widths: tuple[float, ...]) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return table
