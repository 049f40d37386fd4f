"""The whole API fuzzed against its own OpenAPI document (schemathesis), as a province officer.

Every operation of `/api/schema/` gets a bounded number of generated requests (valid and
invalid ones) on the varied records of both counties; no answer may be a 5xx, contradict
the document (status, content type, body, headers), or refuse without the error body.
`OL_FUZZ_EXAMPLES` raises the bound; bench/fuzz_api.py runs the long version.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from oreledger.accounts.services import issue_api_token
from oreledger.config.wsgi import application
from testkit.personas import build_province
from testkit.variety import build_variety

EXAMPLES = int(os.environ.get("OL_FUZZ_EXAMPLES", "4"))
# OL_FUZZ_STRICT=1 also fails a request outside the document that was answered 2xx.
STRICT = os.environ.get("OL_FUZZ_STRICT") == "1"


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document exactly as `/api/schema/?format=json` serves it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(document)))


schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = application


@pytest.fixture(scope="module")
def officer_token(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The province officer's token over the varied records, rolled back after the module."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            world = build_province()
            build_variety(world)
            yield issue_api_token(actor=None, user=world.user("province_officer"))
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@contextlib.contextmanager
def _connection_kept() -> Iterator[None]:
    """As in Django's test client: the WSGI handler closes the database connection around
    each request, which would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, db: Any, officer_token: str) -> None:
    # given a generated request, authenticated as the province officer
    # when it is sent
    # then the answer is no 5xx and agrees with the document
    with _connection_kept():
        case.call_and_validate(
            headers={"Authorization": f"Token {officer_token}"},
            # A well-formed value may still be refused by a rule (an unopened quota year):
            # a documented 400. The lists read an empty filter as no filter, as forms do,
            # where the document's format would refuse it: a leniency, not a lie about an
            # answer (bench/fuzz_api.py counts those too).
            excluded_checks=[positive_data_acceptance]
            + ([] if STRICT else [negative_data_rejection]),
        )


def test_the_document_names_every_refusal_and_every_null_it_answers() -> None:
    # given the OpenAPI document
    paths = openapi_document()["paths"]
    components = openapi_document()["components"]["schemas"]
    # then a record lookup documents 404, a write 400/404/409, every operation 401 and 403,
    # all with the error body; a paginated list its missing page; exports their files
    lookup = paths["/api/v1/sites/{code}/"]["get"]["responses"]
    write = paths["/api/v1/sites/"]["post"]["responses"]
    listing = paths["/api/v1/sites/"]["get"]["responses"]
    figure = paths["/api/v1/dashboard/tonnage/"]["get"]["responses"]
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    assert sorted(lookup) == ["200", "401", "403", "404"]
    assert sorted(write) == ["201", "400", "401", "403", "404", "409", "415"]
    assert sorted(listing) == ["200", "400", "401", "403", "404"]
    assert {lookup[s]["content"] == error for s in ("401", "403", "404")} == {True}
    assert sorted(figure["200"]["content"]) == [
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
    ]
    # and the references that may be empty say so
    assert components["Region"]["properties"]["parent"]["nullable"] is True
    assert components["Bid"]["properties"]["contract"]["nullable"] is True
    assert components["Contract"]["properties"]["supersedes"]["nullable"] is True
    assert components["Case"]["properties"]["fine_yuan"]["nullable"] is True
    assert components["Ticket"]["properties"]["matched_waybill"]["nullable"] is True


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/price-index?weeks=null", "weeks"),
        ("/api/v1/dashboard/tonnage/?export=pdf", "export"),
    ],
)
def test_an_unreadable_value_is_refused_not_read_as_the_default(
    world: Any, url: str, field: str
) -> None:
    # given the province officer
    api = world.api("province_officer")
    # when a value the document does not allow is sent
    answer = api.get(url, HTTP_ACCEPT_LANGUAGE="en")
    # then it is refused with the error body naming the field
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    assert list(answer.json()["error"]["fields"]) == [field]
