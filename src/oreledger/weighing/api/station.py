"""The station protocol's endpoints: signed by the station, not by a person (no CSRF)."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oreledger.core.ratelimits import RateLimited, admit, client_address
from oreledger.registry.models import Station
from oreledger.weighing.errors import ProtocolError, bilingual
from oreledger.weighing.models import Waybill
from oreledger.weighing.protocol import MAX_BATCH
from oreledger.weighing.reference import Snapshot, latest_snapshot, reference_snapshot
from oreledger.weighing.services.heartbeats import parse_heartbeat, record_heartbeat
from oreledger.weighing.services.tickets import record_batch
from oreledger.weighing.signing import authenticate_station, read_body

SIGNED = [
    OpenApiParameter("X-OL-Station", str, OpenApiParameter.HEADER, required=True),
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
    "StationError",
    {
        "error": inline_serializer(
            "StationErrorBody",
            {"code": serializers.CharField(), "message": serializers.CharField()},
        )
    },
)
_RESULTS = inline_serializer(
    "TicketResult",
    {
        "seq": serializers.IntegerField(allow_null=True),
        "status": serializers.ChoiceField(["accepted", "duplicate", "rejected"]),
        "ticket_id": serializers.UUIDField(allow_null=True),
        "release": serializers.BooleanField(),
        "reasons": inline_serializer(
            "TicketReason",
            {"code": serializers.CharField(), "message": serializers.CharField()},
            many=True,
        ),
    },
    many=True,
)


# The bytes DRF's JSONRenderer writes (compact, UTF-8 unescaped), without its rendering.
_COMPACT = {"ensure_ascii": False, "separators": (",", ":")}


def _json_answer(payload: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, safe=False, json_dumps_params=_COMPACT)


def _error(exc: ProtocolError) -> JsonResponse:
    answer = _json_answer(exc.as_payload(), status=exc.status)
    if exc.code == "rate_limited":
        answer["Retry-After"] = str(exc.params["seconds"])
    return answer


def _count(request: Any, station: Station | None) -> None:
    """Count the request against its address and, once its signature holds, its station.

    One statement counts both (core.ratelimits). A request whose signature fails counts
    against its address only: a stranger cannot spend a station's allowance.
    """
    clients = [("station_address", client_address(request))]
    if station is not None:
        clients.append(("station", str(station.pk)))
    try:
        admit(*clients)
    except RateLimited as exc:
        raise ProtocolError("rate_limited", 429, seconds=exc.retry_after) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # RFC 8259 has no NaN or Infinity


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError("malformed_json", 400) from None


def _first_look(request: Any, body: bytes) -> tuple[Station, Snapshot]:
    """The calling station as this process last knew it; looked at again before recording.

    Under single-ticket load the stations' requests share one read of the reference tokens
    per round (`tickets.record_round`) instead of one each. A refusal is never based on an
    out-of-date snapshot: it is checked under fresh tokens first.
    """
    latest = latest_snapshot()
    try:
        return authenticate_station(request, body, cache=latest), latest
    except ProtocolError:
        fresh = reference_snapshot()
        if fresh is latest:
            raise
        return authenticate_station(request, body, cache=fresh), fresh


class StationView(APIView):
    """Signed by a station secret; no session, no token, no CSRF."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    parser_classes: list[Any] = []


