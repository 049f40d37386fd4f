"""The API's rate limit per token (docs/specs/api-essentials.md, "Rate limits")."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from oreledger.accounts.models import ApiToken
from oreledger.core.ratelimits import admit


class TokenRateLimit(BaseThrottle):
    """Counts each request made with an API token; a session's requests are people clicking."""

    def allow_request(self, request: Request, view: Any) -> bool:
        """Admit or raise RateLimited (the error handler answers 429 with Retry-After)."""
        # DRF checks throttles after authentication: a header that reaches here is a valid
        # token's, so its hash names the token without another query.
        header = authentication.get_authorization_header(request).split()
        if len(header) == 2 and header[0].lower() == b"token" and request.user.is_authenticated:
            admit(("token", ApiToken.hash_key(header[1].decode())))
        return True
