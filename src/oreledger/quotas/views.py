"""Pages of the quota ledger: mine quotas, account files, allocation, transfers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from oreledger.accounts.models import Region
from oreledger.core import numbers
from oreledger.core.cells import CODE, PERCENT, TONNES, TONNES_KG
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView, paged
from oreledger.core.permissions import APPROVE, CHANGE, VIEW, can, get_for_user, may
from oreledger.quotas import services
from oreledger.quotas.choices import AccountLevel, ChangeStatus
from oreledger.quotas.filtersets import AccountFilter
from oreledger.quotas.forms import (
    AdjustForm,
    DecisionForm,
    PeriodForm,
    TransferForm,
    parse_tonnes,
)
from oreledger.quotas.models import QuotaAccount, QuotaChange, QuotaPeriod
from oreledger.quotas.queries import (
    burn_rate_t_per_day,
    burndown,
    children_of,
    forecast_exhaustion,
    with_consumption,
    with_figures,
)
from oreledger.registry.models import Site


class AccountListView(ScopedListView):
    """Mines with allocated, consumed, remaining, share used, burn rate and forecast."""

    model = QuotaAccount
    title = _("Mine quotas")
    filterset_class = AccountFilter
    related = ("holder_site__enterprise", "parent__holder_region", "period", "mineral")
    default_order = "holder_site__code"
    template_name = "quotas/account_list.html"
    columns = (
        Column("holder_label", _("Mine"), order_by="holder_site__code"),
        Column(
            "county",
            _("County"),
            value=lambda a: a.parent.holder_region.name,
            order_by="region__path",
        ),
        Column("enterprise", _("Enterprise"), value=lambda a: a.holder_site.enterprise.name),
        Column(
            "period_id",
            _("Year"),
            value=lambda a: a.period.year,
            order_by="period__year",
            kind=CODE,
        ),
        Column(
            "allocated",
            _("Allocated (t)"),
            value=lambda a: a.allocated_kg,
            order_by="allocated_kg",
            kind=TONNES_KG,
        ),
        Column(
            "consumed",
            _("Consumed (t)"),
            value=lambda a: a.consumed_total_kg,
            order_by="consumed_kg",
            kind=TONNES_KG,
        ),
        Column(
            "remaining",
            _("Remaining (t)"),
            value=lambda a: a.remaining_total_kg,
            order_by="remaining",
            kind=TONNES_KG,
        ),
        Column("used", _("Used %"), value=lambda a: a.used_total_percent, kind=PERCENT),
        Column("burn", _("Burn rate (t/day)"), value=burn_rate_t_per_day, kind=TONNES),
        Column("forecast", _("Forecast exhaustion"), value=forecast_exhaustion),
    )

    def base_queryset(self) -> Any:
        queryset = super().base_queryset().filter(level=AccountLevel.MINE)
        if not self.request.GET.get("period"):
            latest = _current_period()
            if latest is not None:
                queryset = queryset.filter(period=latest)
        return with_consumption(with_figures(queryset))


def _current_period() -> QuotaPeriod | None:
    year = timezone.localdate().year
    return QuotaPeriod.objects.filter(year=year).first() or QuotaPeriod.objects.first()


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's file: figures, children to drill into, burn-down, ledger, changes."""
    account = get_for_user(
        with_consumption(
            with_figures(
                QuotaAccount.objects.select_related(
                    "period", "mineral", "holder_region", "holder_site__enterprise", "parent"
                )
            )
        ),
        request.user,
        VIEW,
        pk=pk,
    )
    children = list(children_of(account)) if account.level != AccountLevel.MINE else []
    may_transfer = account.level == AccountLevel.COUNTY and can(request.user, CHANGE, account)
    authority = account.parent or account
    user: Any = request.user
    may_adjust = can(user, CHANGE, authority) and user.role != "enterprise_user"
    context = {
        "title": account.holder_label,
        "account": account,
        "children": children,
        "burn_rate": burn_rate_t_per_day(account),
        "forecast": forecast_exhaustion(account),
        **paged(request, account.entries.select_related("change", "actor").order_by("-seq")),
        "changes": QuotaChange.objects.filter(account=account).select_related(
            "source__holder_site", "requested_by", "decided_by"
        )[:20],
        "burndown": burndown(account),
        "transfer_form": TransferForm(county=account) if may_transfer else None,
        "adjust_form": AdjustForm() if may_adjust else None,
    }
    return render(request, "quotas/account_detail.html", context)


@login_required
def account_burndown(request: HttpRequest, pk: int) -> JsonResponse:
    """The burn-down series of an account as JSON."""
    account = get_for_user(QuotaAccount.objects.select_related("period"), request.user, VIEW, pk=pk)
    return JsonResponse(burndown(account))


def _year(text: str | None, current: QuotaPeriod | None) -> int:
    """The year asked for, else the current period's (0 when there is none)."""
    try:
        return int(text or "")
    except ValueError:
        return current.year if current else 0


