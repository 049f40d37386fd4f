"""Pages of weighing: waybills (issue, slip, timeline), tickets, stations, corrections."""

from __future__ import annotations

import datetime
import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from oreledger.accounts.models import Region
from oreledger.core.audit import history_for
from oreledger.core.cells import CODE, COUNT, KILOGRAMS, TONNES_KG
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.display import term, yes_no
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import APPROVE, CHANGE, VIEW, can, get_for_user
from oreledger.registry.models import Station
from oreledger.weighing.chain import ticket_hash
from oreledger.weighing.choices import CorrectionStatus, WaybillStatus
from oreledger.weighing.filtersets import TicketFilter, WaybillFilter
from oreledger.weighing.forms import (
    BlockingSetForm,
    CorrectionForm,
    DecisionForm,
    VoidForm,
    WaybillForm,
)
from oreledger.weighing.models import (
    StationState,
    Ticket,
    TicketConflict,
    TicketCorrection,
    TicketRejection,
    Waybill,
)
from oreledger.weighing.rules import ALWAYS_BLOCKING
from oreledger.weighing.services import (
    approve_correction,
    issue_waybill,
    reject_correction,
    request_correction,
    void_waybill,
)
from oreledger.weighing.services.blocking import (
    blocking_region,
    effective_blocking,
    may_set_blocking,
    set_blocking_codes,
)
from oreledger.weighing.services.corrections import may_decide, may_request
from oreledger.weighing.services.waybills import may_issue_waybills, registered_vehicles


def station_page(station: Station) -> str | None:
    """The registry's page of a station (where its secret is rotated), if it exists yet."""
    try:
        return reverse("registry:station_detail", args=[station.code])
    except NoReverseMatch:
        return None


def _form_errors(form: Any, exc: DomainError) -> None:
    if exc.fields:
        for name, texts in exc.fields.items():
            for text in texts:
                form.add_error(name if name in form.fields else None, text)
    else:
        form.add_error(None, exc.message)


