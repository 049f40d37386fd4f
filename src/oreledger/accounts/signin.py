"""Use cases of signing in: the second factor (TOTP, recovery codes), the sign-in audit and
the sessions a person or the province can end (docs/reference/sign-in.md)."""

from __future__ import annotations

import datetime
import hmac
import secrets
from importlib import import_module
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from oreledger.accounts.choices import Role
from oreledger.accounts.errors import AlreadyEnrolled, LoginThrottled, SecondFactorRefused
from oreledger.accounts.models import (
    RecoveryCode,
    SecondFactor,
    SignedInSession,
    SignInEvent,
    User,
)
from oreledger.accounts.services import claim_login_attempt, clear_login_failures
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.sealing import seal, unseal

_SECRET_PURPOSE = b"accounts:totp-secret"
ISSUER = "oreledger"
RECOVERY_CODE_COUNT = 10
# One step either side of now: a phone clock 30 s off still works, a code is good ≤ 90 s.
_DRIFT_STEPS = 1

# The session remembers what the person still owes after the password: "code" or "enrol".
SECOND_FACTOR_DUE = "ol_second_factor_due"
OWES_CODE, OWES_ENROLMENT = "code", "enrol"
# The session's "last seen" is written at most this often (one UPDATE per session per period).
SEEN_AT, SEEN_EVERY_SECONDS = "ol_seen_at", 300

Outcome, Factor = SignInEvent.Outcome, SignInEvent.Factor


def is_province(user: Any) -> bool:
    """The province office (and administrators) keep the sign-in audit and the policy."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.PROVINCE_OFFICE))


def reads_sign_in_audit(user: Any) -> bool:
    """The province reads every sign-in; a county operator those of the people they manage."""
    return is_province(user) or bool(user.is_authenticated and user.role == Role.COUNTY_OPERATOR)


def second_factor_required(user: Any) -> bool:
    """Whether the person's role obliges them to use an authenticator (officials, admins)."""
    if not settings.OL_REQUIRE_SECOND_FACTOR:
        return False
    return bool(
        user.is_superuser
        or user.is_staff
        or user.role in (Role.ADMIN, Role.PROVINCE_OFFICE, Role.COUNTY_OPERATOR)
        or user.is_government
    )


def second_factor_due(user: Any) -> str | None:
    """What a person who has just given the right password still owes: a code, an enrolment,
    or nothing."""
    if SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return OWES_CODE
    return OWES_ENROLMENT if second_factor_required(user) else None


def record_sign_in(
    *,
    username: str,
    user: Any,
    outcome: str,
    factor: str,
    address: str | None,
    user_agent: str = "",
) -> SignInEvent:
    """Write one step of a sign-in to the audit (successes and failures alike)."""
    return SignInEvent.objects.create(
        user=user if user is not None and user.pk else None,
        username=username[:150],
        address=address,
        user_agent=user_agent[:300],
        outcome=outcome,
        factor=factor,
    )


def _totp(device: SecondFactor) -> pyotp.TOTP:
    return pyotp.TOTP(unseal(device.sealed_secret, _SECRET_PURPOSE))


def start_enrolment(*, user: User) -> SecondFactor:
    """The person's unconfirmed authenticator, with a fresh secret if none is waiting."""
    with transaction.atomic():
        device = SecondFactor.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise AlreadyEnrolled()
        if device is None:
            device = SecondFactor.objects.create(
                user=user, sealed_secret=seal(pyotp.random_base32(), _SECRET_PURPOSE)
            )
        return device


def enrolment_secret(device: SecondFactor) -> str:
    """The secret of an authenticator being set up (never of a confirmed one)."""
    if device.confirmed_at is not None:
        raise AlreadyEnrolled()
    return unseal(device.sealed_secret, _SECRET_PURPOSE)


def enrolment_uri(device: SecondFactor) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(enrolment_secret(device)).provisioning_uri(
        name=device.user.username, issuer_name=ISSUER
    )


def enrolment_qr_svg(device: SecondFactor) -> str:
    """The QR code of the enrolment address, as an SVG data URI (the CSP allows data: images)."""
    return str(segno.make(enrolment_uri(device), error="m").svg_data_uri(scale=5, border=2))


def _accept_totp(device: SecondFactor, code: str, now: datetime.datetime) -> bool:
    """Whether `code` is the authenticator's code of a step near now not used before; the step
    is remembered so the same code cannot be replayed."""
    if not (len(code) == 6 and code.isdigit()):
        return False
    totp = _totp(device)
    current = totp.timecode(now)
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if step > device.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            device.last_step = step
            device.save(update_fields=["last_step", "updated_at"])
            return True
    return False


