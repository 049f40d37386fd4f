"""Pages of the appeals desk: the lists (my appeals, inbox, queue), raising, the appeal's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from oreledger.appeals import services
from oreledger.appeals.choices import AppealClass, AppealStatus
from oreledger.appeals.filtersets import AppealFilter
from oreledger.appeals.forms import (
    ConfirmForm,
    DecisionForm,
    RaiseForm,
    ReasonForm,
    RouteForm,
    TextForm,
    VisitForm,
)
from oreledger.appeals.models import Appeal, Notice
from oreledger.appeals.policies import ANSWER, CONFIRM
from oreledger.appeals.queries import countdown, running_stage
from oreledger.core.audit import history_for
from oreledger.core.cells import CODE
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import (
    ADD,
    CHANGE,
    DEPARTMENT_OFFICER,
    ENTERPRISE_USER,
    VIEW,
    can,
    get_for_user,
    may,
)
from oreledger.core.uploads import stored_file_response


def _due(appeal: Appeal) -> str:
    stage = running_stage(appeal)
    return countdown(stage.due_at) if stage is not None else ""


def list_title(user: Any) -> Any:
    """The list is the enterprise's own, the department's queue or the office's inbox."""
    role = getattr(user, "role", None)
    if role == ENTERPRISE_USER:
        return _("My appeals")
    if role == DEPARTMENT_OFFICER:
        return _("Appeals routed to my department")
    return _("Appeals inbox")