class WaybillListView(ScopedListView):
    """Waybills in the jurisdiction (or of one's own enterprise)."""

    model = Waybill
    title = _("Waybills")
    template_name = "weighing/waybill_list.html"
    filterset_class = WaybillFilter
    related = ("contract", "origin_site", "destination_site")
    default_order = "-issued_at"
    columns = (
        Column("number", _("Number"), order_by="number", kind=CODE),
        Column("plate", _("Plate"), order_by="plate", kind=CODE),
        Column("contract.number", _("Contract"), order_by="contract__number", kind=CODE),
        Column("origin_site.name", _("From"), order_by="origin_site__code"),
        Column("destination_site.name", _("To"), order_by="destination_site__code"),
        Column("status", _("Status"), order_by="status", kind=CODE),
        Column("issued_at", pgettext_lazy("time", "Issued"), order_by="issued_at"),
        Column("exit_net_kg", _("Exit net (t)"), order_by="exit_net_kg", kind=TONNES_KG),
        Column("discrepancy_kg", _("Discrepancy (kg)"), order_by="discrepancy_kg", kind=KILOGRAMS),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_issue"] = may_issue_waybills(self.request.user)
        return context


@login_required
def waybill_issue(request: HttpRequest) -> HttpResponse:
    """Issue a waybill against an approved contract."""
    if not may_issue_waybills(request.user):
        return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)
    form = WaybillForm(
        request.POST or None,
        initial={"contract": request.GET.get("contract", "")},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            waybill = issue_waybill(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Waybill %(number)s issued.") % {"number": waybill.number})
            return redirect("weighing:waybill_detail", number=waybill.number)
    context = {
        "form": form,
        "title": _("Issue a waybill"),
        "vehicles": _recent_vehicles(request.user),
        "plate_options_url": reverse("weighing:plate_options"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "weighing/waybill_form.html", context, status=status)


PLATE_OPTIONS = 20


def _recent_vehicles(user: Any) -> list[Any]:
    """The registered trucks of the person's latest waybills: the list before any typing."""
    plates: list[str] = []
    recent = Waybill.objects.for_user(user).order_by("-issued_at").values_list("plate", flat=True)
    for plate in recent[:200]:
        if plate not in plates:
            plates.append(plate)
        if len(plates) == PLATE_OPTIONS:
            break
    found = {v.plate: v for v in registered_vehicles(user).filter(plate__in=plates)}
    return [found[p] for p in plates if p in found]


@login_required
def plate_options(request: HttpRequest) -> HttpResponse:
    """Registered trucks whose plate contains what was typed: the options of the waybill
    form's plate list (an HTMX request from the plate field; no inline script)."""
    if not may_issue_waybills(request.user):
        raise PermissionDenied
    typed = (request.GET.get("plate") or "").strip().upper()[:12]
    if typed:
        vehicles = list(
            registered_vehicles(request.user)
            .filter(plate__icontains=typed)
            .order_by("plate")
            .only("plate", "axles")[:PLATE_OPTIONS]
        )
    else:
        vehicles = _recent_vehicles(request.user)
    return render(request, "weighing/_plate_options.html", {"vehicles": vehicles})


def _waybill(request: HttpRequest, number: str) -> Waybill:
    return get_for_user(
        Waybill.objects.select_related(
            "contract",
            "origin_site",
            "destination_site",
            "seller",
            "buyer",
            "issued_by",
            "exit_ticket__station",
            "entry_ticket__station",
        ),
        request.user,
        VIEW,
        number=number,
    )


@login_required
def waybill_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The waybill's timeline: issued → exit ticket → checkpoints → entry ticket."""
    waybill = _waybill(request, number)
    tickets = list(waybill.tickets.select_related("station").order_by("gross_at", "received_at"))
    events: list[dict[str, Any]] = [
        {"at": waybill.issued_at, "label": _("Issued"), "ticket": None},
    ]
    for ticket in tickets:
        events.append({"at": ticket.gross_at, "label": ticket.get_kind_display(), "ticket": ticket})
    if waybill.status in (WaybillStatus.EXPIRED, WaybillStatus.VOID):
        events.append(
            {"at": waybill.updated_at, "label": waybill.get_status_display(), "ticket": None}
        )
    events.sort(key=lambda e: e["at"])
    context = {
        "waybill": waybill,
        "events": events,
        "title": waybill.number,
        "void_form": VoidForm(),
        "can_void": waybill.status == WaybillStatus.ISSUED and can(request.user, "change", waybill),
        "history": history_for(waybill)[:50],
        "share": waybill.discrepancy_share(),
    }
    return render(request, "weighing/waybill_detail.html", context)


@login_required
def waybill_slip(request: HttpRequest, number: str) -> HttpResponse:
    """The printable slip the driver carries, with the QR code the gate reads."""
    waybill = _waybill(request, number)
    return render(
        request, "weighing/waybill_slip.html", {"waybill": waybill, "title": waybill.number}
    )


@login_required
def waybill_qr(request: HttpRequest, number: str) -> HttpResponse:
    """The waybill number as a QR code, SVG."""
    waybill = _waybill(request, number)
    buffer = io.BytesIO()
    segno.make(waybill.number, error="m").save(buffer, kind="svg", scale=6, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def waybill_void(request: HttpRequest, number: str) -> HttpResponse:
    """Void an unused waybill, with a reason."""
    waybill = get_for_user(
        Waybill.objects.select_related("contract"), request.user, "change", number=number
    )
    form = VoidForm(request.POST)
    if form.is_valid() and waybill.status == WaybillStatus.ISSUED and not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Void waybill %(number)s?") % {"number": waybill.number},
                consequence=_(
                    "The truck may no longer travel on it; a voided waybill is never valid "
                    "again. This cannot be undone."
                ),
                action_label=_("Void the waybill"),
                facts=[
                    (_("Plate"), waybill.plate),
                    (_("Contract"), waybill.contract.number),
                    (_("Reason"), form.cleaned_data["reason"]),
                ],
            ),
            cancel_url=waybill.get_absolute_url(),
        )
    if form.is_valid():
        try:
            void_waybill(actor=request.user, waybill=waybill, reason=form.cleaned_data["reason"])
            messages.success(request, _("The waybill was voided."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give the reason."))
    return redirect("weighing:waybill_detail", number=number)


class TicketListView(ScopedListView):
    """Tickets in the jurisdiction: search by plate, waybill, station and date."""

    model = Ticket
    title = _("Tickets")
    filterset_class = TicketFilter
    related = ("station",)
    default_order = "-gross_at"
    columns = (
        Column("ticket_no", _("Ticket"), order_by="ticket_no", kind=CODE),
        Column("station.code", _("Station"), order_by="station__code", kind=CODE),
        Column("seq", _("Seq"), order_by="seq", kind=COUNT),
        Column("gross_at", _("Weighed"), order_by="gross_at"),
        Column("plate", _("Plate"), order_by="plate", kind=CODE),
        Column("kind", _("Kind"), order_by="kind", kind=CODE),
        Column("waybill_number", _("Waybill"), order_by="waybill_number", kind=CODE),
        Column("net_kg", _("Net (t)"), order_by="net_kg", kind=TONNES_KG),
        Column("release", _("Released"), order_by="release", kind=CODE),
        Column(
            "reasons",
            _("Findings"),
            value=lambda t: "、".join(term("rule", r["code"]) for r in t.reasons),
        ),
    )


def chain_check(ticket: Ticket) -> dict[str, bool]:
    """Whether the ticket's own hash and both links to its neighbours hold."""
    neighbours = {
        t.chain_index: t
        for t in Ticket.objects.filter(
            station_id=ticket.station_id,
            chain_index__in=[ticket.chain_index - 1, ticket.chain_index + 1],
        ).only("chain_index", "hash", "prev_hash")
    }
    before, after = neighbours.get(ticket.chain_index - 1), neighbours.get(ticket.chain_index + 1)
    return {
        "own": ticket_hash(ticket) == ticket.hash,
        "previous": (before.hash if before else "") == ticket.prev_hash
        if ticket.chain_index > 1 or before is None
        else False,
        "next": after is None or after.prev_hash == ticket.hash,
    }


@login_required
def ticket_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """A ticket as stored, its decision, its chain links, conflicts and corrections."""
    ticket = get_for_user(
        Ticket.objects.select_related(
            "station", "site", "region", "waybill", "contract", "quota_entry"
        ),
        request.user,
        VIEW,
        pk=pk,
    )
    form = CorrectionForm(request.POST or None)
    allowed = may_request(request.user, ticket)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            request_correction(actor=request.user, ticket=ticket, **form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The correction was filed for the county's decision."))
            return redirect("weighing:ticket_detail", pk=ticket.pk)
    context = {
        "ticket": ticket,
        "title": f"{ticket.station.code} #{ticket.seq}",
        "chain": chain_check(ticket),
        "conflicts": TicketConflict.objects.filter(ticket=ticket).order_by("-received_at")[:20],
        "corrections": TicketCorrection.objects.filter(ticket=ticket)
        .select_related("requested_by", "decided_by")
        .order_by("-created_at"),
        "form": form if allowed else None,
        "can_decide": may_decide(request.user, ticket),
        "decision_form": DecisionForm(),
    }
    return render(request, "weighing/ticket_detail.html", context)


class CorrectionListView(ScopedListView):
    """Corrections waiting for (or given) the county's decision."""

    model = TicketCorrection
    title = _("Ticket corrections")
    related = ("ticket__station", "requested_by", "decided_by")
    default_order = "-created_at"
    columns = (
        Column("ticket.station.code", _("Station"), kind=CODE),
        Column("ticket.seq", _("Seq"), kind=COUNT),
        Column("ticket.plate", _("Plate as weighed"), kind=CODE),
        Column("plate", _("Corrected plate"), kind=CODE),
        Column("ticket.waybill_number", _("Waybill as read"), kind=CODE),
        Column("waybill_number", _("Corrected waybill"), kind=CODE),
        Column("reason", _("Reason")),
        Column("status", _("Status"), order_by="status", kind=CODE),
        Column("requested_by", _("Requested by")),
        Column("created_at", _("Filed"), order_by="created_at"),
    )

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if self.request.GET.get("all") != "1":
            queryset = queryset.filter(status=CorrectionStatus.PENDING)
        return queryset


@login_required
@require_POST
def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a pending correction."""
    correction = get_for_user(
        TicketCorrection.objects.select_related("ticket__station"), request.user, APPROVE, pk=pk
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
    elif not confirmed(request):
        return ask_confirmation(
            request,
            _correction_confirmation(correction, form.cleaned_data["decision"]),
            cancel_url=reverse("weighing:ticket_detail", args=[correction.ticket_id]),
        )
    else:
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "approve":
                approve_correction(actor=request.user, correction=correction, note=note)
                messages.success(request, _("The correction was approved; the ledgers follow it."))
            else:
                reject_correction(actor=request.user, correction=correction, note=note)
                messages.success(request, _("The correction was rejected."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("weighing:ticket_detail", pk=correction.ticket_id)


def _correction_confirmation(correction: TicketCorrection, decision: str) -> Confirmation:
    ticket = correction.ticket
    facts = [
        (_("Ticket"), f"{ticket.station.code} #{ticket.seq}"),
        (_("Plate as weighed"), ticket.plate),
        (_("Corrected plate"), correction.plate or "—"),
        (_("Waybill as read"), ticket.waybill_number or "—"),
        (_("Corrected waybill"), correction.waybill_number or "—"),
        (_("Reason"), correction.reason),
    ]
    if decision == "approve":
        return Confirmation(
            question=_("Approve the correction of ticket %(ticket)s?")
            % {"ticket": ticket.ticket_no},
            consequence=_(
                "The ticket is corrected and the quota and contract ledgers follow it with "
                "reversal entries. This cannot be undone."
            ),
            action_label=_("Approve the correction"),
            facts=facts,
            danger=False,
        )
    return Confirmation(
        question=_("Reject the correction of ticket %(ticket)s?") % {"ticket": ticket.ticket_no},
        consequence=_("The ticket stays as weighed and this request is closed for good."),
        action_label=_("Reject the correction"),
        facts=facts,
    )


def _local_midnight() -> datetime.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


class StationListView(ScopedListView):
    """Weighbridges: last seen, last seq, today's tickets and rejections."""

    model = Station
    title = _("Stations")
    template_name = "weighing/station_list.html"
    related = ("site", "region", "state")
    default_order = "code"
    columns = (
        Column("code", _("Code"), order_by="code", kind=CODE),
        Column("name", _("Name"), order_by="name"),
        Column("site.name", _("Site"), order_by="site__code"),
        Column(
            "state.last_seen_at",
            pgettext_lazy("station", "Last seen"),
            order_by="state__last_seen_at",
        ),
        Column("state.last_seq", _("Last seq"), order_by="state__last_seq", kind=COUNT),
        Column("today_tickets", _("Today's tickets"), order_by="today_tickets", kind=COUNT),
        Column("today_held", _("Held today"), order_by="today_held", kind=COUNT),
        Column("today_rejects", _("Rejected today"), order_by="today_rejects", kind=COUNT),
        Column("state.drift_seconds", _("Clock drift (s)"), kind=COUNT),
        Column("secret_rotated_at", _("Secret rotated"), order_by="secret_rotated_at"),
    )

    def base_queryset(self) -> Any:
        midnight = _local_midnight()

        def _count(model: Any, **extra: Any) -> Any:
            rows = (
                model.objects.filter(station=OuterRef("pk"), received_at__gte=midnight, **extra)
                .order_by()
                .values("station")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

        return (
            super()
            .base_queryset()
            .annotate(
                today_tickets=_count(Ticket),
                today_held=_count(Ticket, release=False),
                today_rejects=_count(TicketRejection),
            )
        )


@login_required
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One station's protocol state, recent tickets, rejections and conflicts."""
    station = get_for_user(
        Station.objects.select_related("site", "region"), request.user, VIEW, code=code
    )
    state = StationState.objects.filter(pk=station.pk).first()
    context = {
        "station": station,
        "state": state,
        "title": station,
        "registry_url": station_page(station),
        "tickets": Ticket.objects.filter(station=station).order_by("-received_at")[:20],
        "rejections": TicketRejection.objects.filter(station=station)[:20],
        "conflicts": TicketConflict.objects.filter(station=station).select_related("ticket")[:20],
        "held_today": Ticket.objects.filter(
            station=station, received_at__gte=_local_midnight()
        ).aggregate(n=Count("pk", filter=Q(release=False)), all=Count("pk")),
    }
    return render(request, "weighing/station_detail.html", context)


def _rule_names(codes: Any) -> str:
    return "、".join(term("rule", code) for code in codes)


class BlockingListView(ScopedListView):
    """Each region's blocking set as the gate applies it: its own, an ancestor's or the defaults."""

    model = Region
    title = _("Blocking sets")
    default_order = "path"
    columns = (
        Column("region.name", _("Region"), order_by="path"),
        Column("region.code", _("Code"), order_by="code", kind=CODE),
        Column("codes", _("Holds the truck on"), value=lambda r: _rule_names(r.codes)),
        Column("travel", _("Held on impossible travel"), value=lambda r: yes_no(r.holds_on_travel)),
        Column(
            "source",
            _("Set in"),
            value=lambda r: r.source.name if r.source else _("The protocol's defaults"),
        ),
    )

    def paginate_queryset(self, queryset: Any, page_size: int) -> Any:
        paginator, page, rows, more = super().paginate_queryset(queryset, page_size)
        return paginator, page, effective_blocking(list(rows)), more

    def export_source(self) -> Any:
        source = super().export_source()
        source.rows = effective_blocking(list(source.rows))
        return source


@login_required
def blocking_edit(request: HttpRequest, code: str) -> HttpResponse:
    """One region's blocking set: the ledger codes fixed, the others ticked per region."""
    action = CHANGE if request.method == "POST" else VIEW
    region = blocking_region(user=request.user, code=code, action=action)
    [current] = effective_blocking([region])
    chosen = [c for c in current.codes if c not in ALWAYS_BLOCKING]
    form = BlockingSetForm(request.POST or None, initial={"codes": chosen})
    if request.method == "POST" and form.is_valid():
        try:
            codes = [*ALWAYS_BLOCKING, *form.cleaned_data["codes"]]
            set_blocking_codes(actor=request.user, region=region, codes=codes)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("The blocking set of %(region)s is saved.") % {"region": region}
            )
            return redirect("weighing:blocking_edit", code=region.code)
    context = {
        "title": _("Blocking set of %(region)s") % {"region": region},
        "region": region,
        "current": current,
        "held_on": _rule_names(current.codes),
        "fixed": _rule_names(c for c in current.codes if c in ALWAYS_BLOCKING),
        "form": form,
        "may_change": may_set_blocking(request.user, region),
        "history": history_for(current.own)[:50] if current.own else [],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "weighing/blocking_form.html", context, status=status)
