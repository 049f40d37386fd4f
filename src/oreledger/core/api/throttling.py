"""The API's rate limit per token (docs/specs/api-essentials.md, "Rate limits")."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from oreledger.core.ratelimits import admit


class TokenRateLimit(BaseThrottle):
    """Counts each request made with an API token; a session's requests are people clicking."""

    def allow_request(self, request: Request, view: Any) -> bool:
        """Admit or raise RateLimited (the error handler answers 429 with Retry-After)."""
        # DRF checks throttles after authentication: a token's request carries the token as
        # `request.auth` (a session's carries None), and its stored hash names it without
        # another query. Core names no app's model, so the hash is read, not imported.
        key_hash = getattr(request.auth, "key_hash", None)
        if key_hash and request.user.is_authenticated:
            admit(("token", key_hash))
        return True
