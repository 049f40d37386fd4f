"""Pages of enforcement cases: list, opening, the case file, its decision and its PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.accounts.choices import Role
from oreledger.accounts.models import Region
from oreledger.alerts import services
from oreledger.alerts.choices import CaseStatus
from oreledger.alerts.filtersets import CaseFilter
from oreledger.alerts.forms import CaseForm, CaseNoteForm, CloseForm, DecisionForm, PublishForm
from oreledger.alerts.models import Alert, Case
from oreledger.alerts.pdf import case_pdf
from oreledger.alerts.views.alerts import received_from
from oreledger.core.audit import history_for
from oreledger.core.cells import CODE
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import ADD, APPROVE, CHANGE, VIEW, can, get_for_user, may
from oreledger.core.uploads import stored_file_response
from oreledger.registry.models import Enterprise, Permit, Site


class CaseListView(ScopedListView):
    """Cases in the jurisdiction (an enterprise sees its own)."""

    model = Case
    title = _("Enforcement cases")
    template_name = "alerts/case_list.html"
    filterset_class = CaseFilter
    related = ("region", "enterprise", "site")
    default_order = "-created_at"
    columns = (
        Column("number", _("Number"), order_by="number", link=True, kind=CODE),
        Column("title", _("Title")),
        Column("enterprise.name", _("Enterprise"), order_by="enterprise__name"),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("status", _("Status"), order_by="status", kind=CODE),
        Column("decision", _("Decision"), order_by="decision", kind=CODE),
        Column("deadline", _("Deadline"), order_by="deadline"),
        Column("created_at", _("Opened"), order_by="created_at"),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_open"] = may(self.request.user, ADD, Case)
        return context


def _scoped(model: Any, user: Any, **lookup: Any) -> Any:
    """A referenced row the user may see, or None."""
    return model.objects.for_user(user, VIEW).filter(**lookup).first()


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case directly (not from an alert)."""
    if not may(request.user, ADD, Case):
        raise Http404
    region = getattr(request.user, "region", None)
    form = CaseForm(request.POST or None, initial={"region": region.code if region else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case_region = Region.objects.filter(code=data["region"]).first()
        enterprise = data["enterprise"] and _scoped(
            Enterprise, request.user, uscc=data["enterprise"]
        )
        site = data["site"] and _scoped(Site, request.user, code=data["site"])
        if case_region is None:
            form.add_error("region", _("Unknown region code."))
        elif data["enterprise"] and enterprise is None:
            form.add_error("enterprise", _("Unknown enterprise, or outside your jurisdiction."))
        elif data["site"] and site is None:
            form.add_error("site", _("Unknown site, or outside your jurisdiction."))
        else:
            try:
                case = services.open_case(
                    actor=request.user,
                    title=data["title"],
                    region=case_region,
                    enterprise=enterprise or (site.enterprise if site else None),
                    site=site or None,
                    violations=data["violations"],
                    deadline=data["deadline"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return redirect(case)
    return render(request, "alerts/case_form.html", {"form": form, "title": _("Open a case")})


def _case(request: HttpRequest, number: str, action: str = VIEW) -> Case:
    return get_for_user(
        Case.objects.select_related(
            "region", "enterprise", "site", "permit__department", "opened_by", "decided_by"
        ),
        request.user,
        action,
        number=number,
    )


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The case file: parties, alerts, notes, decision, closure, history."""
    case = _case(request, number)
    # A county's case received on the hub is read-only there: no action is offered.
    open_case = case.status != CaseStatus.CLOSED and not case.received
    context = {
        "title": _("Enforcement case"),
        "case": case,
        "alerts": case.alerts.select_related("region").order_by("first_seen"),
        # A party to the case reads which alerts led to it, but opens only those in its scope.
        "openable": set(
            Alert.objects.for_user(request.user).filter(case=case).values_list("pk", flat=True)
        ),
        "notes": case.notes.all(),
        "may_note": open_case and can(request.user, CHANGE, case),
        "may_decide": open_case and can(request.user, APPROVE, case),
        "note_form": CaseNoteForm(),
        "decision_form": DecisionForm(initial={"deadline": case.deadline}),
        "close_form": CloseForm(),
        "may_publish": (
            case.published_at is None
            and not case.received
            and bool(case.decision)
            and getattr(request.user, "role", None) == Role.PROVINCE_OFFICE
            and can(request.user, APPROVE, case)
        ),
        "publish_form": PublishForm(initial={"violation": case.violations}),
        "history": history_for(case)[:50],
        "received_from": received_from(case),
    }
    return render(request, "alerts/case_detail.html", context)


def _case_confirmation(case: Case, action: str) -> Confirmation:
    facts = [(_("Case"), case.number), (_("Title"), case.title)]
    if action == "decide":
        return Confirmation(
            question=_("Record the decision on case %(number)s?") % {"number": case.number},
            consequence=_(
                "The decision goes on file and into the case PDF, and the enterprise is told. "
                "It cannot be changed afterwards."
            ),
            action_label=_("Record the decision"),
            facts=facts,
        )
    return Confirmation(
        question=_("Close case %(number)s?") % {"number": case.number},
        consequence=_("A closed case cannot be reopened or changed."),
        action_label=_("Close the case"),
        facts=facts,
    )


@login_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """note, decide, close or publish a case."""
    case = _case(request, number, APPROVE if action in ("decide", "close", "publish") else CHANGE)
    if action in ("decide", "close") and not confirmed(request):
        form_class: Any = DecisionForm if action == "decide" else CloseForm
        if form_class(request.POST).is_valid():
            return ask_confirmation(
                request, _case_confirmation(case, action), cancel_url=case.get_absolute_url()
            )
    try:
        if action == "note":
            form: Any = CaseNoteForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, " ".join(e for es in form.errors.values() for e in es))
                return redirect(case)
            services.add_case_note(actor=request.user, case=case, **form.cleaned_data)
        elif action == "decide":
            form = DecisionForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Check the decision: a kind and the reasons."))
                return redirect(case)
            data = dict(form.cleaned_data)
            number_ = data.pop("permit")
            permit = _scoped(Permit, request.user, number=number_) if number_ else None
            services.decide_case(actor=request.user, case=case, permit=permit, **data)
        elif action == "close":
            form = CloseForm(request.POST)
            if form.is_valid():
                services.close_case(actor=request.user, case=case, **form.cleaned_data)
        elif action == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the published violation and the legal basis."))
                return redirect(case)
            services.publish_case_decision(actor=request.user, case=case, **form.cleaned_data)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(case)


@login_required
def case_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    """The case file as a PDF in Chinese."""
    case = _case(request, number)
    response = HttpResponse(case_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}.pdf"'
    return response


@login_required
def case_note_attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A note's attachment, for those who may see the case (to anyone else it does not exist)."""
    case = _case(request, number)
    note = case.notes.exclude(attachment="").filter(pk=pk).first()
    if note is None:
        raise Http404
    return stored_file_response(note.attachment)
