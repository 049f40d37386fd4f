"""Every API error as `{"error": {"code", "message", "fields"}}` (docs/specs/api-essentials.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from oreledger.core.errors import DomainError


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            key: [str(m) for m in (v if isinstance(v, list) else [v])] for key, v in detail.items()
        }
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Translate domain, Django and DRF errors into the platform's error body."""
    if isinstance(exc, DomainError):
        answer = Response(exc.as_payload(), status=exc.status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            answer["Retry-After"] = str(retry_after)
        return answer
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        code = (
            next((e.code for e in exc.error_list if e.code), "invalid") if not fields else "invalid"
        )
        message = "; ".join(exc.messages)
        body: dict[str, Any] = {"code": code or "invalid", "message": message}
        if fields:
            body["fields"] = fields
        return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", _("The request has invalid fields.")
        fields = _fields(exc.detail)
        if isinstance(exc.detail, list):
            message = "; ".join(str(d) for d in exc.detail)
    else:
        detail = getattr(exc, "detail", "")
        code = str(getattr(detail, "code", None) or getattr(exc, "default_code", "error"))
        message = str(detail)
        fields = {}
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response.data = {"error": body}
    return response
