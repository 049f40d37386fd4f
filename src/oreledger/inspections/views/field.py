"""The field inspection form (phone, 360 px, flaky connection) and an inspection's record."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.core.audit import history_for
from oreledger.core.errors import DomainError
from oreledger.core.localtime import local_day
from oreledger.core.permissions import ADD, VIEW, get_for_user, may
from oreledger.core.uploads import stored_file_response
from oreledger.inspections import services
from oreledger.inspections.choices import Outcome
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.forms import OrderForm, parse_results
from oreledger.inspections.models import (
    Campaign,
    Inspection,
    InspectionPhoto,
    RectificationOrder,
)
from oreledger.inspections.queries import checklists_for, items_for
from oreledger.registry.models import Site
from oreledger.registry.procedures import procedures_for_enterprise


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def inspect(request: HttpRequest, pk: int, site: str) -> HttpResponse:
    """The checklist of every participating department for one site, and its submission.

    The page's script keeps a draft on the device until the server answers; the submission
    key makes a resent form land on the inspection already stored.
    """
    campaign = get_for_user(Campaign.objects.select_related("region"), request.user, VIEW, pk=pk)
    place = get_for_user(
        Site.objects.select_related("enterprise", "region"), request.user, VIEW, code=site
    )
    if not may(request.user, ADD, Inspection):
        return redirect(campaign)
    items = list(items_for(checklists_for(campaign, place.enterprise.industry)))
    error = ""
    if request.method == "POST":
        try:
            key, results = parse_results(request.POST, request.FILES, items)
            if key is None:
                raise InspectionError("results_incomplete", missing=len(items))
            inspection, created = services.submit_inspection(
                actor=request.user,
                campaign=campaign,
                site=place,
                submission_key=key,
                inspected_on=local_day(timezone.now()),
                results=results,
            )
        except DomainError as exc:
            if _wants_json(request):
                return JsonResponse(exc.as_payload(), status=exc.status)
            error = exc.message
        else:
            if _wants_json(request):
                body = {"url": inspection.get_absolute_url(), "created": created}
                return JsonResponse(body, status=201 if created else 200)
            messages.success(request, _("The inspection is stored."))
            return redirect(inspection)
    context: dict[str, Any] = {
        "title": _("Field inspection"),
        "campaign": campaign,
        "site": place,
        "items": items,
        "outcomes": Outcome.choices,
        "submission_key": uuid.uuid4(),
        "blocks": procedures_for_enterprise(place.enterprise, local_day(timezone.now())),
        "today": local_day(timezone.now()),
        "error": error,
    }
    return render(request, "inspections/inspect.html", context, status=400 if error else 200)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An inspection: each item's result, notes and photos, its findings and their orders."""
    inspection = get_for_user(
        Inspection.objects.select_related("site", "enterprise", "campaign", "inspector"),
        request.user,
        VIEW,
        pk=pk,
    )
    findings = inspection.findings.select_related("department_kind", "order")
    open_findings = [f for f in findings if f.order_id is None]
    context = {
        "title": _("Inspection"),
        "inspection": inspection,
        "results": inspection.results.select_related(
            "item__checklist__department_kind"
        ).prefetch_related("photos"),
        "findings": findings,
        "may_order": bool(open_findings) and may(request.user, ADD, RectificationOrder),
        "order_form": OrderForm(),
        "history": history_for(inspection)[:20],
    }
    return render(request, "inspections/inspection_detail.html", context)


@login_required
def order_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a rectification order for the open findings of an inspection."""
    inspection = get_for_user(Inspection.objects.all(), request.user, VIEW, pk=pk)
    if not may(request.user, ADD, RectificationOrder):
        raise PermissionDenied
    if request.method != "POST":
        return redirect(inspection)
    form = OrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the order: target, measures, deadline and who answers."))
        return redirect(inspection)
    try:
        order = services.issue_order(
            actor=request.user,
            findings=list(inspection.findings.filter(order__isnull=True)),
            **form.cleaned_data,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(inspection)
    messages.success(request, _("Order %(number)s issued.") % {"number": order.number})
    return redirect(order)


@login_required
def inspection_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A photo of an inspection's result, for those who may see the inspection (else 404)."""
    inspection = get_for_user(Inspection.objects.all(), request.user, VIEW, pk=pk)
    found = InspectionPhoto.objects.filter(result__inspection=inspection, pk=photo).first()
    if found is None:
        raise Http404
    return stored_file_response(found.image)