def _allocation_parent(request: HttpRequest, year: int) -> QuotaAccount | None:
    """The account a person allocates beneath: the province's, or their county's."""
    user: Any = request.user
    if user.region is None:
        return None
    region = (
        user.region
        if user.role != "province_office"
        else services.ancestor(user.region, "province")
    )
    if region is None:
        return None
    account = (
        QuotaAccount.objects.filter(
            period__year=year, holder_region=region, mineral__code=services.DEFAULT_MINERAL
        )
        .select_related("period", "holder_region")
        .first()
    )
    if account is not None and not can(user, CHANGE, account):
        return None
    return account


def _allocation_rows(request: HttpRequest, parent: QuotaAccount | None, year: int) -> list[Any]:
    """(holder, current allocation) for every child the person may allocate to."""
    user: Any = request.user
    if parent is None:
        return []
    if parent.level == AccountLevel.PROVINCE:
        holders: list[Any] = list(
            Region.objects.filter(level="county", path__startswith=parent.region.path)
        )
        current = {
            a.holder_region_id: a
            for a in with_consumption(QuotaAccount.objects.filter(parent=parent))
        }
        return [(h, current.get(h.pk)) for h in holders]
    mines = list(
        Site.objects.for_user(user).filter(kind="mine", region__path__startswith=parent.region.path)
    )
    current = {
        a.holder_site_id: a for a in with_consumption(QuotaAccount.objects.filter(parent=parent))
    }
    return [(m, current.get(m.pk)) for m in mines]


def _posted(request: HttpRequest, rows: list[Any]) -> list[tuple[Any, int | None, str]]:
    return [
        (
            holder,
            parse_tonnes(request.POST.get(f"alloc-{holder.code}")),
            request.POST.get(f"alloc-{holder.code}", ""),
        )
        for holder, _account in rows
    ]


def _summary(
    parent: QuotaAccount | None, posted: list[Any], total_kg: int | None
) -> dict[str, Any]:
    parent_total = total_kg if total_kg is not None else (parent.allocated_kg if parent else 0)
    given = sum(kg for _h, kg, _raw in posted if kg)
    bad = [h.code for h, kg, raw in posted if raw.strip() and (kg is None or kg < 0)]
    return {
        "parent_total_kg": parent_total,
        "given_kg": given,
        "left_kg": parent_total - given,
        "over": given > parent_total,
        "bad": bad,
    }


def _save_allocations(
    request: HttpRequest, year: int, rows: list[Any], posted: list[Any], total_kg: int | None
) -> None:
    """The province's total (if given) and the children's allocations, all or nothing."""
    changes = [(h, kg) for h, kg, raw in posted if raw.strip() != ""]
    if any(kg is None for _h, kg in changes):
        raise DomainError("amount_invalid", _("Enter tonnes as a number, e.g. 1500.5."))
    user: Any = request.user
    with transaction.atomic():
        if total_kg is not None and user.region is not None:
            province = services.ancestor(user.region, "province")
            assert province is not None
            services.allocate_quota(
                actor=user,
                period=year,
                mineral=services.DEFAULT_MINERAL,
                holder=province,
                allocated_kg=total_kg,
            )
        services.allocate_children(
            actor=user,
            period=year,
            mineral=services.DEFAULT_MINERAL,
            allocations=[(h, kg) for h, kg in changes if kg is not None],
        )


@login_required
def allocate(request: HttpRequest) -> HttpResponse:
    """The province allocates to counties, a county to its mines (HTMX-checked as you type)."""
    if not may(request.user, CHANGE, QuotaAccount):
        raise Http404
    periods = list(QuotaPeriod.objects.all())
    current = _current_period()
    year = _year(request.GET.get("period") or request.POST.get("period"), current)
    parent = _allocation_parent(request, year)
    is_province = getattr(request.user, "role", "") == "province_office"
    rows = _allocation_rows(request, parent, year)
    error = None
    if request.method == "POST":
        posted = _posted(request, rows)
        total_kg = parse_tonnes(request.POST.get("total")) if is_province else None
        try:
            _save_allocations(request, year, rows, posted, total_kg if is_province else None)
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, _("The allocations were saved."))
            return redirect(f"{request.path}?period={year}")
        parent = _allocation_parent(request, year)
    posted = (
        _posted(request, rows)
        if request.method == "POST"
        else [(h, a.allocated_kg if a else None, "") for h, a in rows]
    )
    context = {
        "title": _("Allocate quotas"),
        "periods": periods,
        "year": year,
        "parent": parent,
        "is_province": is_province,
        "rows": [
            (
                h,
                a,
                request.POST.get(f"alloc-{h.code}")
                if request.method == "POST"
                else (f"{a.allocated_kg / 1000:.3f}".rstrip("0").rstrip(".") if a else ""),
            )
            for h, a in rows
        ],
        "summary": _summary(parent, posted, None),
        "error": error,
        "period_form": PeriodForm() if is_province else None,
    }
    return render(request, "quotas/allocate.html", context, status=400 if error else 200)


