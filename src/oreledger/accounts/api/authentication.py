"""`Authorization: Token <key>` for people and systems (docs/specs/api-essentials.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from oreledger.accounts.models import ApiToken
from oreledger.accounts.services import token_for_key


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A token carries exactly its user's role and jurisdiction."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The token header is malformed."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token header is malformed.")) from None
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, revoked or expired."))
        if token.scope == ApiToken.Scope.READ and request.method not in permissions.SAFE_METHODS:
            raise exceptions.PermissionDenied(
                _("This token may only read; ask for a read-write token to make changes."),
                code="token_read_only",
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes token authentication."""

    target_class = "oreledger.accounts.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                'Token-based authentication: "Token <key>". A token has an expiry (401 '
                "`authentication_failed` after it) and a scope: a read-only token is refused every "
                "POST, PUT, PATCH and DELETE with 403 `token_read_only`."
            ),
        }
