"""Pages of signing in: the second step, enrolment, recovery codes, sessions, the province's
sign-in audit and password policy (docs/reference/sign-in.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from oreledger.accounts.errors import AlreadyEnrolled, LoginThrottled, SecondFactorRefused
from oreledger.accounts.forms import (
    EnrolmentForm,
    PasswordPolicyForm,
    SecondFactorForm,
    SignInEventFilter,
    client_address,
    client_agent,
)
from oreledger.accounts.models import SignedInSession, SignInEvent, User
from oreledger.accounts.passwords import current_policy, save_policy
from oreledger.accounts.signin import (
    OWES_CODE,
    OWES_ENROLMENT,
    SECOND_FACTOR_DUE,
    browser_of,
    confirm_enrolment,
    end_sessions,
    enrolment_qr_svg,
    enrolment_secret,
    is_province,
    live_sessions,
    reads_sign_in_audit,
    renew_recovery_codes,
    reset_second_factor,
    second_factor_passed,
    start_enrolment,
    verify_second_factor,
)
from oreledger.core.cells import CODE as CODE_CELL
from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import CHANGE, get_for_user
from oreledger.core.sealing import seal, unseal

# The recovery codes wait for their one showing sealed, like a new API token.
_CODES_SLOT, _CODES_PURPOSE = "new_recovery_codes", b"session:recovery-codes"


def _next_url(request: HttpRequest) -> str:
    """Where to go once signed in: the asked-for page if it is on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:home")


def second_factor(request: HttpRequest) -> HttpResponse:
    """The sign-in's second step: the authenticator's code or a recovery code."""
    if not request.user.is_authenticated or request.session.get(SECOND_FACTOR_DUE) != OWES_CODE:
        return redirect(_next_url(request) if request.user.is_authenticated else "accounts:login")
    form = SecondFactorForm(request.POST or None)
    locked = None
    if request.method == "POST" and form.is_valid():
        person = User.objects.get(pk=request.user.pk)
        try:
            factor = verify_second_factor(
                user=person,
                code=form.cleaned_data["code"],
                address=client_address(request),
                user_agent=client_agent(request),
            )
        except SecondFactorRefused as refusal:
            form.add_error("code", refusal.message)
        except LoginThrottled as refusal:
            # Locked out: the half-signed-in session ends; the password is locked too.
            logout(request)
            locked = refusal.message
        else:
            second_factor_passed(session=request.session)
            if factor == SignInEvent.Factor.RECOVERY_CODE:
                messages.warning(
                    request,
                    _("You signed in with a recovery code; it cannot be used again."),
                )
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "locked": locked,
            "next": _next_url(request),
            "title": _("Authenticator code"),
        },
        status=429 if locked else 200,
    )


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, then confirm with its first code."""
    person = User.objects.get(pk=request.user.pk)
    try:
        device = start_enrolment(user=person)
    except AlreadyEnrolled:
        return redirect("accounts:profile")
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = confirm_enrolment(
                user=person,
                code=form.cleaned_data["code"],
                address=client_address(request),
                user_agent=client_agent(request),
            )
        except (SecondFactorRefused, AlreadyEnrolled) as refusal:
            form.add_error("code", refusal.message)
        else:
            if request.session.get(SECOND_FACTOR_DUE) == OWES_ENROLMENT:
                second_factor_passed(session=request.session)
            request.session[_CODES_SLOT] = seal(" ".join(codes), _CODES_PURPOSE)
            next_url = _next_url(request)
            return redirect(f"{reverse('accounts:recovery_codes')}?next={next_url}")
    secret = enrolment_secret(device)
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr": enrolment_qr_svg(device),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": request.session.get(SECOND_FACTOR_DUE) == OWES_ENROLMENT,
            "next": _next_url(request),
            "title": _("Set up an authenticator"),
        },
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once after enrolment or renewal; POST makes new ones."""
    if request.method == "POST":
        person = User.objects.get(pk=request.user.pk)
        try:
            codes = renew_recovery_codes(user=person)
        except SecondFactorRefused:
            return redirect("accounts:enrol")
        request.session[_CODES_SLOT] = seal(" ".join(codes), _CODES_PURPOSE)
        return redirect("accounts:recovery_codes")
    sealed = request.session.pop(_CODES_SLOT, None)
    if not sealed:
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": unseal(sealed, _CODES_PURPOSE).split(),
            "next": _next_url(request),
            "title": _("Recovery codes"),
        },
    )


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """One's own signed-in sessions: where, which browser, when last used."""
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": live_sessions(request.user)[:50],
            "current": request.session.session_key,
            "title": _("Signed-in sessions"),
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End one of one's own sessions (another person's is a 404)."""
    record = get_object_or_404(SignedInSession, pk=pk, user=request.user, ended_at__isnull=True)
    end_sessions(actor=request.user, user=User.objects.get(pk=request.user.pk), only=record)
    messages.success(request, _("The session was ended."))
    if record.session_key == request.session.session_key:
        return redirect("accounts:login")
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    """End every session of one's own but this one."""
    count = end_sessions(
        actor=request.user,
        user=User.objects.get(pk=request.user.pk),
        keep=request.session.session_key,
    )
    messages.success(request, _("%(count)d other sessions were ended.") % {"count": count})
    return redirect("accounts:sessions")


