"""Pages of alerts: the list with its map layer, overdue, detail with evidence, per county."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from oreledger.accounts.models import Department, Region, User
from oreledger.alerts import services
from oreledger.alerts.backtest import county_of
from oreledger.alerts.catalogue import BY_CODE, CODES
from oreledger.alerts.choices import ACTIVE_STATUSES
from oreledger.alerts.evidence import SUBJECT_REFERENCES, readable_evidence, readable_refs
from oreledger.alerts.filtersets import AlertFilter
from oreledger.alerts.forms import AssignForm, NoteForm, ResolveForm
from oreledger.alerts.models import Alert, Case
from oreledger.core.audit import history_for
from oreledger.core.cells import CODE, COUNT
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.display import reference
from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import CHANGE, VIEW, can, get_for_user
from oreledger.weighing.models import Ticket

MAP_LIMIT = 500


class AlertListView(ScopedListView):
    """Alerts in the jurisdiction, filtered by rule, severity, status, region and date."""

    model = Alert
    title = _("Alerts")
    template_name = "alerts/alert_list.html"
    filterset_class = AlertFilter
    related = ("region",)
    default_order = "-first_seen"
    columns = (
        Column("rule", _("Rule"), order_by="rule", link=True),
        Column("severity", _("Severity"), order_by="severity", kind=CODE),
        Column("status", _("Status"), order_by="status", kind=CODE),
        Column("subject_ref", _("Subject"), order_by="subject_ref", kind=CODE),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("first_seen", _("First seen"), order_by="first_seen"),
        Column("last_seen", pgettext_lazy("alert", "Last seen"), order_by="last_seen"),
        Column("count", _("Count"), order_by="count", kind=COUNT),
        Column("deadline", _("Deadline"), order_by="deadline"),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        points = (
            self.get_queryset()
            .filter(lat__isnull=False)
            .values_list("pk", "rule", "severity", "subject_ref", "lat", "lon")[:MAP_LIMIT]
        )
        context["map_points"] = [
            {
                "url": reverse("alerts:alert_detail", args=[pk]),
                "rule": str(BY_CODE[rule].name),
                "severity": sev,
                "subject": ref,
                "lat": float(lat),
                "lon": float(lon),
            }
            for pk, rule, sev, ref, lat, lon in points
        ]
        return context


class OverdueListView(AlertListView):
    """Alerts still open past their deadline."""

    title = _("Overdue alerts")
    default_order = "deadline"

    def base_queryset(self) -> Any:
        return (
            super().base_queryset().filter(status__in=ACTIVE_STATUSES, deadline__lt=timezone.now())
        )


def received_from(record: Alert | Case) -> str | None:
    """The name of the county whose platform owns a received alert or case (None: owned
    here), for the page to say whose it is."""
    if not record.received:
        return None
    region = Region.objects.filter(code=record.owner_node).first()
    return str(region.name) if region is not None else record.owner_node


def _ticket_links(alert: Alert, user: Any) -> list[Any]:
    """The tickets an alert's refs and evidence name, that the viewer may open."""
    pairs = []
    refs, evidence = alert.refs, alert.evidence
    if refs.get("station") and refs.get("seq"):
        pairs.append((refs["station"], refs["seq"]))
    for prefix in ("from_", "to_"):
        if evidence.get(f"{prefix}station") and evidence.get(f"{prefix}seq"):
            pairs.append((evidence[f"{prefix}station"], evidence[f"{prefix}seq"]))
    found = []
    for code, seq in pairs:
        ticket = (
            Ticket.objects.for_user(user)
            .filter(station__code=code, seq=seq)
            .select_related("station")
            .first()
        )
        if ticket is not None and ticket not in found:
            found.append(ticket)
    return found


