"""Every dashboard figure by name: how to compute it, and which of its rows export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.display import local_time
from oreledger.core.listing import Column, cell_text, xlsx_response
from oreledger.dashboards import figures, places
from oreledger.dashboards.scope import Scope
from oreledger.registry.choices import OperatingStatus, SiteKind

# A station's state on the dashboard (figures.stations).
STATION_STATES: dict[str, Promise] = {
    "online": _("Online"),
    "silent": _("Silent"),
    "never": _("Never heard from"),
}


@dataclass(frozen=True)
class Figure:
    """A figure of the dashboard, reachable at /api/v1/dashboard/<name>/."""

    name: str
    title: str | Promise
    compute: Callable[[Scope], dict[str, Any]]
    # The list inside the figure that becomes the rows of an export, and its columns.
    rows_key: str
    columns: Sequence[Column]


def _reader(
    key: str, labels: Mapping[str, str | Promise] | None
) -> Callable[[dict[str, Any]], Any]:
    def read(row: dict[str, Any]) -> Any:
        value = row.get(key)
        if labels is not None and value is not None:
            return str(labels.get(value, value))
        if key.endswith("_at") and isinstance(value, str):
            return local_time(value)  # the figures carry ISO instants for programs
        return value

    return read


def _col(
    key: str, label: str | Promise, labels: Mapping[str, str | Promise] | None = None
) -> Column:
    """An exported column; `labels` names the codes it holds in the reader's language."""
    return Column(key, label, value=_reader(key, labels))


FIGURES = {
    f.name: f
    for f in (
        Figure(
            "tonnage",
            _("Tonnage against last year"),
            figures.tonnage,
            "periods",
            [
                _col("label", _("Period")),
                _col("out_t", _("Out (t)")),
                _col("last_year_out_t", _("Out last year (t)")),
                _col("out_change_pct", _("Out change (%)")),
                _col("in_t", _("In (t)")),
                _col("last_year_in_t", _("In last year (t)")),
                _col("in_change_pct", _("In change (%)")),
                _col("trucks", _("Trucks")),
                _col("last_year_trucks", _("Trucks last year")),
                _col("held_trucks", _("Held trucks")),
            ],
        ),
        Figure(
            "daily",
            _("Daily tonnage"),
            figures.daily_series,
            "rows",
            [
                _col("day", _("Day")),
                _col("out_t", _("Out (t)")),
                _col("in_t", _("In (t)")),
                _col("trucks", _("Trucks")),
            ],
        ),
        Figure(
            "grades",
            _("Exit tonnage by grade this month"),
            figures.by_grade,
            "rows",
            [_col("grade", _("Grade")), _col("out_t", _("Out (t)")), _col("trucks", _("Trucks"))],
        ),
        Figure(
            "breakdown",
            _("Drill-down"),
            figures.breakdown,
            "rows",
            [
                _col("code", _("Code")),
                _col("name", _("Name")),
                _col("out_t", _("Out this month (t)")),
                _col("in_t", _("In this month (t)")),
                _col("trucks", _("Trucks")),
                _col("allocated_t", _("Quota (t)")),
                _col("consumed_t", _("Consumed (t)")),
                _col("used_pct", _("Used (%)")),
            ],
        ),
        Figure(
            "quota",
            _("Quota burn"),
            figures.quota,
            "children",
            [
                _col("code", _("Code")),
                _col("name", _("Name")),
                _col("allocated_t", _("Quota (t)")),
                _col("consumed_t", _("Consumed (t)")),
                _col("remaining_t", _("Remaining (t)")),
                _col("used_pct", _("Used (%)")),
            ],
        ),
        Figure(
            "alerts",
            _("Open alerts"),
            places.alerts,
            "by_rule",
            [
                _col("rule_name", _("Rule")),
                _col("count", _("Open alerts")),
            ],
        ),
        Figure(
            "prices",
            _("Price index"),
            lambda scope: figures.prices(),
            "rows",
            [
                _col("grade", _("Grade")),
                _col("name", _("Name")),
                _col("delivered_avg", _("Delivered average (yuan/t)")),
                _col("approved_avg", _("Contracted average (yuan/t)")),
            ],
        ),
        Figure(
            "stations",
            _("Stations"),
            figures.stations,
            "rows",
            [
                _col("code", _("Code")),
                _col("name", _("Name")),
                _col("status", _("Status"), STATION_STATES),
                _col("last_heard", _("Last heartbeat")),
            ],
        ),
        Figure(
            "procedures",
            _("Procedures check by department"),
            figures.procedures,
            "rows",
            [
                _col("name", _("Department")),
                _col("required", _("Required permits")),
                _col("valid", _("Valid")),
                _col("problems", _("Problems")),
                _col("complete_pct", _("Complete (%)")),
            ],
        ),
        Figure(
            "feed",
            _("Live weighings"),
            places.feed,
            "rows",
            [
                _col("date", _("Date")),
                _col("time", _("Time")),
                _col("station", _("Station")),
                _col("kind_label", _("Kind")),
                _col("plate", _("Plate")),
                _col("enterprise", _("Enterprise")),
                _col("cargo", _("Cargo")),
                _col("grade", _("Grade")),
                _col("gross_t", _("Gross (t)")),
                _col("tare_t", _("Tare (t)")),
                _col("net_t", _("Net (t)")),
                _col("contract", _("Contract")),
                _col("contract_delivered_t", _("Delivered (t)")),
                _col("contract_total_t", _("Contract total (t)")),
            ],
        ),
        Figure(
            "map",
            _("Map"),
            places.map_data,
            "sites",
            [
                _col("code", _("Code")),
                _col("name", _("Name")),
                _col("enterprise", _("Enterprise")),
                _col("kind", _("Kind"), dict(SiteKind.choices)),
                _col("status", _("Status"), dict(OperatingStatus.choices)),
                _col("alerts", _("Open alerts")),
                _col("lat", _("Latitude")),
                _col("lon", _("Longitude")),
            ],
        ),
    )
}


def export(figure: Figure, data: dict[str, Any], kind: str) -> HttpResponse:
    """The figure's rows as an .xlsx workbook or a CSV file (UTF-8 with BOM, for Excel)."""
    columns = figure.columns
    rows = data.get(figure.rows_key) or []
    if kind == "xlsx":
        return xlsx_response(str(figure.title), columns, rows, filename=_filename(figure, "xlsx"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(col.label) for col in columns])
    for row in rows:
        writer.writerow([cell_text(col.read(row)) for col in columns])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figure, "csv")}"'
    return response


def _filename(figure: Figure, ext: str) -> str:
    return f"dashboard-{figure.name}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"
