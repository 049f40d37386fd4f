"""The case file (案卷) as a PDF in Chinese, typeset by core.pdf with its fonts embedded."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from oreledger.alerts.catalogue import BY_CODE
from oreledger.alerts.choices import CaseStatus, DecisionKind
from oreledger.core.formats import local_datetime
from oreledger.core.pdf import render_pdf

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


def _decision(case: Any) -> str:
    if not case.decision:
        return ""
    text = DECISION_ZH.get(case.decision, case.decision)
    if case.fine_yuan:
        text += f"，罚款人民币 {case.fine_yuan:,.2f} 元"
    if case.permit_id:
        text += f"，许可证 {case.permit.number}，发证机关 {case.permit.department}"
    return text


def case_pdf(case: Any) -> bytes:
    """The case file (案卷): parties, violations, alerts, investigation, decision, closure."""
    facts = [
        ("案件名称", case.title),
        ("案件编号", case.number),
        ("所属区域", case.region.name_zh),
        (
            "当事企业",
            f"{case.enterprise.name}（{case.enterprise.uscc}）" if case.enterprise else "",
        ),
        ("涉及场所", f"{case.site.code} {case.site.name}" if case.site else ""),
        ("案件状态", STATUS_ZH.get(case.status, case.status)),
        ("立案时间", local_datetime(case.created_at)),
        ("办理期限", case.deadline.isoformat() if case.deadline else ""),
    ]
    alerts = [
        {
            "rule": BY_CODE[a.rule].name,
            "subject": f"{a.get_subject_type_display()} {a.subject_ref}",
            "first_seen": local_datetime(a.first_seen),
            "count": a.count,
        }
        for a in case.alerts.select_related("region").order_by("first_seen")
    ]
    notes = [
        {
            "at": local_datetime(note.at),
            "author": note.author_name,
            "text": note.text,
            # The file's kind, not its stored name: storage adds random suffixes to names.
            "attachment": _file_kind(note.attachment.name) if note.attachment else "",
        }
        for note in case.notes.all()
    ]
    context = {
        "case": case,
        "facts": facts,
        "alerts": alerts,
        "notes": notes,
        "decision": _decision(case),
        "decided_at": local_datetime(case.decided_at),
        "closed_at": local_datetime(case.closed_at) if case.closed_at else "",
    }
    return render_pdf("alerts/case_pdf.html", context, footer=case.number)


def _file_kind(name: str) -> str:
    """What a printed case says of an attachment: its type, as "PDF" or "JPG"."""
    return PurePosixPath(name).suffix.lstrip(".").upper() or "—"
