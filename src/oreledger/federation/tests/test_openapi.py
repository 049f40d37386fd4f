"""Every federation endpoint is in the OpenAPI document with its request, its answer and the
error codes it may refuse with, so that another vendor's node can be built against it."""

from __future__ import annotations

from typing import Any

import pytest

from oreledger.federation.api.views import (
    CHANGES_REFUSALS,
    HEARTBEAT_REFUSALS,
    REFERENCE_REFUSALS,
)
from oreledger.federation.errors import MESSAGES

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    # path: (method, operation, request's fields, answer's fields, refusals by status)
    "/api/v1/federation/changes": (
        "post",
        "federation_changes",
        {"node", "from_seq", "changes"},
        {"acked_seq"},
        CHANGES_REFUSALS,
    ),
    "/api/v1/federation/heartbeat": (
        "post",
        "federation_heartbeat",
        {"node", "last_seq", "time", "checkpoints"},
        {"acked_seq", "checkpoint_day"},
        HEARTBEAT_REFUSALS,
    ),
    "/api/v1/federation/reference": (
        "get",
        "federation_reference",
        None,
        {"hub", "changes", "last_seq"},
        REFERENCE_REFUSALS,
    ),
    "/api/v1/federation/nodes": (
        "get",
        "federation_nodes",
        None,
        {"code", "name", "last_contact", "node_last_seq", "acked_seq", "backlog",
         "lag_seconds", "refused_batches", "last_error", "restored", "checkpoint_day",
         "checkpoint_heads"},
        {401: ("not_authenticated",)},
    ),
}  # fmt: skip
CHANGE_FIELDS = {"seq", "model", "uuid", "version", "op", "at", "data"}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A schema object with its $ref (and an array's items) followed."""
    if "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if node.get("type") == "array":
        return _resolve(schema, node["items"])
    return node


def _fields(schema: dict[str, Any], content: dict[str, Any]) -> set[str]:
    return set(_resolve(schema, content["application/json"]["schema"])["properties"])


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict[str, Any]:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return dict(response.json())


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_the_endpoint_is_documented_with_its_shapes_and_refusals(document, path) -> None:
    method, operation_id, request_fields, answer_fields, refusals = ENDPOINTS[path]
    # given the served OpenAPI document
    # when the endpoint is looked up
    operation = document["paths"][path][method]
    # then it names its operation, its request and answer fields
    assert operation["operationId"] == operation_id
    if request_fields is not None:
        assert _fields(document, operation["requestBody"]["content"]) == request_fields
    assert _fields(document, operation["responses"]["200"]["content"]) == answer_fields
    # and every refusal it may answer, with the error body and each code named
    for status, codes in refusals.items():
        answer = operation["responses"][str(status)]
        assert _fields(document, answer["content"]) >= {"error"}
        assert [c for c in codes if f"`{c}`" not in answer["description"]] == []


def test_the_changes_carry_the_protocols_fields(document) -> None:
    # the change format of both directions: seq, model, uuid, version, op, at, data
    operation = document["paths"]["/api/v1/federation/reference"]["get"]
    answer = _resolve(
        document, operation["responses"]["200"]["content"]["application/json"]["schema"]
    )
    assert set(_resolve(document, answer["properties"]["changes"])["properties"]) == CHANGE_FIELDS


def test_every_refusal_code_documented_exists() -> None:
    # every code the document names is one the hub can answer (or DRF's own sign-in refusal)
    named = {
        c for *_rest, refusals in ENDPOINTS.values() for codes in refusals.values() for c in codes
    }
    assert named - set(MESSAGES) == {"not_authenticated"}


def test_the_signed_endpoints_name_their_signature_headers(document) -> None:
    for path in ("/api/v1/federation/changes", "/api/v1/federation/heartbeat",
                 "/api/v1/federation/reference"):  # fmt: skip
        method = ENDPOINTS[path][0]
        headers = {
            p["name"] for p in document["paths"][path][method]["parameters"] if p["in"] == "header"
        }
        assert headers == {"X-OL-Node", "X-OL-Timestamp", "X-OL-Signature"}


def test_the_node_table_refuses_an_anonymous_caller_as_documented(client) -> None:
    # when nobody signed in asks for the node table
    response = client.get("/api/v1/federation/nodes")
    # then the answer is the documented 401 with its code
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")
