"""Forms of accounts."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.choices import Role
from oreledger.accounts.errors import LoginThrottled
from oreledger.accounts.models import ApiToken, PasswordPolicy, SignInEvent, User
from oreledger.accounts.services import claim_login_attempt, clear_login_failures
from oreledger.accounts.signin import record_sign_in, second_factor_due


def client_address(request: Any) -> str | None:
    """The caller's address (the proxy sets REMOTE_ADDR correctly in production)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


def client_agent(request: Any) -> str:
    """The caller's browser, as it names itself (for the sign-in audit)."""
    return request.META.get("HTTP_USER_AGENT", "") if request is not None else ""


def _named(username: str) -> User | None:
    """The person a failed attempt named, if any (the audit shows whose account was tried)."""
    return User.objects.filter(username__iexact=username).first() if username else None


class ThrottledLoginForm(AuthenticationForm):
    """Username and password, refused for a while after repeated failures; every try audited."""

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        trace: dict[str, Any] = {
            "username": username,
            "address": client_address(self.request),
            "user_agent": client_agent(self.request),
            "factor": SignInEvent.Factor.PASSWORD,
        }
        try:
            # Counted as a failure until the password proves otherwise (see the service).
            claim_login_attempt(username=username, address=trace["address"])
        except LoginThrottled as refusal:
            record_sign_in(user=_named(username), outcome=SignInEvent.Outcome.LOCKED_OUT, **trace)
            raise forms.ValidationError(refusal.message, code=refusal.code) from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_sign_in(user=_named(username), outcome=SignInEvent.Outcome.FAILED, **trace)
            raise
        user = self.get_user()
        record_sign_in(user=user, outcome=SignInEvent.Outcome.SUCCEEDED, **trace)
        # A second step follows: the failures are forgiven only when it succeeds, so a known
        # password does not buy fresh guesses at the code.
        if second_factor_due(user) is None:
            clear_login_failures(username=username)
        return cleaned


class SecondFactorForm(forms.Form):
    """The sign-in's second step: the authenticator's six digits or a recovery code."""

    code = forms.CharField(
        label=_("Authenticator code or recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class EnrolmentForm(forms.Form):
    """The first code from a newly set-up authenticator."""

    code = forms.CharField(
        label=_("Six-digit code from the authenticator"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class TokenForm(forms.Form):
    """A new API token: its name, what it may do, how long it lives."""

    name = forms.CharField(label=_("Token name"), max_length=100, initial="api")
    # Left out, a token only reads and lives 90 days: the safe choice is the default.
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        required=False,
    )
    days = forms.IntegerField(label=_("Valid for (days)"), initial=90, required=False)


class PasswordPolicyForm(forms.ModelForm):
    """The province's password rules."""

    class Meta:
        model = PasswordPolicy
        fields = ["min_length", "refuse_common", "history_depth"]


class SignInEventFilter(django_filters.FilterSet):
    """Filters of the sign-in audit."""

    username = django_filters.CharFilter(
        field_name="username", lookup_expr="icontains", label=_("Username")
    )
    outcome = django_filters.ChoiceFilter(choices=SignInEvent.Outcome.choices, label=_("Outcome"))
    factor = django_filters.ChoiceFilter(choices=SignInEvent.Factor.choices, label=_("Factor"))
    address = django_filters.CharFilter(field_name="address", label=_("Address"))

    class Meta:
        model = SignInEvent
        fields = ["username", "outcome", "factor", "address"]


class ThrottledAdminLoginForm(ThrottledLoginForm, AdminAuthenticationForm):
    """The admin's sign-in, under the same throttle as everyone's."""


class UserFilter(django_filters.FilterSet):
    """Filters of the user list."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        """Username or name contains the text."""
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value))
