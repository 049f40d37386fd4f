"""The campaign dashboard: figures by town or department against the targets, the records
behind each figure, and both as workbooks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.core.cells import COUNT, PERCENT
from oreledger.core.exports import export_response
from oreledger.core.listing import Column, ExportSource, paged, table_rows
from oreledger.core.permissions import VIEW, get_for_user
from oreledger.inspections.models import Campaign
from oreledger.inspections.queries import (
    BY_TOWN,
    DASHBOARD_MODES,
    RECORD_KINDS,
    Dashboard,
    campaign_dashboard,
    dashboard_bucket,
    dashboard_records,
)

MODE_LABELS = {"town": _("By town"), "department": _("By department")}
KIND_LABELS = {
    "inspected": _("Enterprises inspected"),
    "findings": pgettext_lazy("inspection", "Findings"),
    "open": _("Open orders"),
    "overdue": _("Overdue orders"),
    "closed": _("Closed orders"),
}


def figure_columns(by: str) -> list[Column]:
    """The dashboard's columns: the same figures on the page and in the workbook."""
    first = _("Town") if by == BY_TOWN else _("Department")
    return [
        Column("label", first),
        Column("in_scope", _("Enterprises in scope"), kind=COUNT),
        Column("inspected", _("Enterprises inspected"), kind=COUNT),
        Column("inspected_pct", _("Inspected (%)"), kind=PERCENT),
        Column("findings", pgettext_lazy("inspection", "Findings"), kind=COUNT),
        Column("findings_closed", pgettext_lazy("count", "Findings closed"), kind=COUNT),
        Column("closed_pct", _("Findings closed (%)"), kind=PERCENT),
        Column("open_orders", _("Open orders"), kind=COUNT),
        Column("overdue_orders", _("Overdue orders"), kind=COUNT),
        Column("closed_orders", _("Closed orders"), kind=COUNT),
    ]


RECORD_COLUMNS: dict[str, list[Column]] = {
    "inspected": [
        Column("inspected_on", _("Inspected on")),
        Column("enterprise.name", _("Enterprise")),
        Column("site.name", _("Site")),
        Column("region.name", _("Region")),
    ],
    "findings": [
        Column("text", pgettext_lazy("inspection", "Finding")),
        Column("enterprise.name", _("Enterprise")),
        Column("department_kind.name_zh", _("Department")),
        Column("severity", _("Severity")),
        Column("order.number", _("Rectification order")),
    ],
    "orders": [
        Column("number", _("Number")),
        Column("enterprise.name", _("Enterprise")),
        Column("target", _("Rectification target")),
        Column("deadline", pgettext_lazy("rectification", "Deadline")),
        Column("status", _("Status")),
    ],
}


def _campaign(request: HttpRequest, pk: int, by: str) -> Campaign:
    campaign = get_for_user(Campaign.objects.select_related("region"), request.user, VIEW, pk=pk)
    if by not in DASHBOARD_MODES:
        raise Http404
    return campaign


def _total_row(dashboard: Dashboard) -> Any:
    dashboard.total.label = str(_("Campaign total"))
    return dashboard.total


def dashboard_export_source(request: HttpRequest, pk: int, by: str) -> ExportSource:
    """The dashboard's rows and the campaign's total, for the workbook."""
    campaign = _campaign(request, pk, by)
    dashboard = campaign_dashboard(campaign, by)
    rows = [*dashboard.rows, _total_row(dashboard)]
    title = f"{campaign.name} {MODE_LABELS[by]}"
    return ExportSource(title, figure_columns(by), rows, len(rows))


@login_required
def campaign_dashboard_page(request: HttpRequest, pk: int, by: str) -> HttpResponse:
    """A campaign's inspected / findings / orders by town or department, against its targets."""
    if request.GET.get("export") == "xlsx":
        return export_response(request, lambda: dashboard_export_source(request, pk, by))
    campaign = _campaign(request, pk, by)
    dashboard = campaign_dashboard(campaign, by)
    rows = dashboard.rows
    chart = {
        "labels": [row.label for row in rows],
        "series": [
            {"name": str(_("Enterprises in scope")), "data": [r.in_scope for r in rows]},
            {"name": str(_("Enterprises inspected")), "data": [r.inspected for r in rows]},
            {"name": str(KIND_LABELS["findings"]), "data": [r.findings for r in rows]},
            {"name": str(_("Open orders")), "data": [r.open_orders for r in rows]},
        ],
    }
    context = {
        "title": f"{campaign.name} · {MODE_LABELS[by]}",
        "campaign": campaign,
        "dashboard": dashboard,
        "total": _total_row(dashboard),
        "modes": [(mode, MODE_LABELS[mode]) for mode in DASHBOARD_MODES],
        "chart": chart,
    }
    return render(request, "inspections/dashboard.html", context)


campaign_dashboard_page.export_source = dashboard_export_source  # type: ignore[attr-defined]


def _drill(request: HttpRequest, pk: int, by: str, key: str) -> tuple[Campaign, Any, str, Any]:
    campaign = _campaign(request, pk, by)
    bucket = dashboard_bucket(campaign, by, key)
    if bucket is None:
        raise Http404
    kind = request.GET.get("show", "inspected")
    kind = kind if kind in RECORD_KINDS else "inspected"
    return campaign, bucket, kind, dashboard_records(campaign, bucket, kind, request.user)


def _columns(kind: str) -> list[Column]:
    return RECORD_COLUMNS[kind if kind in ("inspected", "findings") else "orders"]


def drill_export_source(request: HttpRequest, pk: int, by: str, key: str) -> ExportSource:
    """The records behind one figure of one row, for the workbook."""
    _, bucket, kind, records = _drill(request, pk, by, key)
    title = f"{bucket.name_zh} {KIND_LABELS[kind]}"
    return ExportSource(title, _columns(kind), records.iterator(), records.count())


@login_required
def dashboard_drill(request: HttpRequest, pk: int, by: str, key: str) -> HttpResponse:
    """The visits, findings or orders behind one figure of a town or department."""
    if request.GET.get("export") == "xlsx":
        return export_response(request, lambda: drill_export_source(request, pk, by, key))
    campaign, bucket, kind, records = _drill(request, pk, by, key)
    columns = _columns(kind)
    page = paged(request, records)
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "xlsx"
    context = {
        "title": f"{bucket.name_zh} · {KIND_LABELS[kind]}",
        "campaign": campaign,
        "bucket": bucket,
        "by": by,
        "key": key,
        "kind": kind,
        "kinds": list(KIND_LABELS.items()),
        "columns": columns,
        "rows": table_rows(columns, page["page_obj"]),
        "export_query": query.urlencode(),
        **page,
    }
    return render(request, "inspections/dashboard_drill.html", context)


dashboard_drill.export_source = drill_export_source  # type: ignore[attr-defined]
