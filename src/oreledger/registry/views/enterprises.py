"""The enterprise file (一企一档) and the enterprise forms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from oreledger.core.confirmation import Confirmation
from oreledger.core.permissions import ADD, CHANGE, VIEW, can, get_for_user
from oreledger.registry.choices import OperatingStatus
from oreledger.registry.dossier import sections_for
from oreledger.registry.forms import EnterpriseForm, EnterpriseStatusForm
from oreledger.registry.models import Enterprise
from oreledger.registry.services import (
    change_enterprise_status,
    create_enterprise,
    update_enterprise,
)
from oreledger.registry.views.common import form_page, require, status_confirmation


@login_required
def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    """The enterprise file: every section the apps register, in order."""
    enterprise = get_for_user(
        Enterprise.objects.select_related("region__parent"), request.user, VIEW, uscc=uscc
    )
    sections = []
    for section, context in sections_for(enterprise, request.user):
        html = render_to_string(
            section.template, {**context, "enterprise": enterprise, "user": request.user}
        )
        sections.append((section, mark_safe(html)))  # noqa: S308 (our own rendered template)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "sections": sections,
            "can_change": can(request.user, CHANGE, enterprise),
            "title": enterprise.name,
        },
    )


@login_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    """Register an enterprise."""
    require(request.user, ADD, Enterprise)
    form = EnterpriseForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form=form,
        title=_("New enterprise"),
        back_url=reverse("registry:enterprise_list"),
        save=lambda data: create_enterprise(actor=request.user, **data),
    )


@login_required
def enterprise_edit(request: HttpRequest, uscc: str) -> HttpResponse:
    """Change an enterprise's identity."""
    enterprise = get_for_user(Enterprise.objects.all(), request.user, CHANGE, uscc=uscc)
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)

    def save(data: dict[str, Any]) -> Enterprise:
        data.pop("uscc", None)
        return update_enterprise(actor=request.user, enterprise=enterprise, **data)

    return form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": enterprise.name},
        back_url=enterprise.get_absolute_url(),
        save=save,
    )


def _status_question(enterprise: Enterprise, data: dict[str, Any]) -> Confirmation | None:
    """The question before an enterprise's status or classification changes."""
    question = status_confirmation(
        enterprise.name,
        enterprise.status,
        data["status"],
        OperatingStatus(data["status"]).label,
        data["reason"],
    )
    if question is None and (data["classification"] or "") != (enterprise.classification or ""):
        question = Confirmation(
            question=_("Change the rectification classification of %(name)s?")
            % {"name": enterprise.name},
            consequence=_("The new classification stays in its history."),
            action_label=_("Change the classification"),
            facts=[(_("Reason"), data["reason"])],
            danger=False,
        )
    return question


@login_required
def enterprise_status(request: HttpRequest, uscc: str) -> HttpResponse:
    """Change an enterprise's status or rectification classification, with the reason."""
    enterprise = get_for_user(Enterprise.objects.all(), request.user, CHANGE, uscc=uscc)
    form = EnterpriseStatusForm(
        request.POST or None,
        initial={"status": enterprise.status, "classification": enterprise.classification},
    )
    return form_page(
        request,
        form=form,
        title=_("Status of %(name)s") % {"name": enterprise.name},
        back_url=enterprise.get_absolute_url(),
        confirm=lambda data: _status_question(enterprise, data),
        save=lambda data: change_enterprise_status(
            actor=request.user,
            enterprise=enterprise,
            status=data["status"],
            classification=data["classification"],
            reason=data["reason"],
        ),
        done=_("The status was changed."),
    )
