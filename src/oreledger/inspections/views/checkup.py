"""The enterprise check-up (企业体检) of a campaign: the page and its PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from oreledger.core.permissions import VIEW, get_for_user
from oreledger.inspections.checkup import Checkup, score_enterprise
from oreledger.inspections.models import Campaign
from oreledger.inspections.pdf import checkup_pdf
from oreledger.inspections.queries import concerns_campaign
from oreledger.registry.models import Enterprise


def _checkup(request: HttpRequest, pk: int, uscc: str) -> Checkup:
    """The campaign and enterprise the reader may see, scored; 404 outside either."""
    campaign = get_for_user(Campaign.objects.select_related("region"), request.user, VIEW, pk=pk)
    enterprise = get_for_user(Enterprise.objects.all(), request.user, VIEW, uscc=uscc)
    if not concerns_campaign(campaign, enterprise):
        raise Http404
    return score_enterprise(enterprise, campaign)


@login_required
def checkup(request: HttpRequest, pk: int, uscc: str) -> HttpResponse:
    """The check-up: the score by dimension, every point lost with its reason."""
    report = _checkup(request, pk, uscc)
    title = f"{_('Enterprise check-up')} · {report.enterprise.name}"
    return render(request, "inspections/checkup.html", {"title": title, "checkup": report})


@login_required
def checkup_print(request: HttpRequest, pk: int, uscc: str) -> HttpResponse:
    """The check-up as a printable PDF with its Chinese fonts embedded."""
    report = _checkup(request, pk, uscc)
    response = HttpResponse(checkup_pdf(report), content_type="application/pdf")
    name = f"checkup-{report.enterprise.uscc}-{report.day.isoformat()}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