class AppealListView(ScopedListView):
    """Appeals in the reader's scope, newest first, with their countdown."""

    model = Appeal
    template_name = "appeals/appeal_list.html"
    filterset_class = AppealFilter
    related = ("enterprise", "region")
    prefetch = ("stages",)
    default_order = "-created_at"
    columns = (
        Column("number", _("Number"), order_by="number", link=True, kind=CODE),
        Column("enterprise.name", _("Enterprise"), order_by="enterprise__name"),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("category", _("Category"), order_by="category"),
        Column("appeal_class", _("Appeal class"), order_by="appeal_class"),
        Column("status", _("Status"), order_by="status"),
        Column("countdown", _("Time left"), value=_due),
        Column("created_at", pgettext_lazy("appeal", "Raised at"), order_by="created_at"),
    )

    @property
    def title(self) -> Any:  # type: ignore[override]
        return list_title(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_raise"] = may(user, ADD, Appeal) and getattr(user, "enterprise_id", None)
        context["notices"] = list(Notice.objects.for_user(user).select_related("appeal")[:10])
        return context


@login_required
def appeal_new(request: HttpRequest) -> HttpResponse:
    """An enterprise user raises an appeal."""
    if not may(request.user, ADD, Appeal):
        raise Http404
    form = RaiseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.raise_appeal(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Appeal %(number)s raised.") % {"number": appeal.number})
            return redirect(appeal)
    return render(
        request, "appeals/appeal_form.html", {"form": form, "title": _("Raise an appeal")}
    )


def _appeal(request: HttpRequest, number: str, action: str = VIEW) -> Appeal:
    return get_for_user(
        Appeal.objects.select_related("enterprise", "region", "raised_by"),
        request.user,
        action,
        number=number,
    )


@login_required
def appeal_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The appeal: its facts, the running stage's countdown, the timeline and the actions."""
    appeal = _appeal(request, number)
    user: Any = request.user
    now = timezone.now()
    stages = list(appeal.stages.all())
    office = can(user, CHANGE, appeal)
    department = can(user, ANSWER, appeal)
    working = appeal.status in (AppealStatus.ROUTED, AppealStatus.IN_PROGRESS)
    context = {
        "title": _("Appeal"),
        "appeal": appeal,
        "stages": [(s, countdown(s.due_at, now) if s.done_at is None else "") for s in stages],
        "running": running_stage(appeal),
        "entries": appeal.entries.select_related("department__kind", "department__region"),
        "departments": appeal.routings.select_related("department__kind", "department__region"),
        "may_route": office and appeal.status == AppealStatus.SUBMITTED,
        "may_decide_reclass": office and working and appeal.reclass_requested_at is not None,
        "may_override": office and appeal.status != AppealStatus.CLOSED,
        "may_visit": office and appeal.status == AppealStatus.CLOSED,
        "may_answer": department and working,
        "may_solve": department and appeal.status == AppealStatus.IN_PROGRESS,
        "may_reclass": department
        and working
        and appeal.appeal_class == AppealClass.ORDINARY
        and appeal.reclass_requested_at is None,
        "may_confirm": can(user, CONFIRM, appeal) and appeal.status == AppealStatus.SOLVED,
        "route_form": RouteForm(region=appeal.region),
        "text_form": TextForm(),
        "reason_form": ReasonForm(),
        "decision_form": DecisionForm(),
        "confirm_form": ConfirmForm(),
        "visit_form": VisitForm(),
        "history": history_for(appeal)[:50] if user.role != ENTERPRISE_USER else [],
    }
    return render(request, "appeals/appeal_detail.html", context)


# Actions: who may take them (the policy's action) and whether they are irreversible.
ACTIONS: dict[str, tuple[str, bool]] = {
    "route": (CHANGE, False),
    "answer": (ANSWER, False),
    "solve": (ANSWER, False),
    "reclassify": (ANSWER, False),
    "decide": (CHANGE, True),
    "override": (CHANGE, True),
    "visit": (CHANGE, False),
    "confirm": (CONFIRM, True),
}


def _confirmation(appeal: Appeal, action: str) -> Confirmation:
    facts = [(_("Appeal"), appeal.number), (_("Enterprise"), appeal.enterprise.name)]
    if action == "confirm":
        return Confirmation(
            question=_("Confirm that appeal %(number)s is solved?") % {"number": appeal.number},
            consequence=_("The appeal is closed (销号) with your rating; it cannot be reopened."),
            action_label=_("Confirm and close"),
            facts=facts,
        )
    if action == "override":
        return Confirmation(
            question=_("Close appeal %(number)s without the enterprise?")
            % {"number": appeal.number},
            consequence=_("The appeal is closed with your written reason; it cannot be reopened."),
            action_label=_("Close the appeal"),
            facts=facts,
        )
    return Confirmation(
        question=_("Decide the reclassification of appeal %(number)s?") % {"number": appeal.number},
        consequence=_("An approved appeal is complex: its solution limit becomes the longer one."),
        action_label=_("Record the decision"),
        facts=facts,
    )


FORMS: dict[str, Any] = {
    "route": RouteForm,
    "answer": TextForm,
    "solve": TextForm,
    "reclassify": ReasonForm,
    "decide": DecisionForm,
    "override": ReasonForm,
    "visit": VisitForm,
    "confirm": ConfirmForm,
}


@login_required
@require_POST
def appeal_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """route, answer, solve, reclassify, decide, override, visit or confirm an appeal."""
    if action not in ACTIONS:
        raise Http404
    permission, irreversible = ACTIONS[action]
    appeal = _appeal(request, number, permission)
    kwargs: dict[str, Any] = {"region": appeal.region} if action == "route" else {}
    form = FORMS[action](request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(appeal)
    if irreversible and not confirmed(request):
        return ask_confirmation(
            request, _confirmation(appeal, action), cancel_url=appeal.get_absolute_url()
        )
    data = form.cleaned_data
    actor = request.user
    try:
        if action == "route":
            services.route_appeal(
                actor=actor, appeal=appeal, departments=data["departments"], note=data["note"]
            )
        elif action == "answer":
            services.answer_appeal(actor=actor, appeal=appeal, **data)
        elif action == "solve":
            services.solve_appeal(actor=actor, appeal=appeal, **data)
        elif action == "reclassify":
            services.request_reclassification(actor=actor, appeal=appeal, reason=data["reason"])
        elif action == "decide":
            services.decide_reclassification(
                actor=actor, appeal=appeal, approve=data["decision"] == "approve", note=data["note"]
            )
        elif action == "override":
            services.override_closure(actor=actor, appeal=appeal, reason=data["reason"])
        elif action == "visit":
            services.record_return_visit(actor=actor, appeal=appeal, note=data["note"])
        else:
            services.confirm_closure(
                actor=actor,
                appeal=appeal,
                satisfaction=data["satisfaction"],
                comment=data["comment"],
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(appeal)


@login_required
def entry_attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A timeline entry's attachment, for those who may see the appeal (to anyone else: 404)."""
    appeal = _appeal(request, number)
    entry = appeal.entries.exclude(attachment="").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return stored_file_response(entry.attachment)
