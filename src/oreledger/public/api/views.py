"""The portal's read-only JSON API: the published tables, field for field."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from oreledger.core.api.filtering import reject_unknown_parameters
from oreledger.core.ratelimits import RateLimited, admit_address
from oreledger.public.errors import UnknownTable
from oreledger.public.queries import TABLES
from oreledger.public.views import published_rows


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _refused(refusal: RateLimited) -> Response:
    response = Response(refusal.as_payload(), status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@extend_schema(
    operation_id="v1_public_tables",
    summary="The published tables",
    description="Each table the public portal publishes: its key, title and fields.",
    responses={200: OpenApiTypes.OBJECT, 429: OpenApiResponse(description="Rate limited")},
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def tables(request: Request) -> Response:
    """The published tables and their fields."""
    reject_unknown_parameters(request, [])
    try:
        admit_address("anonymous", request)
    except RateLimited as refusal:
        return _refused(refusal)
    return Response(
        {
            "tables": [
                {
                    "key": table.key,
                    "title": str(table.title),
                    "fields": [
                        {"key": field.key, "label": str(field.label)} for field in table.fields
                    ],
                }
                for table in TABLES.values()
            ]
        }
    )


@extend_schema(
    operation_id="v1_public_table",
    summary="One published table",
    description=(
        "The rows of a published table (licences, prices, output, decisions), each holding "
        "exactly the published fields. A figure made up by fewer than three enterprises is "
        "null and the row's `suppressed` is true."
    ),
    responses={
        200: OpenApiTypes.OBJECT,
        404: OpenApiResponse(description="No such table"),
        429: OpenApiResponse(description="Rate limited; see Retry-After"),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def table(request: Request, key: str) -> Response:
    """One published table's rows."""
    if key not in TABLES:
        raise UnknownTable()
    reject_unknown_parameters(request, [])
    try:
        admit_address("anonymous", request)
    except RateLimited as refusal:
        return _refused(refusal)
    published = TABLES[key]
    rows = [{k: _json(v) for k, v in row.items()} for row in published_rows(published)]
    return Response(
        {
            "table": published.key,
            "fields": [field.key for field in published.fields],
            "count": len(rows),
            "rows": rows,
        }
    )
