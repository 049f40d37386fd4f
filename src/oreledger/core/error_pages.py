"""The error pages: 400, 403, 404, 500 and a refused form (CSRF), in the person's language.

Under /api/ the same refusals answer with the error body of docs/specs/api-essentials.md.
Nothing about the failure itself (exception, variables, URL patterns) ever reaches the page:
it goes to the server log.
"""

from __future__ import annotations

import logging

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

API_PREFIX = "/api/"


class RefusalWithoutTraceback(logging.Filter):
    """A refusal (4xx) is logged as one line; only a server error keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a PermissionDenied with the exception attached: a traceback per 403
        # buried the real errors in the log and told nothing the status line did not.
        status = getattr(record, "status_code", 500)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


BAD_REQUEST = _("The request could not be understood. Check the address, or go back and try again.")
NOT_ALLOWED = _("You are not allowed to open this page or take this action.")
NOT_FOUND = _("There is no such page or record in your jurisdiction.")
NO_SUCH_PAGE = _("There is no such page.")
SERVER_ERROR = _(
    "Something went wrong on our side and the error was written to the server log. "
    "Please try again in a moment; if it happens again, tell your administrator."
)
FORM_EXPIRED = _(
    "The form could not be accepted: the page was open for too long, or the browser blocks "
    "cookies. Go back, reload the page and send the form again."
)


def _back_url(request: HttpRequest) -> str | None:
    """The page the person came from, when it is one of ours and not this one."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the very reason for a 400
        return None
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return None
    return None if referer.endswith(request.get_full_path()) else referer


def _api_error(code: str, message: Promise | str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": str(message)}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _page(
    request: HttpRequest, status: int, title: Promise, message: Promise, code: str
) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(code, message, status)
    return render(
        request,
        "core/error.html",
        {"code": status, "title": title, "message": message, "back_url": _back_url(request)},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request the platform cannot understand (a bad host, a malformed form)."""
    return _page(request, 400, _("Bad request"), BAD_REQUEST, "bad_request")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Visible, but not the person's to open or do."""
    return _page(request, 403, _("Not allowed"), NOT_ALLOWED, "permission_denied")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Not found — also what a record outside one's jurisdiction looks like."""
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    message = NOT_FOUND if signed_in or request.path.startswith(API_PREFIX) else NO_SUCH_PAGE
    return _page(request, 404, _("Not found"), message, "not_found")


def form_expired(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: usually an old tab or blocked cookies."""
    return _page(request, 403, _("The form has expired"), FORM_EXPIRED, "csrf_failed")


def server_error(request: HttpRequest) -> HttpResponse:
    """A bug. Rendered without the database or the menu, which may be what failed."""
    if request.path.startswith(API_PREFIX):
        return _api_error("server_error", SERVER_ERROR, 500)
    body = loader.get_template("core/error_500.html").render(
        {"title": _("Server error"), "message": SERVER_ERROR}
    )
    return HttpResponse(body, status=500)
