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


_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
# Every operation may be refused with the error body; these say when.
_REFUSALS = {
    "401": (
        "not_authenticated or authentication_failed: no token, or an unknown, revoked or "
        "expired one."
    ),
    "403": (
        "permission_denied: the caller may not do this here; token_read_only: a read-only "
        "token was used to change something."
    ),
}
_MISSING = "not_found: no such record, or none the caller may see."
_INVALID = "invalid (fields that cannot be read or break a rule) or a domain refusal's code."
_CONFLICT = "A domain refusal: the record's state does not allow this now (its code says why)."
_EXPORTS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def document_refusals(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every operation documents the refusals it can answer with the error body (401, 403;
    404 with a path parameter; 400 and 409 for a write), and the files it exports."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            refusals = dict(_REFUSALS)
            names = {p.get("name") for p in operation.get("parameters", ())}
            if "{" in path:
                refusals["404"] = _MISSING
            if "page" in names:
                refusals["404"] = "not_found: no such page of the list."
            elif names & {"region", "site"}:
                refusals["404"] = "not_found: a region or site the caller may not see."
            if method in ("post", "put", "patch", "delete"):
                refusals["404"] = _MISSING + " (or a record the request names)"
                refusals["400"] = _INVALID
                refusals["409"] = _CONFLICT
            if "requestBody" in operation:
                refusals["415"] = "unsupported_media_type: a body the endpoint cannot parse."
            for status, description in refusals.items():
                responses.setdefault(
                    status, {"description": description, "content": _ERROR_CONTENT}
                )
            _document_exports(operation)
    return result


def _document_exports(operation: dict[str, Any]) -> None:
    """`?export=csv|xlsx` answers the file instead of JSON."""
    export = next((p for p in operation.get("parameters", ()) if p.get("name") == "export"), None)
    ok = operation["responses"].get("200")
    if export is None or ok is None:
        return
    for fmt in export.get("schema", {}).get("enum", ()):
        if fmt in _EXPORTS:
            ok.setdefault("content", {})[_EXPORTS[fmt]] = {
                "schema": {"type": "string", "format": "binary"}
            }