@login_required
@require_POST
def allocate_check(request: HttpRequest) -> HttpResponse:
    """The running total of an allocation form, with a warning when over the parent."""
    if not may(request.user, CHANGE, QuotaAccount):
        raise Http404
    year = _year(request.POST.get("period"), None)
    parent = _allocation_parent(request, year)
    rows = _allocation_rows(request, parent, year)
    is_province = getattr(request.user, "role", "") == "province_office"
    total = parse_tonnes(request.POST.get("total")) if is_province else None
    summary = _summary(parent, _posted(request, rows), total)
    return render(request, "quotas/_allocation_summary.html", {"summary": summary})


@login_required
@require_POST
def period_open(request: HttpRequest) -> HttpResponse:
    """The province opens a quota year."""
    if getattr(request.user, "role", "") != "province_office" and not request.user.is_superuser:
        raise Http404
    form = PeriodForm(request.POST)
    if form.is_valid() and not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Open the quota year %(year)s?") % {"year": form.cleaned_data["year"]},
                consequence=_(
                    "Every county and mine can then be given a quota for that year; a year once "
                    "opened stays open."
                ),
                action_label=_("Open the year"),
                danger=False,
            ),
            cancel_url=reverse("quotas:allocate"),
        )
    if form.is_valid():
        services.open_period(actor=request.user, year=form.cleaned_data["year"])
        messages.success(request, _("The quota year was opened."))
        return redirect(f"/quotas/allocate/?period={form.cleaned_data['year']}")
    messages.error(request, _("Enter a year between 2000 and 2100."))
    return redirect("quotas:allocate")


@login_required
@require_POST
def transfer_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Request a transfer between two mines of a county."""
    county = get_for_user(QuotaAccount.objects.all(), request.user, CHANGE, pk=pk)
    form = TransferForm(request.POST, county=county)
    if form.is_valid():
        try:
            services.request_transfer(
                actor=request.user,
                source=form.cleaned_data["source"],
                target=form.cleaned_data["target"],
                amount_kg=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The transfer awaits approval."))
    else:
        messages.error(request, _("Check the transfer: both mines, tonnes and a reason."))
    return redirect(county.get_absolute_url())


@login_required
@require_POST
def adjust_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Request an adjustment of an account's allocation."""
    account = get_for_user(QuotaAccount.objects.select_related("parent"), request.user, VIEW, pk=pk)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            services.request_adjustment(
                actor=request.user,
                account=account,
                amount_kg=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as refusal:
            if refusal.status == 404:
                raise Http404 from None
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The adjustment awaits approval."))
    else:
        messages.error(request, _("Give the tonnes and a reason."))
    return redirect(account.get_absolute_url())


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    """Transfers and adjustments in the jurisdiction, pending first."""
    changes = (
        QuotaChange.objects.for_user(request.user)
        .select_related(
            "account__holder_site",
            "account__holder_region",
            "source__holder_site",
            "requested_by",
            "decided_by",
            "account__period",
        )
        .order_by("-status", "-created_at", "-pk")
    )
    page = paged(request, changes)
    approvable = {
        c.pk
        for c in QuotaChange.objects.for_user(request.user, APPROVE).filter(
            status=ChangeStatus.PENDING
        )
    }
    return render(
        request,
        "quotas/change_list.html",
        {
            "title": _("Transfers and adjustments"),
            "changes": page["page_obj"],
            "approvable": approvable,
            **page,
            "decision_form": DecisionForm(),
        },
    )


def _change_confirmation(change: QuotaChange, decision: str) -> Confirmation:
    facts = [
        (_("Kind"), change.get_kind_display()),
        (_("Account"), change.account.holder_label),
        (
            pgettext_lazy("quota change", "From"),
            change.source.holder_label if change.source else "—",
        ),
        (_("Tonnes"), numbers.tonnes(change.amount_kg)),
        (_("Reason"), change.reason),
    ]
    if decision == "approve":
        return Confirmation(
            question=_("Approve this %(kind)s of %(tonnes)s t?")
            % {"kind": change.get_kind_display(), "tonnes": numbers.tonnes(change.amount_kg)},
            consequence=_(
                "The ledger entries are written at once; only a new request can move the "
                "tonnes back."
            ),
            action_label=_("Approve"),
            facts=facts,
            danger=False,
        )
    return Confirmation(
        question=_("Reject this %(kind)s?") % {"kind": change.get_kind_display()},
        consequence=_("The request is closed for good; the allocation stays as it is."),
        action_label=_("Reject"),
        facts=facts,
    )


@login_required
@require_POST
def change_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject a pending change."""
    if decision not in ("approve", "reject"):
        raise Http404
    change = get_for_user(
        QuotaChange.objects.select_related("account__parent", "source"),
        request.user,
        APPROVE,
        pk=pk,
    )
    note = (request.POST.get("note") or "").strip()
    if not confirmed(request):
        return ask_confirmation(
            request,
            _change_confirmation(change, decision),
            cancel_url=reverse("quotas:change_list"),
        )
    try:
        if decision == "approve":
            services.approve_change(actor=request.user, change=change, note=note)
            messages.success(request, _("Approved; the ledger entries were written."))
        else:
            services.reject_change(actor=request.user, change=change, note=note)
            messages.success(request, _("Rejected."))
    except DomainError as refusal:
        if refusal.status == 404:
            raise Http404 from None
        messages.error(request, refusal.message)
    return redirect("quotas:change_list")
