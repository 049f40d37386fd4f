"""Pages of weekly data confirmation: a county's confirmation, the province's timeliness table."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.choices import RegionLevel
from oreledger.core.cells import COUNT, PERCENT
from oreledger.core.errors import DomainError
from oreledger.core.exports import export_response
from oreledger.core.listing import Column, ExportSource
from oreledger.core.permissions import COUNTY_OPERATOR, ENTERPRISE_USER
from oreledger.worklist import services
from oreledger.worklist.forms import ConfirmForm
from oreledger.worklist.queries import (
    TimelinessTable,
    recent_weeks,
    reporting_timeliness,
    today_local,
    week_of,
)

WEEKS_SHOWN = 8


@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    """A county operator confirms the county's data for a week; the county's past weeks."""
    user: Any = request.user
    if getattr(user, "role", None) != COUNTY_OPERATOR or user.region.level != RegionLevel.COUNTY:
        raise Http404
    last_week = week_of(today_local()) - datetime.timedelta(days=7)
    form = ConfirmForm(request.POST or None, initial={"week": last_week})
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_week(actor=user, region=user.region, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Week confirmed."))
            return redirect("worklist:confirm")
    table = reporting_timeliness(user.region, recent_weeks(WEEKS_SHOWN))
    return render(
        request,
        "worklist/confirm.html",
        {"title": _("Weekly data confirmation"), "form": form, "table": table},
    )


def _week_column(n: int, week: datetime.date) -> Column:
    return Column(f"w{n}", week.strftime("%m-%d"), value=lambda row: row.cells[n].status.label)


def _percent(attribute: str) -> Any:
    def read(row: Any) -> float | None:
        share = getattr(row, attribute)
        return None if share is None else 100 * share

    return read


def timeliness_columns(table: TimelinessTable) -> list[Column]:
    """The timeliness table as the page shows it: county, one column per week, the rates."""
    return [
        Column("county", _("County"), value=lambda row: row.region.name_zh),
        *(_week_column(n, week) for n, week in enumerate(table.weeks)),
        Column("expected", _("Expected"), kind=COUNT),
        Column("reported", _("Reported"), kind=COUNT),
        Column("on_time", _("On time"), kind=COUNT),
        Column(
            "reporting_rate",
            _("Reporting rate (%)"),
            value=_percent("reporting_rate"),
            kind=PERCENT,
        ),
        Column("on_time_rate", _("On-time rate (%)"), value=_percent("on_time_rate"), kind=PERCENT),
    ]


def _timeliness_table(request: HttpRequest) -> TimelinessTable:
    user: Any = request.user
    if getattr(user, "role", None) in (None, ENTERPRISE_USER) or not user.region_id:
        raise Http404
    return reporting_timeliness(user.region, recent_weeks(WEEKS_SHOWN))


def timeliness_export_source(request: HttpRequest) -> ExportSource:
    """The timeliness table's rows as the page shows them, for export."""
    table = _timeliness_table(request)
    return ExportSource(
        _("Weekly data timeliness"), timeliness_columns(table), table.rows, len(table.rows)
    )


@login_required
def timeliness(request: HttpRequest) -> HttpResponse:
    """Every county's weeks: reported, on time, late or missing, with the rates."""
    table = _timeliness_table(request)
    if request.GET.get("export") == "xlsx":
        return export_response(request, lambda: timeliness_export_source(request))
    return render(
        request,
        "worklist/timeliness.html",
        {"title": _("Weekly data timeliness"), "table": table},
    )


timeliness.export_source = timeliness_export_source  # type: ignore[attr-defined]
