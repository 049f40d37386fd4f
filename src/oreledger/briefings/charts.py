"""The briefing's charts drawn by our own code: SVG for the PDF, PNG for Word.

The page draws the same series with ECharts; printed documents load nothing, so their
charts are plain horizontal bars drawn here (no plotting library needed for bars).
"""

from __future__ import annotations

import io
from html import escape
from typing import Any

from django.utils.translation import gettext as _

from oreledger.briefings.sections import pick

SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
BAR = "#2f6fb0"
WIDTH, ROW, LABEL, TOP = 640, 24, 150, 30


def _number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def chart_series(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The charts of a briefing, each one series of bars; a chart of only zeros is left out.

    This week's out tonnes by place and by grade, tasks at risk or overdue and mean progress
    by working group, and the first scheme's assessment score by county.
    """
    production = pick(figures, "sections.production") or {}
    groups = pick(figures, "sections.tasks.groups") or []
    scores = pick(figures, "sections.ranking.rows") or []
    # One scheme's scores side by side: totals of different schemes do not compare.
    ranking = [row for row in scores if row.get("scheme") == scores[0].get("scheme")]
    wanted = (
        (
            _("Out this week by place (t)"),
            production.get("places") or [],
            "name",
            lambda row: pick(row, "week.out_t"),
        ),
        (
            _("Out this week by grade (t)"),
            production.get("grades") or [],
            "grade",
            lambda row: pick(row, "week.out_t"),
        ),
        (
            _("Tasks at risk or overdue by working group"),
            groups,
            "name",
            lambda row: _number(row.get("at_risk")) + _number(row.get("overdue")),
        ),
        (
            _("Mean progress by working group (%)"),
            groups,
            "name",
            lambda row: row.get("mean_percent"),
        ),
        (_("Assessment score by county"), ranking, "name", lambda row: row.get("total")),
    )
    charts = []
    for title, rows, label, value in wanted:
        values = [_number(value(row)) for row in rows]
        if any(values):
            charts.append(
                {
                    "title": str(title),
                    "labels": [str(row[label]) for row in rows],
                    "values": values,
                }
            )
    return charts


def _scale(values: list[float]) -> float:
    top = max([float(v) for v in values] + [0.0])
    return (WIDTH - LABEL - 90) / top if top > 0 else 0.0


def svg(chart: dict[str, Any]) -> str:
    """The chart as an inline SVG (the text in Noto Sans CJK, embedded by the PDF)."""
    scale = _scale(chart["values"])
    height = TOP + ROW * len(chart["values"]) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Noto Sans CJK SC" font-size="12">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(chart["title"])}</text>',
    ]
    for n, (label, value) in enumerate(zip(chart["labels"], chart["values"], strict=True)):
        y = TOP + n * ROW
        width = max(float(value) * scale, 0.0)
        parts.append(f'<text x="0" y="{y + 15}">{escape(label)}</text>')
        parts.append(
            f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="16" fill="{BAR}"/>'
        )
        parts.append(f'<text x="{LABEL + width + 6:.1f}" y="{y + 15}">{value:,.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def png(chart: dict[str, Any]) -> bytes:
    """The chart as a PNG (Word shows no SVG), drawn at twice the size for print."""
    from PIL import Image, ImageDraw, ImageFont  # imported here: only Word export pays

    k = 2
    scale = _scale(chart["values"])
    height = TOP + ROW * len(chart["values"]) + 8
    image = Image.new("RGB", (WIDTH * k, height * k), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SANS, 12 * k)
    draw.text((0, 2 * k), chart["title"], fill="black", font=ImageFont.truetype(SANS, 13 * k))
    for n, (label, value) in enumerate(zip(chart["labels"], chart["values"], strict=True)):
        y = TOP + n * ROW
        width = max(float(value) * scale, 0.0)
        draw.text((0, (y + 3) * k), label, fill="black", font=font)
        draw.rectangle(((LABEL * k, (y + 3) * k), ((LABEL + width) * k, (y + 19) * k)), fill=BAR)
        draw.text(((LABEL + width + 6) * k, (y + 3) * k), f"{value:,.2f}", fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
