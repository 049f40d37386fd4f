"""Steps every registry page shares: create/edit forms that go through services, map data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from oreledger.core.confirmation import Confirmation, ask_confirmation, confirmed
from oreledger.core.errors import DomainError
from oreledger.core.permissions import may
from oreledger.registry.errors import InvalidRecord


def require(user: Any, action: str, model: type[models.Model]) -> None:
    """403 unless the user's role may take the action on the model at all."""
    if not may(user, action, model):
        raise PermissionDenied


def add_refusal(form: BaseForm, refusal: DomainError) -> None:
    """Put a service's refusal on the form, each sentence beside its field."""
    if isinstance(refusal, InvalidRecord):
        for name, sentences in refusal.field_messages().items():
            target = name if name in form.fields else None
            for sentence in sentences:
                form.add_error(target, sentence)
    else:
        form.add_error(None, refusal.message)


def form_page(
    request: HttpRequest,
    *,
    form: BaseForm,
    title: Any,
    save: Callable[[dict[str, Any]], Any],
    back_url: str,
    done: Any = None,
    template: str = "registry/form.html",
    extra: dict[str, Any] | None = None,
    confirm: Callable[[dict[str, Any]], Confirmation | None] | None = None,
) -> HttpResponse:
    """Show a form; on a valid POST call the service and go to the saved record's page.

    `confirm` builds the question an irreversible change asks first (None: nothing to ask);
    until the POST is confirmed, nothing is saved.
    """
    if request.method == "POST" and form.is_valid() and confirm and not confirmed(request):
        question = confirm(form.cleaned_data)
        if question is not None:
            return ask_confirmation(request, question, cancel_url=back_url)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except DomainError as refusal:
            if refusal.status == 403:
                raise PermissionDenied from None
            add_refusal(form, refusal)
        else:
            messages.success(request, done or _("Saved."))
            return redirect(saved.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": title, "back_url": back_url, **(extra or {})}
    return render(request, template, context, status=status)


# The statuses after which trucks of the record are held at the weighbridge.
RESTRICTING = {"suspended", "shut_down", "revoked", "rectifying"}


def status_confirmation(
    record: Any, old: Any, new: str, new_label: Any, reason: str
) -> Confirmation | None:
    """The question before a status change (none when the status stays as it is)."""
    if str(old) == new:
        return None
    restricting = new in RESTRICTING
    return Confirmation(
        question=_("Change the status of %(name)s to “%(status)s”?")
        % {"name": record, "status": new_label},
        consequence=_(
            "Its weighings are held at the weighbridge and its people are told, until the "
            "status is changed back; the change stays in its history."
        )
        if restricting
        else _("Its weighings are released again; the change stays in its history."),
        action_label=_("Change the status"),
        facts=[(_("Reason"), reason)],
        danger=restricting,
    )


def never_store(response: HttpResponse) -> HttpResponse:
    """Keep a page that shows a secret out of every cache."""
    response["Cache-Control"] = "no-store, private"
    return response
