"""Pages of classification decisions: the history, and a new decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import ADD, VIEW, get_for_user, may
from oreledger.inspections import services
from oreledger.inspections.filtersets import DecisionFilter
from oreledger.inspections.forms import DecisionForm
from oreledger.inspections.models import ClassificationDecision
from oreledger.registry.choices import Rectification
from oreledger.registry.models import Enterprise


class DecisionListView(ScopedListView):
    """Classification decisions in the jurisdiction, newest first: each enterprise's history."""

    model = ClassificationDecision
    title = _("Classification decisions")
    filterset_class = DecisionFilter
    related = ("enterprise", "region", "decided_by")
    default_order = "-created_at"
    columns = (
        Column("created_at", _("Decided at"), order_by="created_at"),
        Column("enterprise.name", _("Enterprise"), order_by="enterprise__name"),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("classification", _("Classification"), order_by="classification"),
        Column("reason", _("Reason")),
    )


@login_required
def decision_new(request: HttpRequest, uscc: str) -> HttpResponse:
    """Decide an enterprise's classification; the decision asks first."""
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, VIEW,
                              uscc=uscc)  # fmt: skip
    if not may(request.user, ADD, ClassificationDecision):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not confirmed(request):
            shut = data["classification"] == Rectification.SHUT_ELIMINATE
            return ask_confirmation(
                request,
                Confirmation(
                    question=_("Record the decision on %(name)s?") % {"name": enterprise.name},
                    consequence=_(
                        "Shut down and eliminate closes every site of the enterprise and "
                        "suspends its permits; its trucks are held at the gate."
                    )
                    if shut
                    else _("The decision goes into the enterprise's file and history."),
                    action_label=_("Record the decision"),
                    facts=[
                        (_("Enterprise"), enterprise.name),
                        (_("Classification"), Rectification(data["classification"]).label),
                    ],
                ),
                cancel_url=enterprise.get_absolute_url(),
            )
        try:
            services.decide_classification(
                actor=request.user,
                enterprise=enterprise,
                classification=data["classification"],
                reason=data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect(enterprise)
    return render(
        request,
        "inspections/decision_form.html",
        {"form": form, "enterprise": enterprise, "title": _("Record a classification decision")},
    )