def _person_for_province(request: HttpRequest, username: str) -> User:
    """The person, when the caller is the province office (anyone else gets a 404)."""
    if not is_province(request.user):
        raise Http404
    return get_for_user(User.objects.all(), request.user, CHANGE, username=username)


@login_required
@require_POST
def user_sessions_end(request: HttpRequest, username: str) -> HttpResponse:
    """The province ends every session of a person (a stolen laptop, a departure)."""
    person = _person_for_province(request, username)
    if not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("End every session of %(name)s?") % {"name": person},
                consequence=_("They must sign in again on every device."),
                action_label=_("End sessions"),
            ),
            cancel_url=person.get_absolute_url(),
        )
    count = end_sessions(actor=request.user, user=person)
    messages.success(request, _("%(count)d sessions were ended.") % {"count": count})
    return redirect(person.get_absolute_url())


@login_required
@require_POST
def user_second_factor_reset(request: HttpRequest, username: str) -> HttpResponse:
    """The province removes a person's authenticator (a lost phone); they enrol again."""
    person = _person_for_province(request, username)
    if not confirmed(request):
        return ask_confirmation(
            request,
            Confirmation(
                question=_("Reset the authenticator of %(name)s?") % {"name": person},
                consequence=_(
                    "Their recovery codes stop working, their sessions end, and they set up "
                    "a new authenticator at their next sign-in."
                ),
                action_label=_("Reset"),
            ),
            cancel_url=person.get_absolute_url(),
        )
    reset_second_factor(actor=request.user, user=person, reason="reset by the province")
    messages.success(request, _("The authenticator was reset."))
    return redirect(person.get_absolute_url())


class SignInEventListView(ScopedListView):
    """The sign-in audit: every step of every sign-in (the province; a county, its people)."""

    model = SignInEvent
    title = _("Sign-in audit")
    filterset_class = SignInEventFilter
    related = ("user",)
    default_order = "-at"
    columns = (
        Column("at", _("Time"), order_by="at"),
        Column("username", _("Username"), order_by="username", kind=CODE_CELL),
        Column("user", _("Person")),
        Column("outcome", _("Outcome"), order_by="outcome"),
        Column("factor", _("Factor"), order_by="factor"),
        Column("address", _("Address"), order_by="address", kind=CODE_CELL),
        Column("user_agent", _("Browser"), value=lambda event: browser_of(event.user_agent)),
    )

    def base_queryset(self) -> Any:
        user = self.request.user
        if is_province(user):
            return SignInEvent.objects.all()
        if not reads_sign_in_audit(user):
            raise Http404
        # A county operator manages its people's accounts: it reads their sign-ins (names
        # tried that match no one stay with the province).
        return SignInEvent.objects.filter(user__in=User.objects.for_user(user, CHANGE))


@login_required
def password_policy(request: HttpRequest) -> HttpResponse:
    """The province's password rules."""
    if not is_province(request.user):
        raise Http404
    form = PasswordPolicyForm(request.POST or None, instance=current_policy())
    if request.method == "POST" and form.is_valid():
        save_policy(actor=request.user, policy=form.instance)
        messages.success(request, _("The password policy was saved."))
        return redirect("accounts:password_policy")
    return render(
        request, "accounts/password_policy.html", {"form": form, "title": _("Password policy")}
    )
