"""The briefing laid out as people read it: the same written figures on page, PDF and Word."""

from __future__ import annotations

import json
from typing import Any

from oreledger.briefings.sections import COUNT, MONEY, PCT, TONNES, Table, Week, pick, sections
from oreledger.core import numbers
from oreledger.dashboards.scope import Scope

WRITERS = {
    TONNES: numbers.tonnes_figure,
    MONEY: numbers.money,
    COUNT: numbers.count,
    PCT: numbers.percent,
}


def written(value: Any, kind: str) -> str:
    """A figure as every surface writes it (core.numbers); text as it is, "—" when missing."""
    writer = WRITERS.get(kind)
    if writer is not None:
        return writer(value)
    return "—" if value in (None, "") else str(value)


def _rows(figures: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    found = figures if not table.rows else pick(figures, table.rows)
    if isinstance(found, dict):
        return [found]
    return list(found or [])


def laid_out(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each section present in the figures, its tables' headings and written cells."""
    shown = []
    for section in sections():
        data = figures.get("sections", {}).get(section.key)
        if data is None:
            continue
        tables = []
        for table in section.tables:
            rows = [
                [
                    {"text": written(pick(row, c.path), c.kind), "num": c.kind in WRITERS}
                    for c in table.columns
                ]
                for row in _rows(data, table)
            ]
            tables.append(
                {
                    "title": str(table.title),
                    "headers": [
                        {"text": str(c.label), "num": c.kind in WRITERS} for c in table.columns
                    ],
                    "rows": rows,
                }
            )
        shown.append({"key": section.key, "title": str(section.title), "tables": tables})
    return shown


def document(
    figures: dict[str, Any], *, remarks: str = "", priorities: str = "", status: str = ""
) -> dict[str, Any]:
    """What every output of a briefing shows: heading, narrative, sections, charts."""
    from oreledger.briefings.charts import chart_series  # charts reads the same figures

    region = figures.get("region", {})
    return {
        "region_name": region.get("name", ""),
        "week": figures.get("week", ""),
        "from": figures.get("from", ""),
        "until": figures.get("until", ""),
        "complete": figures.get("complete", True),
        "built_at": figures.get("built_at", ""),
        "status": status,
        "remarks": remarks,
        "priorities": priorities,
        "sections": laid_out(figures),
        "charts": chart_series(figures),
    }


def as_json(figures: dict[str, Any]) -> str:
    """briefing.json: every figure, keyed as the page's sections and the API."""
    return json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=False)


def reported(region: Any, week: str, reader: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A region's week as reported: frozen once issued, else read now (with a draft's remarks)."""
    from oreledger.briefings.models import Briefing
    from oreledger.briefings.services import build_figures, figures_of

    briefing = Briefing.objects.filter(region=region, week=week).first()
    if briefing is not None:
        figures = figures_of(briefing, reader)
        return figures, document(
            figures,
            remarks=briefing.remarks,
            priorities=briefing.priorities,
            status=briefing.status,
        )
    figures = build_figures(Scope(reader, region, None), Week.parse(week))
    return figures, document(figures)
