"""The province's password policy as a Django password validator: length, common and breached
passwords (Django's bundled list of 20,000), and none of the person's last N passwords."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oreledger.accounts.models import PasswordHistory, PasswordPolicy
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange


def current_policy() -> PasswordPolicy:
    """The province's policy (its defaults until the province office first saves it)."""
    return PasswordPolicy.objects.order_by("pk").first() or PasswordPolicy()


def save_policy(*, actor: Any, policy: PasswordPolicy) -> PasswordPolicy:
    """Change the province's password policy, with its audit record."""
    with transaction.atomic():
        stored = PasswordPolicy.objects.select_for_update().order_by("pk").first()
        before = snapshot(stored) if stored else None
        if stored is not None:
            policy.pk, policy.created_at = stored.pk, stored.created_at
        policy.full_clean()
        policy.save()
        record_change(
            actor=actor,
            obj=policy,
            action=ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE,
            before=before,
        )
    return policy


class ProvincePasswordPolicy:
    """Refuses a password too short, common or breached, or used recently by the same person."""

    def validate(self, password: str, user: Any = None) -> None:
        policy = current_policy()
        errors: list[ValidationError] = []
        if len(password) < policy.min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "The password must have at least %(min_length)d character.",
                        "The password must have at least %(min_length)d characters.",
                        policy.min_length,
                    ),
                    code="password_too_short",
                    params={"min_length": policy.min_length},
                )
            )
        if policy.refuse_common:
            try:
                CommonPasswordValidator().validate(password)
            except ValidationError:
                errors.append(
                    ValidationError(
                        _("This password is on the list of common or breached passwords."),
                        code="password_breached",
                    )
                )
        if user is not None and user.pk and policy.history_depth:
            earlier = [user.password] if user.password else []
            earlier += list(
                PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
                    : policy.history_depth
                ]
            )
            if any(check_password(password, stored) for stored in earlier[: policy.history_depth]):
                errors.append(
                    ValidationError(
                        ngettext(
                            "This password was used in the last %(depth)d change; choose another.",
                            "This password was used in the last %(depth)d changes; choose another.",
                            policy.history_depth,
                        ),
                        code="password_reused",
                        params={"depth": policy.history_depth},
                    )
                )
        if errors:
            raise ValidationError(errors)

    def password_changed(self, password: str, user: Any = None) -> None:
        """Remember the new password's hash (the person's row already holds it)."""
        if user is None or not user.pk or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[:24]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        policy = current_policy()
        return _(
            "At least %(min_length)d characters, not a common or breached password, and none "
            "of your last %(depth)d passwords."
        ) % {"min_length": policy.min_length, "depth": policy.history_depth}