def _issue_recovery_codes(user: User) -> list[str]:
    """Ten new one-time codes in place of any earlier ones; returned once, stored hashed."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "-".join(secrets.token_hex(5)[i : i + 5] for i in (0, 5))
        for _n in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=RecoveryCode.hash_code(code)) for code in codes
    )
    return codes


def confirm_enrolment(
    *, user: User, code: str, address: str | None, user_agent: str = ""
) -> list[str]:
    """Confirm the authenticator with its first code; returns the recovery codes (shown once)."""
    with transaction.atomic():
        device = SecondFactor.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            raise AlreadyEnrolled()
        if not _accept_totp(device, code.strip(), timezone.now()):
            raise SecondFactorRefused()
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at", "updated_at"])
        codes = _issue_recovery_codes(user)
        record_change(actor=user, obj=device, action=ObjectChange.Action.CREATE)
        record_sign_in(
            username=user.username,
            user=user,
            outcome=Outcome.SUCCEEDED,
            factor=Factor.TOTP,
            address=address,
            user_agent=user_agent,
        )
    clear_login_failures(username=user.username)
    return codes


def verify_second_factor(
    *, user: User, code: str, address: str | None, user_agent: str = ""
) -> str:
    """Check the sign-in's second step (authenticator or recovery code); returns the factor.

    Throttled like the password: each try is counted for the username first, and past the
    limit the person is locked out for the window (LoginThrottled), code right or wrong.
    """
    trace: dict[str, Any] = {
        "username": user.username,
        "user": user,
        "address": address,
        "user_agent": user_agent,
    }
    code = code.strip()
    factor = Factor.TOTP if len(code) == 6 and code.isdigit() else Factor.RECOVERY_CODE
    try:
        claim_login_attempt(username=user.username, address=address)
    except LoginThrottled:
        record_sign_in(outcome=Outcome.LOCKED_OUT, factor=factor, **trace)
        raise
    with transaction.atomic():
        accepted = False
        if factor == Factor.TOTP:
            device = SecondFactor.objects.select_for_update().filter(
                user=user, confirmed_at__isnull=False
            )
            found = device.first()
            accepted = found is not None and _accept_totp(found, code, timezone.now())
        else:
            # A recovery code is spent by the update that finds it unused: never twice.
            accepted = bool(
                RecoveryCode.objects.filter(
                    user=user, code_hash=RecoveryCode.hash_code(code), used_at__isnull=True
                ).update(used_at=timezone.now())
            )
        record_sign_in(
            outcome=Outcome.SUCCEEDED if accepted else Outcome.FAILED, factor=factor, **trace
        )
    if not accepted:
        raise SecondFactorRefused()
    clear_login_failures(username=user.username)
    return factor


def recovery_codes_left(user: Any) -> int:
    """How many of the person's recovery codes are still unused."""
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def renew_recovery_codes(*, user: User) -> list[str]:
    """Replace the person's recovery codes (after signing in with the authenticator)."""
    with transaction.atomic():
        if not SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists():
            raise SecondFactorRefused()
        return _issue_recovery_codes(user)


def reset_second_factor(*, actor: Any, user: User, reason: str = "") -> None:
    """Remove a person's authenticator and recovery codes (a lost phone), ending their
    sessions: an official enrols again at the next sign-in."""
    with transaction.atomic():
        device = SecondFactor.objects.filter(user=user).first()
        if device is not None:
            record_change(actor=actor, obj=device, action=ObjectChange.Action.DELETE, reason=reason)
            device.delete()
        RecoveryCode.objects.filter(user=user).delete()
        end_sessions(actor=actor, user=user)


def note_session_start(*, user: Any, session: SessionBase, address: str | None, agent: str) -> None:
    """Remember a new signed-in session and what the person still owes after the password."""
    session[SEEN_AT] = int(timezone.now().timestamp())
    due = second_factor_due(user)
    if due:
        session[SECOND_FACTOR_DUE] = due
    else:
        session.pop(SECOND_FACTOR_DUE, None)
    if session.session_key is None:
        session.save()
    SignedInSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "address": address,
            "user_agent": agent[:300],
            "started_at": timezone.now(),
            "last_seen_at": timezone.now(),
            "ended_at": None,
        },
    )


def second_factor_passed(*, session: SessionBase) -> None:
    """The session owes nothing more: a new key (no fixation), the record follows it."""
    old_key = session.session_key
    session.pop(SECOND_FACTOR_DUE, None)
    session.cycle_key()
    SignedInSession.objects.filter(session_key=old_key).update(session_key=session.session_key)


def note_session_seen(*, session_key: str, now: datetime.datetime) -> None:
    """The session was used now (called at most every few minutes per session)."""
    SignedInSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        last_seen_at=now
    )


def note_session_end(*, session_key: str | None) -> None:
    """The session was logged out."""
    if session_key:
        SignedInSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


def live_sessions(user: Any) -> Any:
    """The person's sessions that have not ended, most recently used first."""
    return SignedInSession.objects.filter(user=user, ended_at__isnull=True).order_by(
        "-last_seen_at", "-pk"
    )


def end_sessions(
    *, actor: Any, user: User, only: SignedInSession | None = None, keep: str | None = None
) -> int:
    """End one of the person's sessions, or all of them except `keep`; how many ended.

    The session is deleted from the session store, so its cookie no longer signs anyone in.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        sessions = live_sessions(user)
        if only is not None:
            sessions = sessions.filter(pk=only.pk)
        if keep:
            sessions = sessions.exclude(session_key=keep)
        ended = list(sessions.select_for_update())
        for record in ended:
            store(session_key=record.session_key).delete()
            before = snapshot(record)
            record.ended_at = timezone.now()
            record.save(update_fields=["ended_at"])
            record_change(actor=actor, obj=record, action=ObjectChange.Action.UPDATE, before=before)
    return len(ended)


# Checked in this order: Edge and Chrome also say "Safari", Edge also says "Chrome".
_BROWSERS = (("Edg", "Edge"), ("Firefox", "Firefox"), ("Chrom", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("Linux", "Linux"),
)


def browser_of(user_agent: str) -> str:
    """The browser and system a sign-in came from ("Chrome · Linux"), as a person names them;
    the full identification stays on the record for the audit."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    named = " · ".join(part for part in (browser, system) if part)
    return named or ("?" if user_agent else "—")