class TicketBatchView(StationView):
    """POST /api/v1/station/tickets: a batch of 1–500 tickets, one result each."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """A POST is answered on Django's request as it came, without DRF's dispatch.

        Every weighed truck comes here: the body is signed bytes (no parsing, no negotiation:
        the answer is always JSON) and nobody logs in, so DRF's request wrapping, content
        negotiation, authentication, permission and rendering steps only cost time (a
        measurable share of the web server's CPU per truck: bench/README.md). Other methods
        go through DRF (its 405 answer).
        """
        if request.method == "POST":
            return self.post(request)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        operation_id="station_tickets",
        parameters=SIGNED,
        request=OpenApiTypes.OBJECT,
        responses={
            200: inline_serializer(
                "TicketBatchResult",
                {"results": _RESULTS, "last_seq": serializers.IntegerField()},
            ),
            400: _ERROR,
            401: _ERROR,
            429: _ERROR,
            413: _ERROR,
        },
        tags=["station"],
    )
    def post(self, request: Any) -> JsonResponse:
        """Store each ticket (or its rejection) and answer release per ticket."""
        try:
            body = read_body(request)
            try:
                station, reference = _first_look(request, body)
            except ProtocolError:
                _count(request, None)
                raise
            _count(request, station)
            data = _json(body)
            if not isinstance(data, dict) or not isinstance(data.get("tickets"), list):
                raise ProtocolError("tickets_missing", 400)
            if not 1 <= len(data["tickets"]) <= MAX_BATCH:
                raise ProtocolError("batch_size", 400)
            batch = record_batch(
                station=station,
                items=data["tickets"],
                snapshot=reference,
                authenticate=lambda fresh: authenticate_station(request, body, cache=fresh),
            )
        except ProtocolError as exc:
            return _error(exc)
        return _json_answer(batch.as_json())


class HeartbeatView(StationView):
    """POST /api/v1/station/heartbeat: the station is alive; the platform's last_seq."""

    @extend_schema(
        operation_id="station_heartbeat",
        parameters=SIGNED,
        request=inline_serializer(
            "Heartbeat",
            {
                "last_seq": serializers.IntegerField(),
                "device_time": serializers.DateTimeField(),
                "status": serializers.CharField(),
            },
        ),
        responses={
            200: inline_serializer(
                "HeartbeatAnswer",
                {
                    "last_seq": serializers.IntegerField(),
                    "server_time": serializers.DateTimeField(),
                },
            ),
            400: _ERROR,
            401: _ERROR,
            429: _ERROR,
        },
        tags=["station"],
    )
    def post(self, request: Request) -> HttpResponse:
        """Record the heartbeat and the device's clock drift."""
        try:
            body = read_body(request)
            try:
                station = authenticate_station(request, body, cache=reference_snapshot())
            except ProtocolError:
                _count(request, None)
                raise
            _count(request, station)
            _last, device_time, status = parse_heartbeat(_json(body))
        except ProtocolError as exc:
            return _error(exc)
        last_seq = record_heartbeat(station=station, device_time=device_time, status=status)
        now = timezone.localtime()
        return Response({"last_seq": last_seq, "server_time": now.isoformat()})


class StationWaybillView(StationView):
    """GET /api/v1/station/waybills/{number}: check a waybill at the gate before weighing."""

    @extend_schema(
        operation_id="station_waybill",
        parameters=SIGNED,
        responses={
            200: inline_serializer(
                "StationWaybill",
                {
                    "number": serializers.CharField(),
                    "plate": serializers.CharField(),
                    "origin_site": serializers.CharField(),
                    "destination_site": serializers.CharField(),
                    "contract": serializers.CharField(),
                    "status": serializers.CharField(),
                    "planned_net_kg": serializers.IntegerField(),
                    "expires_at": serializers.DateTimeField(),
                },
            ),
            401: _ERROR,
            429: _ERROR,
            404: _ERROR,
        },
        tags=["station"],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        """The waybill, if it leaves from or goes to this station's site."""
        try:
            body = read_body(request)
            try:
                station = authenticate_station(request, body, cache=reference_snapshot())
            except ProtocolError:
                _count(request, None)
                raise
            _count(request, station)
        except ProtocolError as exc:
            return _error(exc)
        waybills = Waybill.objects.select_related("origin_site", "destination_site", "contract")
        if station.site_id is not None:
            waybills = waybills.filter(
                Q(origin_site_id=station.site_id) | Q(destination_site_id=station.site_id)
            )
        waybill = waybills.filter(number=number).first() if "\x00" not in number else None
        if waybill is None:
            return Response(
                {"error": {"code": "waybill_unknown", "message": bilingual("waybill_unknown")}},
                status=404,
            )
        return Response(
            {
                "number": waybill.number,
                "plate": waybill.plate,
                "origin_site": waybill.origin_site.code,
                "destination_site": waybill.destination_site.code,
                "contract": waybill.contract.number,
                "status": waybill.status,
                "planned_net_kg": waybill.planned_net_kg,
                "expires_at": timezone.localtime(waybill.expires_at).isoformat(),
            }
        )
