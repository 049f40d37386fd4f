"""Pages of campaigns: the list and a campaign's progress, groups and visits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oreledger.core.listing import Column, ScopedListView, paged
from oreledger.core.permissions import ADD, VIEW, get_for_user, may
from oreledger.inspections.filtersets import CampaignFilter
from oreledger.inspections.forms import SiteForm
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
        "page": paged(request, visits),
    }
    return render(request, "inspections/campaign_detail.html", context)
