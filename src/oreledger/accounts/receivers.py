"""Every sign-in and log-out, whatever door it came through (login page, admin, tests'
force_login), starts or ends a session record and sets what the session still owes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from oreledger.accounts.signin import note_session_end, note_session_start


@receiver(user_logged_in, dispatch_uid="accounts-session-start")
def session_started(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A new session: recorded, with the second factor it owes."""
    session = getattr(request, "session", None)
    if session is None:
        return
    note_session_start(
        user=user,
        session=session,
        address=request.META.get("REMOTE_ADDR"),
        agent=request.META.get("HTTP_USER_AGENT", ""),
    )


@receiver(user_logged_out, dispatch_uid="accounts-session-end")
def session_ended(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A log-out ends the session's record."""
    session = getattr(request, "session", None)
    note_session_end(session_key=session.session_key if session is not None else None)
