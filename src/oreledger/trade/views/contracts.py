"""Pages of contracts: the list, the county's approval queue, a contract and its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.core import numbers
from oreledger.core.audit import history_for
from oreledger.core.cells import CODE, MONEY, TONNES_KG
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.navigation import record_actions
from oreledger.core.numbers import tonnes
from oreledger.core.permissions import (
    APPROVE,
    CHANGE,
    PROVINCE_OFFICE,
    VIEW,
    can,
    get_for_user,
)
from oreledger.trade import services
from oreledger.trade.choices import ContractStatus
from oreledger.trade.filtersets import ContractFilter
from oreledger.trade.forms import (
    ContractForm,
    grade_of_code,
    show_refusal,
    to_kg,
)
from oreledger.trade.models import Contract
from oreledger.trade.queries import floor_for
from oreledger.trade.views.common import is_htmx, reraise, with_unread

# --- contracts --------------------------------------------------------------------------

CONTRACT_COLUMNS = (
    Column("number", _("Number"), order_by="number", kind=CODE),
    Column("seller.name", _("Seller"), order_by="seller__name"),
    Column("buyer.name", _("Buyer"), order_by="buyer__name"),
    Column("grade.code", _("Grade"), order_by="grade__rank", kind=CODE),
    Column("quantity_kg", _("Tonnes"), order_by="quantity_kg", kind=TONNES_KG),
    Column("delivered_kg", _("Delivered (t)"), order_by="delivered_kg", kind=TONNES_KG),
    Column("unit_price", _("Unit price (yuan/t)"), order_by="unit_price", kind=MONEY),
    Column("valid_to", _("Valid to"), order_by="valid_to"),
    Column("status", _("Status"), order_by="status", kind=CODE),
)


class ContractListView(ScopedListView):
    """Contracts the person is party to, or that touch their region."""

    model = Contract
    title = _("Contracts")
    template_name = "trade/contract_list.html"
    filterset_class = ContractFilter
    related = ("seller", "buyer", "grade")
    default_order = "-valid_from"
    columns = CONTRACT_COLUMNS

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return with_unread(self.request, **super().get_context_data(**kwargs))


class ApprovalQueueView(ScopedListView):
    """Submitted contracts waiting for this county's registration (合同登记)."""

    model = Contract
    title = _("Approval queue")
    template_name = "trade/approval_queue.html"
    related = ("seller", "buyer", "grade", "origin_site")
    default_order = "submitted_at"
    action = APPROVE
    columns = CONTRACT_COLUMNS[:-1]

    def base_queryset(self) -> Any:
        return super().base_queryset().filter(status=ContractStatus.SUBMITTED)


def _contract(request: HttpRequest, number: str) -> Contract:
    return get_for_user(
        Contract.objects.select_related(
            "seller",
            "buyer",
            "origin_site",
            "destination_site",
            "grade",
            "region",
            "approved_by",
            "override_by",
            "supersedes",
            "listing",
        ),
        request.user,
        VIEW,
        number=number,
    )


