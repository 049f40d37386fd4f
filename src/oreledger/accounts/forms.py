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
from oreledger.accounts.models import User
from oreledger.accounts.services import claim_login_attempt, clear_login_failures


def client_address(request: Any) -> str | None:
    """The caller's address (the proxy sets REMOTE_ADDR correctly in production)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledLoginForm(AuthenticationForm):
    """Username and password, refused for a while after repeated failures."""

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        try:
            # Counted as a failure until the password proves otherwise (see the service).
            claim_login_attempt(username=username, address=client_address(self.request))
        except LoginThrottled as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None
        cleaned = super().clean()
        clear_login_failures(username=username)
        return cleaned


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
