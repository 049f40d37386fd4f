"""What every trade page shares: HTMX requests, refusals about who asks, the unread count."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from oreledger.core.errors import DomainError
from oreledger.trade import services


def is_htmx(request: HttpRequest) -> bool:
    """Whether the page asks for a fragment (HTMX)."""
    return bool(getattr(request, "htmx", False))


def reraise(error: DomainError) -> None:
    """A refusal that is about who asks (not what was asked) becomes a 404 or 403 page."""
    if error.status == 404:
        raise Http404
    if error.status == 403:
        raise PermissionDenied


def with_unread(request: HttpRequest, **context: Any) -> dict[str, Any]:
    """A page's context with the person's unread notifications counted."""
    context.setdefault("unread", services.unread_count(request.user))
    return context
