"""The federation protocol's endpoints: batches, heartbeats and reference data signed by a
node's secret (no session, no CSRF), and the node table for province users."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings
from django.http import JsonResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oreledger.core.permissions import VIEW
from oreledger.federation.errors import FederationError
from oreledger.federation.models import Node
from oreledger.federation.queries import node_rows
from oreledger.federation.services import hub
from oreledger.weighing.signing import signing_bytes

MAX_SKEW_SECONDS = 300
SIGNED = [
    OpenApiParameter("X-OL-Node", str, OpenApiParameter.HEADER, required=True),
    OpenApiParameter("X-OL-Timestamp", int, OpenApiParameter.HEADER, required=True),
    OpenApiParameter(
        "X-OL-Signature",
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="hex HMAC-SHA256 of `<timestamp>\\n<METHOD>\\n<path>\\n<sha256(body)>`",
    ),
]
_ERROR = inline_serializer(
    "FederationError",
    {
        "error": inline_serializer(
            "FederationErrorBody",
            {"code": serializers.CharField(), "message": serializers.CharField()},
        ),
        "expected_seq": serializers.IntegerField(required=False),
    },
)
# The refusals each endpoint may answer, by status: named in the OpenAPI document so that
# another vendor's node knows every code it must handle (federation.errors has the sentences).
SIGNED_REFUSALS = {
    401: ("node_unknown", "bad_signature", "stale_timestamp"),
    404: ("not_hub",),
}
CHANGES_REFUSALS = {
    400: ("malformed",),
    **SIGNED_REFUSALS,
    409: ("seq_gap", "node_restored"),
    413: ("payload_too_large",),
    422: ("not_owner", "unknown_model", "unknown_reference"),
}
HEARTBEAT_REFUSALS = {400: ("malformed",), **SIGNED_REFUSALS, 409: ("node_restored",)}
REFERENCE_REFUSALS = {400: ("malformed",), **SIGNED_REFUSALS}


def _refusals(by_status: dict[int, tuple[str, ...]]) -> dict[int, OpenApiResponse]:
    """The documented error answers: the shared error body, its codes in the description."""
    return {
        status: OpenApiResponse(
            response=_ERROR, description="error.code: " + ", ".join(f"`{c}`" for c in codes)
        )
        for status, codes in sorted(by_status.items())
    }


_ACKED = inline_serializer("FederationAck", {"acked_seq": serializers.IntegerField()})
_CHANGE = inline_serializer(
    "FederationChange",
    {
        "seq": serializers.IntegerField(),
        "model": serializers.CharField(),
        "uuid": serializers.UUIDField(),
        "version": serializers.IntegerField(),
        "op": serializers.ChoiceField(["upsert", "delete"]),
        "at": serializers.DateTimeField(),
        "data": serializers.DictField(allow_null=True),
    },
    many=True,
)


def _error(error: FederationError) -> JsonResponse:
    payload = error.as_payload()
    if error.code == "seq_gap":
        payload["expected_seq"] = error.params["expected"]
    return JsonResponse(payload, status=error.status)


def authenticate_node(request: Any, body: bytes) -> Node:
    """The node that signed this request, or a 401 refusal; nothing is stored."""
    code = str(request.META.get("HTTP_X_OL_NODE", ""))[:12]
    node = Node.objects.filter(code=code).first() if code else None
    if node is None:
        raise FederationError("node_unknown", status=401)
    stamp = str(request.META.get("HTTP_X_OL_TIMESTAMP", ""))
    signature = str(request.META.get("HTTP_X_OL_SIGNATURE", "")).lower()
    message = signing_bytes(stamp, request.method, request.path, body)
    if not any(
        hmac.compare_digest(hmac.new(s.encode(), message, hashlib.sha256).hexdigest(), signature)
        for s in hub.node_secrets(node)
    ):
        raise FederationError("bad_signature", status=401)
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
        raise FederationError("stale_timestamp", status=401)
    return node


def _body(request: Any) -> bytes:
    """The raw body, at most the spec's 4 MiB batch (plus its envelope)."""
    limit = hub.MAX_BATCH_BYTES + 64 * 1024
    body: bytes = request.read(limit + 1)
    if len(body) > limit:
        raise FederationError("payload_too_large", status=413)
    return body


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FederationError("malformed", detail="JSON") from None


class SignedView(APIView):
    """Signed by a node secret; answered on Django's request as it came (no DRF parsing)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    parser_classes: list[Any] = []

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """The signed method is handled here; others get DRF's 405."""
        handler = getattr(self, f"signed_{request.method.lower()}", None)
        if handler is None:
            return super().dispatch(request, *args, **kwargs)
        try:
            body = _body(request)
            node = authenticate_node(request, body)
            return handler(request, node, body)
        except FederationError as error:
            return _error(error)


