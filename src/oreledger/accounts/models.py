"""Regions, departments, users and API tokens."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.choices import LEVEL_DEPTH, RegionLevel, Role
from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet


class Region(FederatedModel):
    """A node of the administrative tree, keyed by its GB/T 2260 code."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/210000/210300/210381/": everything below a region starts with its path.
    path = models.CharField(_("path"), max_length=120, unique=True, editable=False)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | (~models.Q(level="province") & models.Q(parent__isnull=False)),
                name="region_parent_matches_level",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Chinese when no English name is known)."""
        if (get_language() or "zh-hans").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def clean(self) -> None:
        """A code of digits; a parent one level up whose code prefixes this one's."""
        if not self.code.isdigit() or len(self.code) not in (6, 9, 12):
            raise ValidationError(
                {"code": _("A region code has 6 digits (GB/T 2260) or 9/12 for towns.")},
                code="region_code",
            )
        parent_depth = LEVEL_DEPTH[RegionLevel(self.parent.level)] if self.parent else -1
        if parent_depth >= LEVEL_DEPTH[RegionLevel(self.level)]:
            raise ValidationError(
                {"parent": _("The parent must be a higher level than the region.")},
                code="region_parent_level",
            )

    def compute_path(self) -> str:
        """The materialised path from the province down to this region."""
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.code}/"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = self.compute_path()
        super().save(*args, **kwargs)

    def contains(self, other: Region) -> bool:
        """Whether `other` is this region or below it."""
        return other.path.startswith(self.path)


class DepartmentKind(TimestampedModel):
    """A kind of government department (docs/reference/permits.md); configuration, not code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("department kind")
        verbose_name_plural = _("department kinds")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        if (get_language() or "zh-hans").startswith("en"):
            return self.name_en
        return self.name_zh


class Department(FederatedModel):
    """A department of one region's government, e.g. Haicheng's natural-resources bureau."""

    kind = models.ForeignKey(DepartmentKind, verbose_name=_("kind"), on_delete=models.PROTECT)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["region__path", "kind__ordering"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="department_one_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.region.name}{self.kind}"


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Django's user manager, plus `for_user` scoping."""


class User(AbstractUser):
    """A person using the platform, with one role inside one jurisdiction."""

    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LEADER)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        """The person's account file."""
        return reverse("accounts:user_detail", args=[self.username])

    def clean(self) -> None:
        """Government roles need a region; a department officer a department of it."""
        super().clean()
        errors: dict[str, Any] = {}
        if (
            self.role
            in (Role.PROVINCE_OFFICE, Role.COUNTY_OPERATOR, Role.DEPARTMENT_OFFICER, Role.LEADER)
            and self.region_id is None
        ):
            errors["region"] = ValidationError(_("This role needs a region."), code="required")
        if self.role == Role.DEPARTMENT_OFFICER and self.department_id is None:
            errors["department"] = ValidationError(
                _("A department officer needs a department."), code="required"
            )
        if self.role == Role.ENTERPRISE_USER and self.enterprise_id is None:
            errors["enterprise"] = ValidationError(
                _("An enterprise user needs an enterprise."), code="required"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_government(self) -> bool:
        """Province, county, department staff and leaders."""
        return self.role in (
            Role.PROVINCE_OFFICE,
            Role.COUNTY_OPERATOR,
            Role.DEPARTMENT_OFFICER,
            Role.LEADER,
        )


class ApiToken(TimestampedModel):
    """A secret that lets a system act as one user; only its SHA-256 is stored."""

    class Scope(models.TextChoices):
        """What a token may do: read only, or also change (unsafe HTTP methods)."""

        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, default="api")
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    scope = models.CharField(
        _("scope"), max_length=12, choices=Scope.choices, default=Scope.READ_WRITE
    )
    # Every token ends: a forgotten integration key stops working on its own.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"

    @staticmethod
    def hash_key(key: str) -> str:
        """The stored form of a token key."""
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        """Whether the token is past its expiry."""
        return self.expires_at is not None and self.expires_at <= timezone.now()


class LoginFailure(models.Model):
    """A failed login, counted per username and per address to throttle guessing."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self) -> str:
        return f"{self.username} @ {self.address}"


class SecondFactor(TimestampedModel):
    """A person's TOTP authenticator (RFC 6238): its secret sealed, its last accepted step."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="second_factor"
    )
    sealed_secret = models.CharField(_("sealed secret"), max_length=200, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # A code is accepted once: codes of this time-step or earlier are refused (no replay).
    last_step = models.BigIntegerField(_("last time-step used"), default=0)

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")

    def __str__(self) -> str:
        return f"{self.user} · TOTP"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} · {self.code_hash[:8]}"

    @staticmethod
    def hash_code(code: str) -> str:
        """The stored form of a recovery code (case, spaces and dashes do not matter)."""
        normal = "".join(ch for ch in code.lower() if ch.isalnum())
        return hashlib.sha256(normal.encode()).hexdigest()


class SignInEvent(models.Model):
    """One sign-in step: who (or which name was tried), when, from where, how it ended."""

    class Outcome(models.TextChoices):
        """How the step ended."""

        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        LOCKED_OUT = "locked_out", _("Locked out")

    class Factor(models.TextChoices):
        """What the person presented."""

        PASSWORD = "password", _("Password")
        TOTP = "totp", _("Authenticator code")
        RECOVERY_CODE = "recovery_code", _("Recovery code")

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sign_in_events",
    )
    username = models.CharField(_("username tried"), max_length=150, db_index=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    factor = models.CharField(_("factor"), max_length=14, choices=Factor.choices)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.outcome} {self.factor}"


class SignedInSession(models.Model):
    """A browser session of one person, kept so that its owner and the province can end it."""

    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.address or '—'}"


class PasswordPolicy(TimestampedModel):
    """The province's rules for passwords (a single row, edited by the province office)."""

    min_length = models.PositiveSmallIntegerField(_("minimum length"), default=10)
    refuse_common = models.BooleanField(_("refuse common and breached passwords"), default=True)
    history_depth = models.PositiveSmallIntegerField(_("refuse the last N passwords"), default=5)

    class Meta:
        verbose_name = _("password policy")
        verbose_name_plural = _("password policies")

    def __str__(self) -> str:
        return str(_("password policy"))

    def clean(self) -> None:
        """A length between 8 and 128; at most 24 remembered passwords."""
        errors: dict[str, Any] = {}
        if not 8 <= self.min_length <= 128:
            errors["min_length"] = ValidationError(
                _("The minimum length must be between 8 and 128."), code="policy_length"
            )
        if self.history_depth > 24:
            errors["history_depth"] = ValidationError(
                _("At most 24 earlier passwords are remembered."), code="policy_history"
            )
        if errors:
            raise ValidationError(errors)


class PasswordHistory(models.Model):
    """A password a person used before (its hash), so that it is not chosen again."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("password hash"), max_length=128, editable=False)
    at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.at:%Y-%m-%d}"
