"""Pages across records: the procedures check, the map, and the permit catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.accounts.boundaries import visible_counties
from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core.cells import CODE
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.exports import export_response
from oreledger.core.listing import Column, ExportSource, paged, sort_key, sorted_rows
from oreledger.core.permissions import ADD, CHANGE, VIEW, may
from oreledger.registry import services
from oreledger.registry.choices import ProcedureState
from oreledger.registry.forms import PermitTypeForm, RequirementForm
from oreledger.registry.maps import county_shading, map_data
from oreledger.registry.models import Enterprise, PermitRequirement, PermitType, Site, Station
from oreledger.registry.procedures import STATES, Line, procedures_summary
from oreledger.registry.views.common import add_refusal, form_page, require

LINE_COLUMNS = (
    Column("enterprise.name", _("Enterprise"), order_by="enterprise"),
    Column("enterprise.uscc", _("Unified social credit code"), kind=CODE),
    Column("enterprise.region.name", _("Region")),
    Column(
        "department",
        _("Department"),
        value=lambda line: str(line.department_kind),
        order_by="department",
    ),
    Column("permit_type", _("Permit"), value=lambda line: str(line.permit_type), order_by="type"),
    Column(
        "site",
        _("Site"),
        value=lambda line: line.site.code if line.site else "",
        order_by="site",
        kind=CODE,
    ),
    Column("state", _("State"), value=lambda line: line.get_state_display(), order_by="state"),
    Column("permit.number", _("Permit number"), order_by="permit", kind=CODE),
    Column("permit.valid_to", _("Valid to"), order_by="valid_to"),
)


def _chain(region: Region, top: Region | None) -> list[Region]:
    chain = []
    node: Region | None = region
    while node is not None:
        chain.append(node)
        if top is not None and node.pk == top.pk:
            break
        node = node.parent
    return list(reversed(chain))


@dataclass
class _Check:
    """The procedures check a request asks for: its region, summary and filtered lines."""

    region: Region | None
    summary: Any
    lines: list[Line]
    department: str
    state: str
    today: Any


def _check(request: HttpRequest) -> _Check:
    user: Any = request.user
    regions = Region.objects.for_user(user, VIEW).select_related("parent")
    code = request.GET.get("region") or ""
    if code:
        region = regions.filter(code=code).first()
        if region is None:
            raise Http404
    else:
        region = (
            user.region if user.region_id and regions.filter(pk=user.region_id).exists() else None
        )
    enterprises = Enterprise.objects.for_user(user, VIEW)
    today = timezone.localdate()
    summary = procedures_summary(region, today, enterprises)
    department = request.GET.get("department") or ""
    state = request.GET.get("state") or ""
    lines: list[Line] = summary.lines
    if department:
        lines = [line for line in lines if line.department_kind.code == department]
    if state in ProcedureState.values:
        lines = [line for line in lines if line.state == state]
    lines = sorted_rows(lines, LINE_COLUMNS, sort_key(request, LINE_COLUMNS))
    return _Check(region, summary, lines, department, state, today)


def procedures_export_source(request: HttpRequest) -> ExportSource:
    """The lines of the procedures check as the page filters and sorts them, for export."""
    check = _check(request)
    return ExportSource(_("Procedures check"), LINE_COLUMNS, check.lines, len(check.lines))


@login_required
def procedures(request: HttpRequest) -> HttpResponse:
    """手续核查: per department, counts by state for a region, drilled down to each line."""
    if request.GET.get("export") == "xlsx":
        return export_response(request, lambda: procedures_export_source(request))
    user: Any = request.user
    check = _check(request)
    region = check.region
    drilled = bool(check.department or check.state) or (
        region is not None and region.level in ("county", "town")
    )
    query = request.GET.copy()
    for name in ("export", "page", "sort"):
        query.pop(name, None)
    export = request.GET.copy()
    export.pop("page", None)
    export["export"] = "xlsx"
    state = check.state
    return render(
        request,
        "registry/procedures.html",
        {
            "title": _("Procedures check"),
            "summary": check.summary,
            "region": region,
            "chain": _chain(region, user.region) if region is not None else [],
            "states": [(s.value, s.label) for s in STATES],
            "department": DepartmentKind.objects.filter(code=check.department).first(),
            "state": state,
            "state_label": ProcedureState(state).label if state in ProcedureState.values else "",
            "drilled": drilled,
            "today": check.today,
            "export_query": export.urlencode(),
            "columns": LINE_COLUMNS,
            "sort": sort_key(request, LINE_COLUMNS),
            "query": query.urlencode(),
            **paged(request, check.lines if drilled else []),
        },
    )


# The background export rebuilds the lines through the same function as the page.
procedures.export_source = procedures_export_source  # type: ignore[attr-defined]


@login_required
def map_view(request: HttpRequest) -> HttpResponse:
    """Sites and stations on a plain map, coloured by status."""
    user: Any = request.user
    sites = Site.objects.for_user(user, VIEW).select_related("enterprise")
    stations = Station.objects.for_user(user, VIEW)
    regions = visible_counties(user)
    # No figures in view (an enterprise): plain outlines, not a legend of shades.
    data = map_data(sites, stations, regions, "enterprise", quota_use=county_shading(user) or None)
    return render(
        request,
        "registry/map.html",
        {
            "title": _("Registry map"),
            "map": data,
            "site_count": len(data["sites"]),
            "station_count": len(data["stations"]),
        },
    )


@login_required
def permit_types(request: HttpRequest) -> HttpResponse:
    """The permit catalogue and the required-permit matrix (configuration, not code)."""
    types = PermitType.objects.select_related("department_kind").order_by(
        "department_kind__ordering", "code"
    )
    if not may(request.user, VIEW, PermitType):
        raise PermissionDenied
    requirements = PermitRequirement.objects.select_related("permit_type").order_by(
        "applies_to", "holder_kind", "permit_type__code"
    )
    editable = may(request.user, CHANGE, PermitType)
    return render(
        request,
        "registry/permit_types.html",
        {
            "title": _("Permit catalogue"),
            "types": types,
            "requirements": requirements,
            "editable": editable,
            "requirement_form": RequirementForm() if editable else None,
        },
    )


class _Catalogue:
    """Where a saved permit type leads: back to the catalogue."""

    def get_absolute_url(self) -> str:
        """The catalogue page."""
        return reverse("registry:permit_types")


@login_required
def permit_type_create(request: HttpRequest) -> HttpResponse:
    """Add a kind of permit (province office)."""
    require(request.user, ADD, PermitType)
    form = PermitTypeForm(request.POST or None, user=request.user)

    def save(data: dict[str, Any]) -> Any:
        services.create_permit_type(actor=request.user, **data)
        return _Catalogue()

    return form_page(
        request,
        form=form,
        title=_("New permit type"),
        back_url=reverse("registry:permit_types"),
        save=save,
    )


@login_required
def permit_type_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change a kind of permit (province office)."""
    require(request.user, CHANGE, PermitType)
    permit_type = get_object_or_404(PermitType, code=code)
    form = PermitTypeForm(request.POST or None, instance=permit_type, user=request.user)

    def save(data: dict[str, Any]) -> Any:
        data.pop("code", None)
        services.update_permit_type(actor=request.user, permit_type=permit_type, **data)
        return _Catalogue()

    return form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": permit_type},
        back_url=reverse("registry:permit_types"),
        save=save,
    )


@login_required
@require_POST
def requirement_create(request: HttpRequest) -> HttpResponse:
    """Add a cell to the required-permit matrix."""
    require(request.user, ADD, PermitRequirement)
    form = RequirementForm(request.POST)
    if form.is_valid():
        try:
            services.add_permit_requirement(actor=request.user, **form.cleaned_data)
        except DomainError as refusal:
            add_refusal(form, refusal)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        messages.success(request, _("The requirement was added."))
    return redirect("registry:permit_types")


@login_required
@require_POST
def requirement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a cell out of the required-permit matrix."""
    require(request.user, CHANGE, PermitRequirement)
    requirement = get_object_or_404(PermitRequirement.objects.select_related("permit_type"), pk=pk)
    if not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Remove the requirement of “%(type)s”?")
                % {"type": requirement.permit_type},
                consequence=_(
                    "Enterprises are no longer checked for this permit in the procedures check."
                ),
                action_label=_("Remove"),
                facts=[(_("Applies to"), requirement.get_applies_to_display())],
            ),
            cancel_url=reverse("registry:permit_types"),
        )
    services.remove_permit_requirement(actor=request.user, requirement=requirement)
    messages.success(request, _("The requirement was removed."))
    return redirect("registry:permit_types")