@login_required
def alert_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The alert with its evidence, references, timeline and the actions open to the viewer."""
    alert = get_for_user(
        Alert.objects.select_related(
            "region", "rule_version", "assignee", "department", "case", "site", "enterprise"
        ),
        request.user,
        VIEW,
        pk=pk,
    )
    may_change = can(request.user, CHANGE, alert) and not alert.received
    region = alert.region
    context = {
        "title": _("Alert"),
        "alert": alert,
        "rule": BY_CODE[alert.rule],
        "subject": reference(
            SUBJECT_REFERENCES.get(alert.subject_type, ""), alert.subject_ref, request.user
        ),
        "evidence": readable_evidence(alert.evidence, request.user),
        "refs": readable_refs(alert.refs, request.user),
        "tickets": _ticket_links(alert, request.user),
        "events": [
            (event, readable_evidence((event.data or {}).get("evidence") or {}, request.user))
            for event in alert.events.select_related("actor")
        ],
        "may_change": may_change and alert.is_active,
        "received_from": received_from(alert),
        "overdue": alert.is_active and alert.deadline < timezone.now(),
        "note_form": NoteForm(),
        "resolve_form": ResolveForm(),
        "assign_form": AssignForm(
            users=User.objects.filter(region__path__startswith=region.path, is_active=True),
            departments=Department.objects.filter(region__path__in=_ancestors(region)),
            initial={"assignee": alert.assignee_id, "department": alert.department_id},
        ),
        "history": history_for(alert)[:50],
    }
    return render(request, "alerts/alert_detail.html", context)


def _ancestors(region: Region) -> list[str]:
    codes = [c for c in region.path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _alert_confirmation(alert: Alert, action: str) -> Confirmation:
    facts = [
        (_("Rule"), BY_CODE[alert.rule].name),
        (_("Subject"), alert.subject_ref),
        (_("Region"), alert.region.name),
    ]
    if action == "resolve":
        return Confirmation(
            question=_("Resolve this alert?"),
            consequence=_(
                "It is closed with your resolution and note and leaves the open lists; a closed "
                "alert is not reopened."
            ),
            action_label=_("Resolve"),
            facts=facts,
        )
    return Confirmation(
        question=_("Escalate this alert to an enforcement case?"),
        consequence=_("A case is opened for it; a case once opened stays on file."),
        action_label=_("Escalate to a case"),
        facts=facts,
        danger=False,
    )


@login_required
@require_POST
def alert_action(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    """acknowledge, investigate, assign, resolve or escalate an alert."""
    alert = get_for_user(Alert.objects.select_related("region"), request.user, CHANGE, pk=pk)
    if action in ("resolve", "escalate") and not confirmed(request):
        if action == "resolve" and not ResolveForm(request.POST).is_valid():
            messages.error(request, _("Choose a resolution and give a note."))
            return redirect(alert)
        return ask_confirmation(
            request, _alert_confirmation(alert, action), cancel_url=alert.get_absolute_url()
        )
    try:
        if action == "acknowledge":
            services.acknowledge_alert(
                actor=request.user, alert=alert, note=request.POST.get("note", "")
            )
        elif action == "investigate":
            services.investigate_alert(
                actor=request.user, alert=alert, note=request.POST.get("note", "")
            )
        elif action == "resolve":
            form = ResolveForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a resolution and give a note."))
                return redirect(alert)
            services.resolve_alert(actor=request.user, alert=alert, **form.cleaned_data)
        elif action == "assign":
            assign = AssignForm(
                request.POST,
                users=User.objects.filter(region__path__startswith=alert.region.path),
                departments=Department.objects.filter(region__path__in=_ancestors(alert.region)),
            )
            if assign.is_valid():
                services.assign_alert(actor=request.user, alert=alert, **assign.cleaned_data)
        elif action == "escalate":
            case = services.escalate_alert(
                actor=request.user, alert=alert, note=request.POST.get("note", "")
            )
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect(case)
        else:
            return HttpResponse(status=404)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(alert)


@login_required
def counts_by_county(request: HttpRequest) -> HttpResponse:
    """Alerts per rule and county in the viewer's jurisdiction (active ones, and all)."""
    rows = (
        Alert.objects.for_user(request.user)
        .values("rule", "region__path", "status")
        .annotate(n=Count("pk"))
    )
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    counties: set[str] = set()
    for row in rows:
        county = county_of(row["region__path"])
        counties.add(county)
        cell = table[row["rule"]][county]
        cell[1] += row["n"]
        if row["status"] in ACTIVE_STATUSES:
            cell[0] += row["n"]
    names = dict(Region.objects.filter(code__in=counties).values_list("code", "name_zh"))
    ordered = sorted(counties)
    context = {
        "title": _("Alerts by county"),
        "counties": [(c, names.get(c, c)) for c in ordered],
        "rows": [
            (code, BY_CODE[code].name, [table[code][c] for c in ordered])
            for code in CODES
            if code in table
        ],
    }
    return render(request, "alerts/counts_by_county.html", context)
