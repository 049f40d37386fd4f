"""Classification decisions (整合整治分类): retain, merge, relocate, or shut down."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from oreledger.core.audit import record_change
from oreledger.core.permissions import ADD
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.models import Campaign, ClassificationDecision
from oreledger.inspections.services._common import in_reach, is_person, require_role
from oreledger.quotas.services import freeze_enterprise_quota, unfreeze_enterprise_quota
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
    """Record a decision on an enterprise's future; a shut-down closes its sites and permits
    and freezes its quota, a later decision to keep it lifts the freeze."""
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
            _shut_down(actor, enterprise, reason)
        else:
            unfreeze_enterprise_quota(actor=actor, enterprise=enterprise, reason=reason)
    return decision


def _shut_down(actor: Any, enterprise: Enterprise, reason: str) -> None:
    """Close every site, flag (suspend) every valid permit and freeze the open quota of a
    shut-down enterprise."""
    # Sites first, then quota accounts (in the ledger's order): the station path never
    # locks a site, so this order cannot invert against a truck's draw.
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
    freeze_enterprise_quota(actor=actor, enterprise=enterprise, reason=reason)