class ChangesView(SignedView):
    """POST /api/v1/federation/changes: a node's batch, applied whole or not at all."""

    @extend_schema(
        operation_id="federation_changes",
        parameters=SIGNED,
        # A media-type map: the view parses nothing itself (the signed body is read raw).
        request={
            "application/json": inline_serializer(
                "FederationBatch",
                {
                    "node": serializers.CharField(),
                    "from_seq": serializers.IntegerField(),
                    "changes": _CHANGE,
                },
            )
        },
        responses={200: _ACKED, **_refusals(CHANGES_REFUSALS)},
    )
    def post(self, request: Request) -> Response:
        """Documented here; answered by `signed_post`."""
        raise NotImplementedError

    def signed_post(self, request: Any, node: Node, body: bytes) -> JsonResponse:
        """Apply the batch; answer the acked seq."""
        return JsonResponse({"acked_seq": hub.receive_batch(node=node, body=_json(body))})


class HeartbeatView(SignedView):
    """POST /api/v1/federation/heartbeat: the node's last seq and time."""

    @extend_schema(
        operation_id="federation_heartbeat",
        parameters=SIGNED,
        request={
            "application/json": inline_serializer(
                "FederationHeartbeat",
                {
                    "node": serializers.CharField(),
                    "last_seq": serializers.IntegerField(),
                    "time": serializers.DateTimeField(),
                    "checkpoints": inline_serializer(
                        "FederationCheckpoint",
                        {
                            "checkpoint": serializers.JSONField(
                                help_text="the signed body of a daily chain-head checkpoint file: "
                                "version, node, taken_at, chains {chain: {key: [entries, hash]}}"
                            ),
                            "signature": serializers.CharField(),
                        },
                        many=True,
                        required=False,
                    ),
                },
            )
        },
        responses={
            200: inline_serializer(
                "FederationHeartbeatAck",
                {
                    "acked_seq": serializers.IntegerField(),
                    "checkpoint_day": serializers.DateField(allow_null=True),
                },
            ),
            **_refusals(HEARTBEAT_REFUSALS),
        },
    )
    def post(self, request: Request) -> Response:
        """Documented here; answered by `signed_post`."""
        raise NotImplementedError

    def signed_post(self, request: Any, node: Node, body: bytes) -> JsonResponse:
        """Record the heartbeat; answer the acked seq (409 node_restored if behind)."""
        return JsonResponse(hub.receive_heartbeat(node=node, body=_json(body)))


class ReferenceView(SignedView):
    """GET /api/v1/federation/reference?since=: province-owned changes after a hub seq."""

    @extend_schema(
        operation_id="federation_reference",
        parameters=[*SIGNED, OpenApiParameter("since", int, OpenApiParameter.QUERY)],
        responses={
            200: inline_serializer(
                "FederationReference",
                {
                    "hub": serializers.CharField(),
                    "changes": _CHANGE,
                    "last_seq": serializers.IntegerField(),
                },
            ),
            **_refusals(REFERENCE_REFUSALS),
        },
    )
    def get(self, request: Request) -> Response:
        """Documented here; answered by `signed_get`."""
        raise NotImplementedError

    def signed_get(self, request: Any, node: Node, body: bytes) -> JsonResponse:
        """The reference changes after `since`."""
        since = request.GET.get("since", "0")
        if not since.isdigit():
            raise FederationError("malformed", detail="since")
        changes, reached = hub.reference_changes(node=node, since=int(since))
        return JsonResponse({"hub": settings.OL_NODE_CODE, "changes": changes, "last_seq": reached})


_NODE = inline_serializer(
    "FederationNode",
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "last_contact": serializers.DateTimeField(allow_null=True),
        "node_last_seq": serializers.IntegerField(),
        "acked_seq": serializers.IntegerField(),
        "backlog": serializers.IntegerField(),
        "lag_seconds": serializers.IntegerField(allow_null=True),
        "refused_batches": serializers.IntegerField(),
        "last_error": serializers.CharField(),
        "restored": serializers.BooleanField(),
        "checkpoint_day": serializers.DateField(allow_null=True),
        "checkpoint_heads": serializers.IntegerField(),
    },
    many=True,
)


class NodesView(APIView):
    """GET /api/v1/federation/nodes: per node its contact, backlog, lag and refusals."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="federation_nodes",
        responses={200: _NODE, **_refusals({401: ("not_authenticated",)})},
    )
    def get(self, request: Request) -> Response:
        """The node table (province users; others see an empty table)."""
        return Response(node_rows(Node.objects.for_user(request.user, VIEW)))
