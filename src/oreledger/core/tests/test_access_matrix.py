"""Issue 22's generated role × endpoint matrix: every route, method, role and side.

testkit/access.py enumerates the endpoints from the URL configuration and the OpenAPI
document; testkit/access_policies.py says what every column of testkit/jurisdictions.py gets.
Each column is one test: it sends every endpoint as its persona, each request inside a
savepoint that is rolled back (an allowed write does not disturb the next cell), and asserts
the exact status and, for every refusal, that the database received no write at all.
With OL_ACCESS_RECORD=DIR each column also writes its answers (status, writes) to
DIR/<column>.json, to review a new route's cells before naming its policy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.urls import reverse

from oreledger.core.tests.test_scope_sweep import CONFIGURATION, ROUTES, STATION_WAYBILL
from testkit.access import (
    STATION_ROUTES,
    UNDOCUMENTED,
    VARIANTS,
    Endpoint,
    documented_methods,
    endpoints,
    expected_status,
    leak,
    unlisted_routes,
)
from testkit.accessdoc import PAGE, render
from testkit.jurisdictions import KEYS, People, gather_people, watching_writes
from testkit.matrix import refused
from testkit.personas import build_province
from testkit.sweep import Dashiqiao, all_routes, build_dashiqiao

UrlKwargs = Callable[[Dashiqiao], dict[str, Any]]

# Routes the sweep leaves out (exempt, or the station protocol), and their URL kwargs here.
EXTRA_KWARGS: dict[str, UrlKwargs] = {
    "public:table": lambda d: {"key": "licences"},
    "public:download": lambda d: {"key": "licences"},
    "api:public:public-table": lambda d: {"key": "licences"},
    "assessment:ranking": lambda d: {"code": d.scheme.code, "period": "2026-Q1"},
    "api:assessment:ranking": lambda d: {"code": d.scheme.code, "period": "2026-Q1"},
    STATION_WAYBILL: lambda d: {"number": d.waybill.number},
    # Nobody's session: ending one is looked up among the caller's own, so every caller 404s.
    "accounts:session_end": lambda d: {"pk": 2_000_000_000},
}
VARIANT_KWARG = {"public:download": "fmt"}


def _kwargs(d: Dashiqiao, endpoint: Endpoint) -> dict[str, Any]:
    """The URL kwargs of an endpoint: the Dashiqiao record, and the variant's action."""
    name = endpoint.route
    if name in ROUTES:
        target = ROUTES[name]
        kwargs = target.kwargs(d)
        if endpoint.variant:
            position = VARIANTS[name].index(endpoint.variant)
            kwargs.update(target.variants[position])
        return kwargs
    if name in CONFIGURATION:
        return CONFIGURATION[name].kwargs(d)
    if name in EXTRA_KWARGS:
        kwargs = EXTRA_KWARGS[name](d)
        if endpoint.variant:
            kwargs[VARIANT_KWARG[name]] = endpoint.variant
        return kwargs
    return {}


def _url(d: Dashiqiao, endpoint: Endpoint) -> str:
    url = reverse(endpoint.route, kwargs=_kwargs(d, endpoint))
    if endpoint.flavour.startswith("export="):
        url += "?" + endpoint.flavour
    return url


@pytest.fixture(scope="module")
def people(django_db_setup: Any, django_db_blocker: Any) -> Iterator[People]:
    """The sweep's Dashiqiao records and a persona per column, rolled back after the module."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        built = None
        try:
            built = build_dashiqiao(build_province())
            yield gather_people(built)
        finally:
            if built is not None:
                Path(built.export.file_path).unlink(missing_ok=True)
                built.note.attachment.delete(save=False)
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


def _walk(people: People, column: str) -> dict[str, tuple[int, list[str], bool]]:
    """Every endpoint as the column's persona: its status, its writes, whether refused."""
    answers = {}
    for endpoint in endpoints():
        url = _url(people.dsq, endpoint)
        extra = {"HTTP_HX_REQUEST": "true"} if endpoint.flavour == "htmx" else {}
        with transaction.atomic():
            with watching_writes() as written:
                response = people.send(column, endpoint.method, url, api=endpoint.api, **extra)
            transaction.set_rollback(True)
        answers[endpoint.label] = (response.status_code, list(written), refused(response))
    return answers


def test_every_route_has_a_policy() -> None:
    missing = unlisted_routes({route.name for route in all_routes()})
    assert not missing, f"routes without an access policy in testkit/access_policies.py: {missing}"


def test_every_api_route_is_in_the_openapi_document() -> None:
    undocumented = sorted(
        route.name
        for route in all_routes()
        if route.api
        and route.name not in STATION_ROUTES | UNDOCUMENTED
        and not documented_methods(route)
    )
    assert not undocumented, f"API routes missing from the OpenAPI document: {undocumented}"


def test_the_variants_are_the_sweep_s() -> None:
    for name, labels in VARIANTS.items():
        if name in ROUTES:
            assert len(labels) == len(ROUTES[name].variants), name


def test_the_published_page_is_the_matrix() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/reference/access-matrix.md is out of date: run python -m testkit.accessdoc"
    )


def test_a_leak_is_named_a_leak() -> None:
    # given a Dashiqiao record's page, the station protocol and the public portal
    site = Endpoint("registry:site_detail", "registry/sites/<str:code>/", "GET")
    status = Endpoint("registry:site_status", "registry/sites/<str:code>/status/", "POST")
    waybill = Endpoint(STATION_WAYBILL, "api/v1/station/waybills/<str:number>", "GET")
    portal = Endpoint("public:index", "public/", "GET")
    # then reading another county's record, or any write from outside, is a leak
    assert leak(site, "county_out", 200, wrote=False)
    assert leak(status, "mine_out", 302, wrote=True)
    assert leak(waybill, "station_out", 200, wrote=False)
    assert leak(site, "anonymous", 200, wrote=False)
    # and a refusal, the record's own people or the public portal are not
    assert not leak(site, "county_out", 404, wrote=False)
    assert not leak(site, "county_in", 200, wrote=False)
    assert not leak(status, "county_in", 302, wrote=True)
    assert not leak(waybill, "station_in", 200, wrote=False)
    assert not leak(portal, "anonymous", 200, wrote=False)


@pytest.mark.parametrize("column", KEYS)
def test_the_column_gets_its_expected_status_and_refusals_change_nothing(
    db: Any, people: People, column: str
) -> None:
    # given every endpoint of the project, and the column's persona
    # when each is sent, in its own rolled-back savepoint
    answers = _walk(people, column)
    record = os.environ.get("OL_ACCESS_RECORD")
    if record:
        path = Path(record) / f"{column}.json"
        path.write_text(json.dumps({k: [v[0], len(v[1])] for k, v in answers.items()}))
    # then every status is the policy's, no refusal wrote, and no outsider got in
    wrong = {}
    changed = {}
    leaks = []
    for endpoint in endpoints():
        status, written, was_refused = answers[endpoint.label]
        wanted = expected_status(endpoint, column)
        if status != wanted:
            wrong[endpoint.label] = (status, wanted)
        if was_refused and written:
            changed[endpoint.label] = written
        if leak(endpoint, column, status, bool(written)):
            leaks.append(endpoint.label)
    assert not leaks, f"{column}: outside its jurisdiction yet answered: {leaks}"
    assert not changed, f"{column}: refusals that wrote to the database: {changed}"
    assert not wrong, f"{column}: (got, expected) {wrong}"
