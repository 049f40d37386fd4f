"""Pages of rectification orders: the list, the order with its answers and signatures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from oreledger.core.audit import history_for
from oreledger.core.cells import CODE
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import APPROVE, CHANGE, VIEW, can, get_for_user
from oreledger.core.uploads import stored_file_response
from oreledger.inspections import services
from oreledger.inspections.choices import OrderStatus
from oreledger.inspections.filtersets import OrderFilter
from oreledger.inspections.forms import AnswerForm, SignForm
from oreledger.inspections.models import RectificationOrder
from oreledger.inspections.queries import overdue_orders


class OrderListView(ScopedListView):
    """Rectification orders in the jurisdiction (an enterprise sees its own)."""

    model = RectificationOrder
    title = _("Rectification orders")
    filterset_class = OrderFilter
    related = ("region", "enterprise", "site")
    default_order = "-created_at"
    columns = (
        Column("number", _("Number"), order_by="number", link=True, kind=CODE),
        Column("enterprise.name", _("Enterprise"), order_by="enterprise__name"),
        Column("site.name", _("Site"), order_by="site__code"),
        Column("target", _("Rectification target")),
        Column("deadline", pgettext_lazy("rectification", "Deadline"), order_by="deadline"),
        Column("status", _("Status"), order_by="status"),
    )

    def base_queryset(self) -> QuerySet[Any]:
        """Open orders past their deadline only, with ?overdue=1."""
        rows: QuerySet[Any] = super().base_queryset()
        if self.request.GET.get("overdue") == "1":
            rows = overdue_orders(rows)
        return rows


def _order(request: HttpRequest, number: str, action: str = VIEW) -> RectificationOrder:
    return get_for_user(
        RectificationOrder.objects.select_related("enterprise", "site", "region", "campaign"),
        request.user,
        action,
        number=number,
    )


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The order (一企一策): findings, measures, the enterprise's answers, the signatures."""
    order = _order(request, number)
    is_open = order.status != OrderStatus.CLOSED
    signoffs = list(order.signoffs.select_related("department_kind", "signed_by"))
    department = getattr(request.user, "department", None)
    mine = next(
        (
            s
            for s in signoffs
            if department is not None and s.department_kind_id == department.kind_id
        ),
        None,
    )
    context = {
        "title": _("Rectification order"),
        "order": order,
        "findings": order.findings.select_related("department_kind", "inspection"),
        "answers": order.answers.select_related("answered_by"),
        "signoffs": signoffs,
        "may_answer": is_open and can(request.user, CHANGE, order),
        "may_sign": is_open
        and order.status == OrderStatus.ANSWERED
        and mine is not None
        and mine.signed_at is None
        and can(request.user, APPROVE, order),
        "answer_form": AnswerForm(),
        "sign_form": SignForm(),
        "history": history_for(order)[:30],
    }
    return render(request, "inspections/order_detail.html", context)


@login_required
@require_POST
def order_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """answer (the enterprise) or sign (a department's acceptance) an order."""
    if action not in ("answer", "sign"):
        raise Http404
    order = _order(request, number, CHANGE if action == "answer" else APPROVE)
    try:
        if action == "answer":
            form: Any = AnswerForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, _("Say what was done."))
                return redirect(order)
            services.answer_order(actor=request.user, order=order, **form.cleaned_data)
            messages.success(request, _("Your answer is on file."))
        else:
            form = SignForm(request.POST)
            if not form.is_valid():
                return redirect(order)
            if not confirmed(request):
                return ask_confirmation(
                    request,
                    Confirmation(
                        question=_("Sign acceptance of order %(number)s?")
                        % {"number": order.number},
                        consequence=_(
                            "Your department accepts the rectification. When every department "
                            "has signed, the order is closed and a stopped site may work again. "
                            "A signature cannot be withdrawn."
                        ),
                        action_label=_("Sign acceptance"),
                        facts=[(_("Order"), order.number), (_("Enterprise"), order.enterprise)],
                    ),
                    cancel_url=order.get_absolute_url(),
                )
            services.sign_acceptance(actor=request.user, order=order, **form.cleaned_data)
            messages.success(request, _("Acceptance signed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(order)


@login_required
def answer_evidence(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """An answer's evidence, for those who may see the order (to anyone else: 404)."""
    order = _order(request, number)
    answer = order.answers.exclude(evidence="").filter(pk=pk).first()
    if answer is None:
        raise Http404
    return stored_file_response(answer.evidence)
