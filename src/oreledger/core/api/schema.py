"""OpenAPI document tweaks shared by every app."""

from __future__ import annotations

from typing import Any


def drop_trailing_slash_twins(endpoints: list[Any], **kwargs: Any) -> list[Any]:
    """Document `/x` once when a route also answers at `/x/` (api-essentials spells no slash)."""
    paths = {path for path, *_rest in endpoints}
    return [
        endpoint
        for endpoint in endpoints
        if not (endpoint[0].endswith("/") and endpoint[0].rstrip("/") in paths)
    ]


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal (docs/specs/api-essentials.md): a stable code and a sentence.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "unknown_parameter"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}


def document_query_refusals(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every GET with query parameters answers 400 to an unknown one or a bad value."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        get = operations.get("get")
        if not get or not any(p.get("in") == "query" for p in get.get("parameters", ())):
            continue
        get.setdefault("responses", {}).setdefault(
            "400",
            {
                "description": (
                    "unknown_parameter (a query parameter this endpoint does not accept; "
                    "the message names the accepted ones), unknown_ordering, or invalid "
                    "(a filter value that cannot be read)."
                ),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
    return result
