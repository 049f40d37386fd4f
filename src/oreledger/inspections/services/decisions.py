"""Classification decisions (整合整治分类): retain, merge, relocate, or shut down."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from oreledger.core.audit import record_change
from oreledger.core.permissions import ADD
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.models import Campaign, ClassificationDecision
from oreledger.inspections.services._common import in_reach, is_person, require_role
from oreledger.registry.choices import OperatingStatus, PermitStatus, Rectification
from oreledger.registry.models import Enterprise, Permit
from oreledger.registry.services import (
    change_enterprise_status,
    change_permit_status,
    change_site_status,
)


def decide_classification(
    *,
    actor: Any,
    enterprise: Enterprise,
    classification: str,
    reason: str,
    campaign: Campaign | None = None,
) -> ClassificationDecision:
    """Record a decision on an enterprise's future; a shut-down closes its sites and permits."""
    require_role(actor, ADD, ClassificationDecision)
    enterprise = in_reach(actor, enterprise)
    if (
        is_person(actor)
        and not Enterprise.objects.for_user(actor, "change").filter(pk=enterprise.pk).exists()
    ):
        raise InspectionError("not_allowed", status=403)
    if campaign is not None:
        campaign = in_reach(actor, campaign)
    if classification not in Rectification.values:
        raise InspectionError("reason_required", field="classification")
    reason = reason.strip()
    if not reason:
        raise InspectionError("reason_required", field="reason")
    with transaction.atomic():
        decision = ClassificationDecision.objects.create(
            enterprise=enterprise,
            region=enterprise.region,
            campaign=campaign,
            classification=classification,
            reason=reason[:500],
            decided_by=actor if is_person(actor) else None,
        )
        record_change(actor=actor, obj=decision, action="create", reason=reason)
        shut = classification == Rectification.SHUT_ELIMINATE
        change_enterprise_status(
            actor=None,
            enterprise=enterprise,
            status=OperatingStatus.SHUT_DOWN if shut else enterprise.status,
            classification=classification,
            reason=reason,
        )
        if shut:
            _shut_down(enterprise, reason)
    return decision


def _shut_down(enterprise: Enterprise, reason: str) -> None:
    """Close every site and flag (suspend) every valid permit of a shut-down enterprise."""
    for site in enterprise.sites.select_for_update().order_by("pk"):
        if site.status != OperatingStatus.SHUT_DOWN:
            change_site_status(
                actor=None, site=site, status=OperatingStatus.SHUT_DOWN, reason=reason
            )
    permits = Permit.objects.filter(holder=enterprise, status=PermitStatus.VALID).order_by("pk")
    for permit in permits:
        change_permit_status(
            actor=None, permit=permit, status=PermitStatus.SUSPENDED, reason=reason
        )
