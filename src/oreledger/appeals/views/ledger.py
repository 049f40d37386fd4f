"""The appeals ledgers (台账) per county and per department, and the province's time limits."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.appeals import services
from oreledger.appeals.forms import LimitsForm
from oreledger.appeals.models import Appeal, TimeLimits
from oreledger.appeals.queries import COUNTY, DEPARTMENT, Figures, ledger_figures
from oreledger.core.cells import COUNT, DECIMAL, PERCENT
from oreledger.core.errors import DomainError
from oreledger.core.exports import export_response
from oreledger.core.listing import Column, ExportSource, sort_key, sorted_rows, table_rows
from oreledger.core.permissions import CHANGE, ENTERPRISE_USER, VIEW, may

COLUMNS = (
    Column("name", _("County or department"), order_by="name", link=True),
    Column("raised", _("Raised in the period"), order_by="raised", kind=COUNT),
    Column("open", _("Open"), order_by="open", kind=COUNT),
    Column("overdue", _("Overdue"), order_by="overdue", kind=COUNT),
    Column("solved", _("Solved in the period"), order_by="solved", kind=COUNT),
    Column(
        "solved_within_limit", _("Solved within limit"), order_by="solved_within_limit", kind=COUNT
    ),
    Column("within_limit_share", _("Within limit share"), kind=PERCENT),
    Column("satisfaction", _("Satisfaction (1–5)"), kind=DECIMAL),
)
TITLES = {COUNTY: _("Appeals ledger by county"), DEPARTMENT: _("Appeals ledger by department")}


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """From the first of the month to today, unless the query names the days (local dates)."""
    today = timezone.localdate()
    since, until = today.replace(day=1), today

    def day(name: str, default: datetime.date) -> datetime.date:
        try:
            return datetime.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return default

    return day("since", since), day("until", until)


def _rows(request: HttpRequest, by: str) -> tuple[list[Figures], datetime.date, datetime.date]:
    if by not in TITLES or getattr(request.user, "role", None) == ENTERPRISE_USER:
        raise Http404
    since, until = _period(request)
    figures = ledger_figures(
        since=since, until=until, by=by, appeals=Appeal.objects.for_user(request.user, VIEW)
    )
    return sorted_rows(figures, COLUMNS, sort_key(request, COLUMNS)), since, until


def ledger_export_source(request: HttpRequest, by: str) -> ExportSource:
    """The ledger's rows as the page shows them, for export."""
    rows, _since, _until = _rows(request, by)
    return ExportSource(TITLES[by], COLUMNS, rows, len(rows))


@login_required
def ledger(request: HttpRequest, by: str) -> HttpResponse:
    """Open, overdue, solved within limit and satisfaction, per county or department."""
    if request.GET.get("export") == "xlsx":
        _rows(request, by)  # the scope check before any export is started
        return export_response(request, lambda: ledger_export_source(request, by))
    rows, since, until = _rows(request, by)
    key = "department" if by == DEPARTMENT else "region"
    list_url = reverse("appeals:appeal_list")
    for row in rows:
        # Drill-down: the open appeals behind the row, in the list (same scope).
        row.url = f"{list_url}?{urlencode({key: row.key, 'state': 'open'})}"  # type: ignore[attr-defined]
    export = request.GET.copy()
    export["export"] = "xlsx"
    return render(
        request,
        "appeals/ledger.html",
        {
            "title": TITLES[by],
            "by": by,
            "rows": table_rows(COLUMNS, rows),
            "figures": rows,
            "columns": COLUMNS,
            "since": since,
            "until": until,
            "sort": sort_key(request, COLUMNS),
            "export_query": export.urlencode(),
        },
    )


ledger.export_source = ledger_export_source  # type: ignore[attr-defined]


@login_required
def time_limits(request: HttpRequest) -> HttpResponse:
    """The province's time limits per stage (read by the offices, changed by the province)."""
    if not may(request.user, VIEW, TimeLimits):
        raise Http404
    current = TimeLimits.current()
    editable = may(request.user, CHANGE, TimeLimits)
    form = LimitsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not editable:
            raise Http404
        if form.is_valid():
            try:
                services.set_time_limits(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Time limits saved."))
                return redirect("appeals:time_limits")
    return render(
        request,
        "appeals/time_limits.html",
        {"title": _("Appeal time limits"), "form": form, "editable": editable},
    )
