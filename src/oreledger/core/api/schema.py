"""OpenAPI document tweaks shared by every app."""

from __future__ import annotations

from typing import Any


def drop_trailing_slash_twins(endpoints: list[Any], **kwargs: Any) -> list[Any]:
    """Document `/x` once when a route also answers at `/x/` (api-essentials.md spells no slash)."""
    paths = {path for path, *_rest in endpoints}
    return [
        endpoint
        for endpoint in endpoints
        if not (endpoint[0].endswith("/") and endpoint[0].rstrip("/") in paths)
    ]