@login_required
def contract_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A contract: parties, terms, delivery, floor and override, actions, history."""
    contract = _contract(request, number)
    user: Any = request.user
    floor = floor_for(contract.grade, contract.valid_from)
    approver = can(user, APPROVE, contract)
    return render(
        request,
        "trade/contract_detail.html",
        with_unread(
            request,
            contract=contract,
            title=contract.number,
            floor=floor,
            below_floor=floor is not None and contract.unit_price < floor.floor_yuan,
            is_party=can(user, CHANGE, contract)
            and getattr(user, "enterprise_id", None) is not None,
            approver=approver,
            is_province=user.is_superuser or user.role == PROVINCE_OFFICE,
            history=history_for(contract)[:100],
            tonnes=tonnes,
            quantity_t=tonnes(contract.quantity_kg),
            delivered_t=tonnes(contract.delivered_kg),
            remaining_t=tonnes(contract.remaining_kg),
            amendments=Contract.objects.filter(supersedes=contract).only("number", "status"),
            # Other apps' actions on a contract (weighing: issue a waybill against it).
            actions=record_actions("trade.contract", user, contract),
        ),
    )


def _contract_confirmation(contract: Contract, action: str) -> Confirmation | None:
    """The question before an action that cannot be undone (submitting can: it is returned)."""
    facts = [
        (_("Seller"), contract.seller.name),
        (_("Buyer"), contract.buyer.name),
        (_("Grade"), contract.grade.code),
        (_("Tonnes"), numbers.tonnes(contract.quantity_kg)),
        (_("Unit price (yuan/t)"), numbers.money(contract.unit_price)),
        (
            pgettext_lazy("period", "Validity"),
            f"{contract.valid_from:%Y-%m-%d} – {contract.valid_to:%Y-%m-%d}",
        ),
    ]
    number = {"number": contract.number}
    if action == "approve":
        return Confirmation(
            question=_("Approve and register contract %(number)s?") % number,
            consequence=_(
                "The contract becomes binding: the seller may issue waybills against it and "
                "trucks draw its tonnes. An approval cannot be withdrawn."
            ),
            action_label=_("Approve (register)"),
            facts=facts,
            danger=False,
        )
    if action == "return":
        return Confirmation(
            question=_("Return contract %(number)s to its parties?") % number,
            consequence=_(
                "It goes back to draft with your note; the parties must submit it again."
            ),
            action_label=_("Return"),
            facts=facts,
        )
    if action == "terminate":
        return Confirmation(
            question=_("Terminate contract %(number)s?") % number,
            consequence=_(
                "No more waybills can be issued against it and its open tonnes are released. "
                "This cannot be undone."
            ),
            action_label=_("Terminate"),
            facts=facts,
        )
    if action == "complete":
        return Confirmation(
            question=_("Mark contract %(number)s completed?") % number,
            consequence=_("No more waybills can be issued against it. This cannot be undone."),
            action_label=_("Mark completed"),
            facts=facts,
        )
    return None


@login_required
@require_POST
def contract_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Submit, approve, return, terminate or complete a contract."""
    contract = _contract(request, number)
    note = request.POST.get("note", "")
    question = _contract_confirmation(contract, action)
    # Asked only of someone the service would let act; anyone else gets its refusal as before.
    allowed = can(request.user, APPROVE, contract) or (
        action == "terminate" and can(request.user, CHANGE, contract)
    )
    if question is not None and allowed and not confirmed(request):
        return ask_confirmation(
            request,
            question,
            cancel_url=contract.get_absolute_url(),
            row=(f"queue-{contract.pk}", 8) if request.POST.get("from") == "queue" else None,
        )
    try:
        if action == "submit":
            services.submit_contract(actor=request.user, contract=contract)
            done = gettext("The contract was submitted to the county.")
        elif action == "approve":
            services.approve_contract(
                actor=request.user,
                contract=contract,
                override_reason=request.POST.get("override_reason", ""),
            )
            done = gettext("The contract was approved and registered.")
        elif action == "return":
            services.return_contract(actor=request.user, contract=contract, note=note)
            done = gettext("The contract was returned to its parties.")
        elif action == "terminate":
            services.terminate_contract(actor=request.user, contract=contract, reason=note)
            done = gettext("The contract was terminated.")
        elif action == "complete":
            services.complete_contract(actor=request.user, contract=contract)
            done = gettext("The contract was completed.")
        else:
            from django.http import Http404

            raise Http404
    except DomainError as error:
        reraise(error)
        if is_htmx(request):
            return render(
                request,
                "trade/_queue_row.html",
                {"contract": contract, "error": error.message, "tonnes": tonnes},
            )
        messages.error(request, error.message)
        return redirect(contract.get_absolute_url())
    if is_htmx(request) and request.POST.get("from") == "queue":
        contract.refresh_from_db()
        return render(
            request, "trade/_queue_row.html", {"contract": contract, "done": done, "tonnes": tonnes}
        )
    messages.success(request, done)
    return redirect(contract.get_absolute_url())


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    """Register a contract negotiated off the platform (a party or the county)."""
    form = ContractForm(request.POST or None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            contract = services.create_contract(
                actor=request.user,
                seller=data["seller"],
                buyer=data["buyer"],
                origin_site=data["origin_site"],
                destination_site=data["destination_site"],
                grade=grade_of_code(data["grade"]),
                quantity_kg=to_kg(data["quantity_t"]),
                unit_price=data["unit_price"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, gettext("Contract %(n)s was saved as a draft.") % {"n": contract.number}
            )
            return redirect(contract.get_absolute_url())
    return render(
        request,
        "trade/form.html",
        with_unread(
            request,
            form=form,
            title=_("Register a contract"),
            submit=_("Save draft"),
            testid="contract-form",
        ),
    )
