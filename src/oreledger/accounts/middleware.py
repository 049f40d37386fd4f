"""The second factor as a gate: after the password, a person who still owes a code (or an
enrolment) reaches only the pages that take it (docs/reference/sign-in.md)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from oreledger.accounts.signin import (
    OWES_CODE,
    SECOND_FACTOR_DUE,
    SEEN_AT,
    SEEN_EVERY_SECONDS,
    note_session_seen,
)


class SecondFactorMiddleware:
    """Holds a half-signed-in session at the second-factor step; notes when sessions are used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SECOND_FACTOR_DUE):
            if request.user.is_authenticated and not self._open(request.path_info):
                return self._hold(request, session[SECOND_FACTOR_DUE])
        elif session is not None and session.session_key and request.user.is_authenticated:
            now = int(time.time())
            seen = session.get(SEEN_AT)
            if seen is None or now - int(seen) >= SEEN_EVERY_SECONDS:
                session[SEEN_AT] = now
                note_session_seen(session_key=session.session_key, now=timezone.now())
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        """Pages a half-signed-in person may use: the second step, enrolment, log-out, language."""
        allowed = (
            reverse("accounts:second_factor"),
            reverse("accounts:enrol"),
            reverse("accounts:recovery_codes"),
            reverse("accounts:logout"),
            reverse("set_language"),
        )
        return path in allowed or path.startswith(str(settings.STATIC_URL))

    @staticmethod
    def _hold(request: HttpRequest, due: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": "second_factor_required",
                        "message": _("Finish signing in with your authenticator code first."),
                    }
                },
                status=403,
            )
        target = reverse("accounts:second_factor" if due == OWES_CODE else "accounts:enrol")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
