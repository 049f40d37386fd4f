"""Pages of campaigns: the list and a campaign's progress, groups and visits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError
from oreledger.core.listing import Column, ScopedListView, paged
from oreledger.core.permissions import ADD, CHANGE, VIEW, can, get_for_user, may
from oreledger.inspections import services
from oreledger.inspections.filtersets import CampaignFilter
from oreledger.inspections.forms import (
    CampaignForm,
    GroupFormSet,
    SiteForm,
    TargetFormSet,
    plan_initial,
)
from oreledger.inspections.models import Campaign, Inspection
from oreledger.inspections.queries import campaign_counts, campaign_progress


class CampaignListView(ScopedListView):
    """Campaigns in the jurisdiction."""

    model = Campaign
    title = _("Campaigns")
    filterset_class = CampaignFilter
    related = ("region",)
    default_order = "-starts_on"
    columns = (
        Column("name", _("Campaign"), order_by="name", link=True),
        Column("region.name", _("Organising region"), order_by="region__path"),
        Column("starts_on", _("Starts on"), order_by="starts_on"),
        Column("ends_on", _("Ends on"), order_by="ends_on"),
        Column("status", _("Status"), order_by="status"),
    )
    template_name = "inspections/campaign_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_create"] = may(self.request.user, ADD, Campaign)
        return context


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign: its targets against the records, its groups, and its visits."""
    campaign = get_for_user(Campaign.objects.select_related("region"), request.user, VIEW, pk=pk)
    form = SiteForm(request.GET or None)
    may_inspect = may(request.user, ADD, Inspection)
    if may_inspect and form.is_valid():
        return redirect(
            reverse("inspections:inspect", args=[campaign.pk, form.cleaned_data["site"].strip()])
        )
    counts = campaign_counts(campaign)
    visits = (
        Inspection.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("site", "enterprise", "region")
    )
    context: dict[str, Any] = {
        "title": campaign.name,
        "campaign": campaign,
        "counts": counts,
        "progress": campaign_progress(campaign, counts),
        "groups": campaign.groups.select_related("leader").prefetch_related("towns", "members"),
        "departments": campaign.departments.order_by("ordering"),
        "may_inspect": may_inspect,
        "form": form,
        "may_change": can(request.user, CHANGE, campaign),
        **paged(request, visits),
    }
    return render(request, "inspections/campaign_detail.html", context)


def _plan(request: HttpRequest, campaign: Campaign | None) -> tuple[Any, Any, Any]:
    """The campaign form and its groups and targets, bound on POST."""
    data = request.POST if request.method == "POST" else None
    # The rows start from the saved plan only when shown: a posted row is compared with a
    # blank one, so a row the person cleared is dropped and an unchanged one is kept.
    initial = plan_initial(campaign) if campaign is not None and data is None else {}
    form = CampaignForm(
        data,
        user=request.user,
        campaign=campaign,
        initial=plan_initial(campaign)["campaign"] if campaign is not None else None,
    )
    groups = GroupFormSet(data, prefix="groups", initial=initial.get("groups"),
                          form_kwargs={"user": request.user})  # fmt: skip
    targets = TargetFormSet(data, prefix="targets", initial=initial.get("targets"))
    return form, groups, targets


def _filled(formset: Any) -> list[dict[str, Any]]:
    """The rows someone filled in (a blank extra row is no row)."""
    return [f.cleaned_data for f in formset.forms if f.cleaned_data]


def _plan_page(
    request: HttpRequest, campaign: Campaign | None, title: Any, forms: tuple[Any, Any, Any]
) -> HttpResponse:
    form, groups, targets = forms
    context = {"title": title, "campaign": campaign, "form": form, "groups": groups,
               "targets": targets}  # fmt: skip
    return render(request, "inspections/campaign_form.html", context)


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Plan a new campaign: scope, departments, groups and targets."""
    if not may(request.user, ADD, Campaign):
        raise PermissionDenied
    forms = _plan(request, None)
    form, groups, targets = forms
    if request.method == "POST" and all(f.is_valid() for f in forms):
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(
                actor=request.user,
                region=data["region"],
                **_plan_fields(data, groups, targets),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The campaign is launched."))
            return redirect(campaign)
    return _plan_page(request, None, _("New campaign"), forms)


def _plan_fields(data: dict[str, Any], groups: Any, targets: Any) -> dict[str, Any]:
    """The plan as create_campaign and update_campaign take it, from the page's forms."""
    names = (
        "name",
        "legal_basis",
        "starts_on",
        "ends_on",
        "regions",
        "enterprise_kinds",
        "departments",
    )
    return {name: data[name] for name in names} | {
        "groups": _filled(groups),
        "targets": _filled(targets),
    }


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a campaign's plan; its progress is computed from the records, never typed."""
    campaign = get_for_user(Campaign.objects.select_related("region"), request.user, CHANGE, pk=pk)
    forms = _plan(request, campaign)
    form, groups, targets = forms
    if request.method == "POST" and all(f.is_valid() for f in forms):
        data = form.cleaned_data
        try:
            services.update_campaign(
                actor=request.user,
                campaign=campaign,
                **_plan_fields(data, groups, targets),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect(campaign)
    return _plan_page(request, campaign, _("Edit the campaign"), forms)
