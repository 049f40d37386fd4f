"""Pages of the counties' funding and staffing: entered by a county, decided by the province."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.assessment import services
from oreledger.assessment.choices import EvidenceStatus
from oreledger.assessment.forms import DecisionForm, EvidenceForm
from oreledger.assessment.models import Evidence
from oreledger.core.errors import DomainError
from oreledger.core.permissions import ADD, APPROVE, VIEW, get_for_user, may
from oreledger.core.uploads import stored_file_response


@login_required
def county_entries(request: HttpRequest) -> HttpResponse:
    """A county operator enters funding or staffing in place and sees its entries' states."""
    user: Any = request.user
    region = getattr(user, "region", None)
    if not may(user, ADD, Evidence) or region is None:
        raise Http404
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_evidence(actor=user, region=region, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Entry submitted; it counts once the province approves it.")
            )
            return redirect("assessment:evidence")
    entries = Evidence.objects.for_user(user, VIEW).filter(region=region)
    context = {"title": _("Funding and staffing"), "form": form, "entries": entries}
    return render(request, "assessment/evidence.html", context)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The province's queue of county entries awaiting approval."""
    user: Any = request.user
    if not may(user, APPROVE, Evidence):
        raise Http404
    entries = (
        Evidence.objects.for_user(user, APPROVE)
        .filter(status=EvidenceStatus.SUBMITTED)
        .select_related("region", "submitted_by")
    )
    context = {
        "title": _("Entries awaiting approval"),
        "entries": entries,
        "form": DecisionForm(auto_id=False),
    }
    return render(request, "assessment/evidence_queue.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The province approves an entry or returns it with a reason."""
    entry = get_for_user(Evidence.objects.all(), request.user, APPROVE, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("assessment:evidence_queue")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_evidence(
            actor=request.user, entry=entry, approve=approve, note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = _("Entry approved.") if approve else _("Entry returned to the county.")
        messages.success(request, done)
    return redirect("assessment:evidence_queue")


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An entry's document, for those who may see the entry (to anyone else: 404)."""
    entry = get_for_user(Evidence.objects.exclude(attachment=""), request.user, VIEW, pk=pk)
    return stored_file_response(entry.attachment)
