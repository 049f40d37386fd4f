"""The briefing printed: A4 in Chinese, fonts embedded, headers repeated, pages numbered."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import mark_safe

from oreledger.briefings.charts import svg
from oreledger.core.pdf import render_pdf


def briefing_pdf(shown: dict[str, Any]) -> bytes:
    """The briefing (`queries.document`) as a PDF."""
    # The SVG is drawn by charts.svg from numbers and escaped labels: safe to inline.
    charts = [mark_safe(svg(chart)) for chart in shown["charts"]]  # noqa: S308
    return render_pdf(
        "briefings/briefing_pdf.html",
        {**shown, "svgs": charts},
        footer=f"{shown['region_name']} {shown['week']}",
    )
