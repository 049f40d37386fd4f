"""Use cases of accounts: people, regions, departments, tokens and login throttling."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oreledger.accounts.errors import LoginThrottled, TokenExpiryInvalid
from oreledger.accounts.models import (
    ApiToken,
    Department,
    DepartmentKind,
    LoginFailure,
    Region,
    User,
)
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange


def upsert_region(
    *,
    actor: Any,
    code: str,
    name_zh: str,
    name_en: str,
    level: str,
    parent: Region | None,
    lat: Any = None,
    lon: Any = None,
) -> tuple[Region, bool]:
    """Create a region or bring it up to date; returns (region, changed)."""
    with transaction.atomic():
        region = Region.objects.filter(code=code).first()
        before = snapshot(region) if region else None
        if region is None:
            region = Region(code=code)
        region.name_zh, region.name_en, region.level, region.parent = (
            name_zh,
            name_en,
            level,
            parent,
        )
        if lat is not None:
            region.lat, region.lon = lat, lon
        region.full_clean(validate_unique=False, validate_constraints=False)
        if before is not None and snapshot(region) == before:
            return region, False
        if before is not None:
            region.bump_version()
        region.save()
        record_change(
            actor=actor,
            obj=region,
            action=ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE,
            before=before,
        )
        return region, True


def department_for(*, kind_code: str, region: Region) -> Department:
    """The department of `kind_code` in `region`, created on first use."""
    kind = DepartmentKind.objects.get(code=kind_code)
    department, created = Department.objects.get_or_create(kind=kind, region=region)
    if created:
        # A federated record: made on first use, it reaches the audit and the outbox (a
        # county's permits refer to it on the hub) like any record a service creates.
        record_change(actor=None, obj=department, action=ObjectChange.Action.CREATE)
    return department


def issue_api_token(
    *,
    actor: Any,
    user: User,
    name: str = "api",
    scope: str = ApiToken.Scope.READ_WRITE,
    days: int = 90,
) -> str:
    """Create a token for `user` and return its key — the only time the key is ever shown."""
    if not 1 <= days <= settings.OL_API_TOKEN_MAX_DAYS:
        raise TokenExpiryInvalid(maximum=settings.OL_API_TOKEN_MAX_DAYS)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[:8],
            key_hash=ApiToken.hash_key(key),
            scope=ApiToken.Scope(scope),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        record_change(actor=actor, obj=token, action=ObjectChange.Action.CREATE)
    return key


def revoke_api_token(*, actor: Any, token: ApiToken) -> None:
    """Stop a token from working, keeping the record."""
    with transaction.atomic():
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        record_change(actor=actor, obj=token, action=ObjectChange.Action.UPDATE, before=before)


def token_for_key(key: str) -> ApiToken | None:
    """The live token (not revoked, not expired, of an active user) with this key, noting its
    use."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # One write per minute at most: the hot path of ERP integrations should not write per call.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_for_token(key: str) -> User | None:
    """The active user a live token belongs to, noting its use."""
    token = token_for_key(key)
    return token.user if token is not None else None


def claim_login_attempt(*, username: str, address: str | None) -> LoginFailure:
    """Count a login attempt before its password is checked; refuse it past the limit.

    The attempt is stored as a failure first and the recent ones counted after: of any number
    of attempts sent at once, at most the limit see a count within it (each sees its own row
    and every row committed before it), so parallel guesses cannot all reach the password.
    A successful attempt clears the failures (`clear_login_failures`).
    """
    attempt = LoginFailure.objects.create(username=username.lower()[:150], address=address)
    since = timezone.now() - datetime.timedelta(seconds=settings.OL_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    by_name = recent.filter(username=attempt.username).count()
    by_address = recent.filter(address=address).count() if address else 0
    # An address may fail for several usernames (a shared office), so it gets more room.
    if by_name > settings.OL_LOGIN_MAX_FAILURES or (
        by_address > settings.OL_LOGIN_MAX_FAILURES * 4
    ):
        # A refused attempt was never checked: it does not lengthen the lock.
        attempt.delete()
        raise LoginThrottled(minutes=max(1, settings.OL_LOGIN_WINDOW_SECONDS // 60))
    return attempt


def clear_login_failures(*, username: str) -> None:
    """A successful login forgives the username's earlier failures."""
    LoginFailure.objects.filter(Q(username=username.lower())).delete()


def prune_login_failures(now: datetime.datetime) -> int:
    """Forget failed logins older than the throttle window (housekeeping); how many went."""
    window = datetime.timedelta(seconds=settings.OL_LOGIN_WINDOW_SECONDS)
    deleted, _ = LoginFailure.objects.filter(at__lt=now - window).delete()
    return deleted


def save_user(*, actor: Any, user: User, password: str | None = None, reason: str = "") -> User:
    """Create or change a person's account, with its audit record."""
    with transaction.atomic():
        before = None
        if user.pk:
            before = snapshot(User.objects.get(pk=user.pk))
        user.full_clean(exclude=["password"])
        if password is not None:
            # The province's policy (accounts.passwords) applies to every password set.
            validate_password(password, user)
            user.set_password(password)
        user.save()
        record_change(
            actor=actor,
            obj=user,
            action=ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE,
            before=before,
            reason=reason,
        )
    return user
