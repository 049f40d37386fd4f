"""Pages of weekly data confirmation: a county's confirmation, the province's timeliness table."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.choices import RegionLevel
from oreledger.core.errors import DomainError
from oreledger.core.permissions import COUNTY_OPERATOR, ENTERPRISE_USER
from oreledger.worklist import services
from oreledger.worklist.forms import ConfirmForm
from oreledger.worklist.queries import (
    recent_weeks,
    reporting_timeliness,
    today_local,
    week_of,
)

WEEKS_SHOWN = 8


@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    """A county operator confirms the county's data for a week; the county's past weeks."""
    user = request.user
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


@login_required
def timeliness(request: HttpRequest) -> HttpResponse:
    """Every county's weeks: reported, on time, late or missing, with the rates."""
    user = request.user
    if getattr(user, "role", None) in (None, ENTERPRISE_USER) or not user.region_id:
        raise Http404
    table = reporting_timeliness(user.region, recent_weeks(WEEKS_SHOWN))
    return render(
        request,
        "worklist/timeliness.html",
        {"title": _("Weekly data timeliness"), "table": table},
    )
