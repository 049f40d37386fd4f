"""The briefing's pages: the archive, a week on demand, a briefing, its downloads."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from oreledger.briefings import services
from oreledger.briefings.forms import NarrativeForm, WeekForm
from oreledger.briefings.models import Briefing
from oreledger.briefings.pdf import briefing_pdf
from oreledger.briefings.queries import as_json, document
from oreledger.briefings.sections import Week
from oreledger.briefings.word import briefing_docx
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import paged
from oreledger.core.permissions import ADD, APPROVE, CHANGE, VIEW, get_for_user, may
from oreledger.dashboards.scope import Scope, resolve_scope

FORMATS = ("pdf", "docx", "json")


def file_response(figures: dict[str, Any], shown: dict[str, Any], kind: str) -> HttpResponse:
    """briefing.pdf, briefing.docx or briefing.json as a download."""
    name = f"briefing-{figures['region']['code']}-{figures['week']}.{kind}"
    if kind == "pdf":
        response = HttpResponse(briefing_pdf(shown), content_type="application/pdf")
    elif kind == "docx":
        response = HttpResponse(
            briefing_docx(shown),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        text = as_json(figures)
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _reader_scope(request: HttpRequest, region_code: str) -> Scope:
    """The region asked for inside the reader's jurisdiction (404 outside it)."""
    if not may(request.user, VIEW, Briefing):
        raise Http404
    scope = resolve_scope(request.user, {"region": region_code} if region_code else {})
    if scope.site is not None or scope.is_enterprise:
        raise Http404
    return scope


@login_required
def briefing_list(request: HttpRequest) -> HttpResponse:
    """The archive of briefings in the reader's jurisdiction, and a week to brief on."""
    if not may(request.user, VIEW, Briefing):
        raise Http404
    rows = Briefing.objects.for_user(request.user, VIEW).select_related("region")
    context = {
        "title": _("Weekly briefings"),
        "form": WeekForm(initial={"week": Week.of(_last_week()).key}, reader=request.user),
        "may_add": may(request.user, ADD, Briefing),
        **paged(request, rows.order_by("-week", "region__code")),
    }
    return render(request, "briefings/briefing_list.html", context)


def _last_week() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=7)


@login_required
def week_page(request: HttpRequest) -> HttpResponse:
    """A week's briefing on demand (live figures), as a page or a download."""
    form = WeekForm(request.GET)
    if not form.is_valid():
        raise Http404
    scope = _reader_scope(request, form.cleaned_data["region"])
    try:
        week = Week.parse(form.cleaned_data["week"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("briefings:briefing_list")
    figures = services.build_figures(scope, week)
    shown = document(figures)
    kind = request.GET.get("as", "")
    if kind in FORMATS:
        return file_response(figures, shown, kind)
    existing = (
        Briefing.objects.for_user(request.user, VIEW)
        .filter(region__code=figures["region"]["code"], week=week.key)
        .first()
    )
    context = {
        "title": _("Weekly dispatch briefing"),
        "shown": shown,
        "figures": figures,
        "existing": existing,
        "may_add": may(request.user, ADD, Briefing),
        "query": request.GET.urlencode(),
        "week": week.key,
        "region": figures["region"]["code"],
    }
    return render(request, "briefings/briefing_detail.html", context)


@login_required
@require_POST
def briefing_new(request: HttpRequest) -> HttpResponse:
    """Keep a week's briefing as a draft, to write its remarks and issue it."""
    form = WeekForm(request.POST)
    if not form.is_valid():
        raise Http404
    scope = _reader_scope(request, form.cleaned_data["region"])
    try:
        week = Week.parse(form.cleaned_data["week"])
        region = scope.region or services.top_region()
        briefing = services.draft_briefing(actor=request.user, region=region, week=week)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("briefings:briefing_list")
    return redirect(briefing)


def _briefing(request: HttpRequest, pk: int, action: str = VIEW) -> Briefing:
    return get_for_user(Briefing.objects.select_related("region"), request.user, action, pk=pk)


@login_required
def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A briefing: its figures (frozen once issued), remarks, downloads."""
    briefing = _briefing(request, pk)
    figures = services.figures_of(briefing, request.user)
    shown = document(
        figures, remarks=briefing.remarks, priorities=briefing.priorities, status=briefing.status
    )
    kind = request.GET.get("as", "")
    if kind in FORMATS:
        return file_response(figures, shown, kind)
    may_change = not briefing.issued and may(request.user, CHANGE, Briefing)
    context = {
        "title": _("Weekly dispatch briefing"),
        "briefing": briefing,
        "shown": shown,
        "figures": figures,
        "form": NarrativeForm(
            initial={"remarks": briefing.remarks, "priorities": briefing.priorities}
        )
        if may_change
        else None,
        "may_issue": not briefing.issued and may(request.user, APPROVE, Briefing),
    }
    return render(request, "briefings/briefing_detail.html", context)


@login_required
@require_POST
def briefing_narrative(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the remarks and priorities of a draft."""
    briefing = _briefing(request, pk, CHANGE)
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            services.update_narrative(actor=request.user, briefing=briefing, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Remarks saved."))
    return redirect(briefing)


@login_required
@require_POST
def briefing_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a draft: its figures and remarks are frozen as they are now."""
    briefing = _briefing(request, pk, APPROVE)
    if not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Issue the briefing %(name)s?") % {"name": str(briefing)},
                consequence=_(
                    "Its figures and remarks are frozen as they are now; later corrections "
                    "show in the next briefing, never in this one."
                ),
                action_label=pgettext("briefing", "Issue"),
            ),
            cancel_url=reverse("briefings:briefing_detail", args=[briefing.pk]),
        )
    try:
        services.issue_briefing(actor=request.user, briefing=briefing)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Briefing issued."))
    return redirect(briefing)
