"""Pages of the assessment: schemes, the province's ranking, a county's score and its records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.accounts.choices import RegionLevel
from oreledger.accounts.models import Region
from oreledger.assessment.choices import IndicatorKind
from oreledger.assessment.errors import AssessmentError
from oreledger.assessment.models import Evidence, Indicator, Scheme
from oreledger.assessment.policies import may_rank, may_see_county
from oreledger.assessment.queries import CountyScore, Period, county_score, measure, ranking
from oreledger.core.cells import COUNT, DECIMAL
from oreledger.core.exports import export_response
from oreledger.core.listing import Column, ExportSource
from oreledger.core.localtime import local_day
from oreledger.core.permissions import ADD, CHANGE, VIEW, may

RULE = _(
    "Each line: rate = records met ÷ records due (nothing due: 1). Points = weight × rate, or, "
    "under a threshold rule, the whole weight when the rate reaches the target. Score = sum."
)


def _scheme(request: HttpRequest, code: str) -> Scheme:
    scheme = Scheme.objects.for_user(request.user, VIEW).filter(code=code).first()
    if scheme is None:
        raise Http404
    return scheme


def _period(scheme: Scheme, label: str) -> Period:
    try:
        return Period.parse(scheme.period, label)
    except AssessmentError as exc:
        raise Http404 from exc


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    """The schemes in force, each linked to its current period."""
    schemes = Scheme.objects.for_user(request.user, VIEW).prefetch_related("indicators")
    if not may(request.user, VIEW, Scheme):
        raise Http404
    today = local_day(timezone.now())
    rows = []
    for scheme in schemes:
        period = Period.containing(scheme.period, today)
        rows.append((scheme, period, _score_link(request, scheme, period)))
    context = {
        "title": _("County assessment"),
        "rows": rows,
        "may_change": may(request.user, CHANGE, Scheme),
    }
    return render(request, "assessment/scheme_list.html", context)


def _score_link(request: HttpRequest, scheme: Scheme, period: Period) -> str | None:
    """Where a scheme's row leads: the ranking for the province, a county's own score."""
    if may_rank(request.user):
        return reverse("assessment:ranking", args=[scheme.code, period.label])
    region = getattr(request.user, "region", None)
    if region is None or region.level != RegionLevel.COUNTY:
        return None
    return reverse("assessment:county", args=[scheme.code, period.label, region.code])


@login_required
def scheme_period(request: HttpRequest, code: str, period: str) -> HttpResponse:
    """The province's ranking of all counties; a county is sent to its own score."""
    scheme = _scheme(request, code)
    span = _period(scheme, period)
    user = request.user
    if not may_rank(user):
        region = getattr(user, "region", None)
        if region is None or region.level != RegionLevel.COUNTY:
            raise Http404
        return redirect("assessment:county", code, period, region.code)
    scores = ranking(scheme, span)
    if request.GET.get("export") == "xlsx":
        return export_response(request, lambda: ranking_export_source(scheme, span, scores))
    context = {
        "title": _("Ranking"),
        "scheme": scheme,
        "period": span,
        "scores": scores,
        "indicators": list(scheme.indicators.all()),
        "rule": RULE,
    }
    return render(request, "assessment/ranking.html", context)


def _points_column(n: int, indicator: Indicator) -> Column:
    label = f"{indicator.get_kind_display()}（{indicator.weight}）"
    return Column(f"i{n}", label, value=lambda score: score.lines[n].points, kind=DECIMAL)


def ranking_export_source(scheme: Scheme, span: Period, scores: list[CountyScore]) -> ExportSource:
    """The ranking as the page shows it: rank, county, each indicator's points, the score."""
    columns = [
        Column("rank", pgettext_lazy("assessment ranking", "Rank"), kind=COUNT),
        Column("county", _("County"), value=lambda score: score.region.name_zh),
        *(_points_column(n, i) for n, i in enumerate(scheme.indicators.all())),
        Column("total", _("Score"), kind=DECIMAL),
    ]
    title = f"{scheme.name} {span.label} {_('Ranking')}"
    return ExportSource(title, columns, scores, len(scores))


def _county(request: HttpRequest, code: str) -> Region:
    county = get_object_or_404(Region, code=code, level=RegionLevel.COUNTY)
    if not may_see_county(request.user, county):
        raise Http404
    return county


@login_required
def county(request: HttpRequest, code: str, period: str, county: str) -> HttpResponse:
    """A county's score line by line with the formula beside every number."""
    scheme = _scheme(request, code)
    span = _period(scheme, period)
    region = _county(request, county)
    score = county_score(scheme, region, span)
    context = {
        "title": _("Assessment score"),
        "scheme": scheme,
        "period": span,
        "score": score,
        "rule": RULE,
        "may_rank": may_rank(request.user),
        # The county's own operator goes from its score to the entries behind funding/staffing.
        "may_enter": may(request.user, ADD, Evidence)
        and getattr(request.user, "region_id", None) == region.pk,
    }
    return render(request, "assessment/county.html", context)


@login_required
def records(request: HttpRequest, code: str, period: str, county: str, kind: str) -> HttpResponse:
    """The records behind one indicator's numbers for one county."""
    scheme = _scheme(request, code)
    span = _period(scheme, period)
    region = _county(request, county)
    if kind not in IndicatorKind.values or not scheme.indicators.filter(kind=kind).exists():
        raise Http404
    found = measure(kind, region, span, local_day(timezone.now()))
    context = {
        "title": IndicatorKind(kind).label,
        "scheme": scheme,
        "period": span,
        "region": region,
        "measure": found,
    }
    return render(request, "assessment/records.html", context)
