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

from oreledger.core.cells import COUNT, MONEY, PERCENT, TONNES, Kind, csv_safe
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
    key: str,
    label: str | Promise,
    kind: Kind | None = None,
    *,
    labels: Mapping[str, str | Promise] | None = None,
) -> Column:
    """An exported column of a figure's kind; `labels` names the codes it holds."""
    return Column(key, label, value=_reader(key, labels), kind=kind)


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
                _col("out_t", _("Out (t)"), TONNES),
                _col("last_year_out_t", _("Out last year (t)"), TONNES),
                _col("out_change_pct", _("Out change (%)"), PERCENT),
                _col("in_t", _("In (t)"), TONNES),
                _col("last_year_in_t", _("In last year (t)"), TONNES),
                _col("in_change_pct", _("In change (%)"), PERCENT),
                _col("trucks", _("Trucks"), COUNT),
                _col("last_year_trucks", _("Trucks last year"), COUNT),
                _col("held_trucks", _("Held trucks"), COUNT),
            ],
        ),
        Figure(
            "daily",
            _("Daily tonnage"),
            figures.daily_series,
            "rows",
            [
                _col("day", _("Day")),
                _col("out_t", _("Out (t)"), TONNES),
                _col("in_t", _("In (t)"), TONNES),
                _col("trucks", _("Trucks"), COUNT),
            ],
        ),
        Figure(
            "grades",
            _("Exit tonnage by grade this month"),
            figures.by_grade,
            "rows",
            [
                _col("grade", _("Grade")),
                _col("out_t", _("Out (t)"), TONNES),
                _col("trucks", _("Trucks"), COUNT),
            ],
        ),
        Figure(
            "breakdown",
            _("Drill-down"),
            figures.breakdown,
            "rows",
            [
                _col("code", _("Code")),
                _col("name", _("Name")),
                _col("out_t", _("Out this month (t)"), TONNES),
                _col("in_t", _("In this month (t)"), TONNES),
                _col("trucks", _("Trucks"), COUNT),
                _col("allocated_t", _("Quota (t)"), TONNES),
                _col("consumed_t", _("Consumed (t)"), TONNES),
                _col("used_pct", _("Used (%)"), PERCENT),
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
                _col("allocated_t", _("Quota (t)"), TONNES),
                _col("consumed_t", _("Consumed (t)"), TONNES),
                _col("remaining_t", _("Remaining (t)"), TONNES),
                _col("used_pct", _("Used (%)"), PERCENT),
            ],
        ),
        Figure(
            "alerts",
            _("Open alerts"),
            places.alerts,
            "by_rule",
            [
                _col("rule_name", _("Rule")),
                _col("count", _("Open alerts"), COUNT),
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
                _col("delivered_avg", _("Delivered average (yuan/t)"), MONEY),
                _col("approved_avg", _("Contracted average (yuan/t)"), MONEY),
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
                _col("status", _("Status"), labels=STATION_STATES),
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
                _col("required", _("Required permits"), COUNT),
                _col("valid", _("Valid"), COUNT),
                _col("problems", _("Problems"), COUNT),
                _col("complete_pct", _("Complete (%)"), PERCENT),
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
                _col("gross_t", _("Gross (t)"), TONNES),
                _col("tare_t", _("Tare (t)"), TONNES),
                _col("net_t", _("Net (t)"), TONNES),
                _col("contract", _("Contract")),
                _col("contract_delivered_t", _("Delivered (t)"), TONNES),
                _col("contract_total_t", _("Contract total (t)"), TONNES),
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
                _col("kind", _("Kind"), labels=dict(SiteKind.choices)),
                _col("status", _("Status"), labels=dict(OperatingStatus.choices)),
                _col("alerts", _("Open alerts"), COUNT),
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
        writer.writerow([csv_safe(cell_text(col.exported(row)[0])) for col in columns])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figure, "csv")}"'
    return response


def _filename(figure: Figure, ext: str) -> str:
    return f"dashboard-{figure.name}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"
