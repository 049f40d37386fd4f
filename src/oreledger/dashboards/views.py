"""The leaders' pages: the dashboard, the live feed fragment, the map and the big screen."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from oreledger.dashboards import figures, places
from oreledger.dashboards.catalogue import FIGURES
from oreledger.dashboards.scope import Scope, resolve_scope


def _api_urls(scope: Scope) -> dict[str, str]:
    """Each figure's API endpoint for this scope (the charts fetch them to refresh)."""
    query = urlencode(scope.query())
    return {
        name: reverse(f"api:dashboards:{name}") + (f"?{query}" if query else "") for name in FIGURES
    }


def _links(scope: Scope) -> dict[str, str]:
    query = urlencode(scope.query())
    suffix = f"?{query}" if query else ""
    return {
        name: reverse(f"dashboards:{name}") + suffix
        for name in ("overview", "feed", "map", "screen", "screen_tiles")
    }


def _common(request: HttpRequest, scope: Scope) -> dict[str, Any]:
    return {
        "scope": scope,
        "title": scope.title,
        "chain": scope.chain(),
        "links": _links(scope),
        "api": _api_urls(scope),
        "query": urlencode(scope.query()),
        "now": timezone.localtime(),
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The dashboard of the person's jurisdiction, or of the region or site drilled into."""
    scope = resolve_scope(request.user, request.GET)
    tonnage = figures.tonnage(scope)
    quota = figures.quota(scope)
    context = {
        **_common(request, scope),
        "tonnage": tonnage,
        "breakdown": figures.breakdown(scope, quota_of=quota),
        "quota": quota,
        "alerts": places.alerts(scope),
        "prices": figures.prices(),
        "stations": figures.stations(scope),
        "procedures": figures.procedures(scope),
        "feed": places.feed(scope),
        "charts": {
            "daily": figures.daily_series(scope),
            "grades": figures.by_grade(scope),
            "quota": quota,
            "api": _api_urls(scope),
        },
    }
    return render(request, "dashboards/overview.html", context)


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    """The newest weighings (an HTMX fragment, polled every few seconds)."""
    scope = resolve_scope(request.user, request.GET)
    template = (
        "dashboards/_feed_screen.html" if request.GET.get("screen") else "dashboards/_feed.html"
    )
    return render(request, template, {"feed": places.feed(scope), "scope": scope})


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    """Sites, stations and counties on a map, coloured by status, alerts and quota use."""
    scope = resolve_scope(request.user, request.GET)
    context = {**_common(request, scope), "map": places.map_data(scope)}
    return render(request, "dashboards/map.html", context)


def _screen_context(request: HttpRequest) -> dict[str, Any]:
    scope = resolve_scope(request.user, request.GET)
    quota = figures.quota(scope)
    return {
        **_common(request, scope),
        "tonnage": figures.tonnage(scope),
        "quota": quota,
        "alerts": places.alerts(scope),
        "stations": figures.stations(scope),
        "breakdown": figures.breakdown(scope, quota_of=quota),
    }


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    """The command-centre big screen: 1920×1080, dark, refreshing itself, in Chinese."""
    context = _screen_context(request)
    scope = context["scope"]
    context["feed"] = places.feed(scope)
    # The page's own clock starts from the server's: a big screen's PC clock may be wrong.
    context["epoch_ms"] = int(timezone.now().timestamp() * 1000)
    context["charts"] = {
        "daily": figures.daily_series(scope),
        "grades": figures.by_grade(scope),
        "prices": figures.prices(),
        "map": places.map_data(scope, quota_of=context["quota"]),
        "api": context["api"],
    }
    return render(request, "dashboards/screen.html", context)


@login_required
def screen_tiles(request: HttpRequest) -> HttpResponse:
    """The big screen's figures panel (an HTMX fragment, polled)."""
    return render(request, "dashboards/_screen_tiles.html", _screen_context(request))
