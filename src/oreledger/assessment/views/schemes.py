"""Pages where the province sets a scheme's indicators, weights and scoring rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oreledger.assessment import services
from oreledger.assessment.forms import SchemeForm
from oreledger.assessment.models import Scheme
from oreledger.core.errors import DomainError
from oreledger.core.permissions import CHANGE, VIEW, may


def _allowed(user: Any) -> None:
    # Officials read schemes; only the province office may change them.
    if not may(user, CHANGE, Scheme):
        raise PermissionDenied if may(user, VIEW, Scheme) else Http404


def _render(request: HttpRequest, form: SchemeForm, title: Any, scheme: Any) -> HttpResponse:
    context = {"title": title, "form": form, "scheme": scheme}
    return render(request, "assessment/scheme_form.html", context)


@login_required
def scheme_new(request: HttpRequest) -> HttpResponse:
    """The province publishes a new scheme with its indicators and weights."""
    _allowed(request.user)
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_scheme(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                period=data["period"],
                indicators=form.indicators(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Scheme published."))
            return redirect("assessment:scheme_list")
    return _render(request, form, _("New assessment scheme"), None)


@login_required
def scheme_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The province changes a scheme's indicators, weights and scoring rules."""
    scheme = Scheme.objects.for_user(request.user, VIEW).filter(code=code).first()
    if scheme is None:
        raise Http404
    _allowed(request.user)
    form = SchemeForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_scheme(
                actor=request.user,
                scheme=scheme,
                name=form.cleaned_data["name"],
                indicators=form.indicators(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Scheme saved."))
            return redirect("assessment:scheme_list")
    return _render(request, form, _("Indicators and weights"), scheme)
