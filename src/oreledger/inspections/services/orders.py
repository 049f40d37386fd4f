"""Rectification orders (整改通知书): issue, answer with evidence, sign acceptance, close (销号).

A stop-production order puts the site in the registry's `rectifying` status, under which the
gate holds its trucks; the last department's signature returns it to operating.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from oreledger.core.audit import record_change
from oreledger.core.localtime import local_day
from oreledger.core.permissions import ADD, APPROVE, CHANGE
from oreledger.inspections.choices import OrderStatus
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.models import (
    Finding,
    OrderAnswer,
    OrderSignoff,
    RectificationOrder,
)
from oreledger.inspections.services._common import in_reach, is_person, require_role
from oreledger.registry.choices import OperatingStatus
from oreledger.registry.models import Site
from oreledger.registry.services import change_site_status


def issue_order(
    *,
    actor: Any,
    findings: Sequence[Finding],
    target: str,
    measures: str,
    deadline: datetime.date,
    responsible_person: str,
) -> RectificationOrder:
    """Issue one order for open findings of one enterprise; a stopping finding stops the site."""
    require_role(actor, ADD, RectificationOrder)
    if not findings:
        raise InspectionError("findings_required", field="findings")
    if not target.strip() or not measures.strip() or not responsible_person.strip():
        raise InspectionError("text_required", field="target")
    if deadline <= local_day(timezone.now()):
        raise InspectionError("deadline_past", field="deadline")
    ids = sorted({f.pk for f in findings})
    with transaction.atomic():
        # Lock the findings (ascending id) so two orders cannot take the same one.
        rows = list(
            Finding.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("inspection__site", "department_kind")
            .order_by("pk")
        )
        if is_person(actor):
            reachable = set(
                Finding.objects.for_user(actor, ADD).filter(pk__in=ids).values_list("pk", flat=True)
            )
            if len(rows) != len(ids) or reachable != set(ids):
                raise InspectionError("findings_required", status=404, field="findings")
        if any(f.order_id is not None for f in rows):
            raise InspectionError("finding_taken", status=409, field="findings")
        if len({f.enterprise_id for f in rows}) != 1:
            raise InspectionError("findings_required", field="findings")
        first = rows[0]
        site = first.inspection.site
        stops = any(f.stops_production for f in rows)
        order = RectificationOrder.objects.create(
            number=uuid.uuid4().hex[:20],
            campaign_id=first.inspection.campaign_id,
            enterprise_id=first.enterprise_id,
            site=site,
            region=site.region,
            target=target.strip()[:500],
            measures=measures.strip(),
            deadline=deadline,
            responsible_person=responsible_person.strip()[:100],
            stops_production=stops,
            issued_by=actor if is_person(actor) else None,
        )
        # A readable number, unique by the row's id: 整改 year and sequence.
        order.number = f"ZG{local_day(order.created_at).year}{order.pk:06d}"
        order.save(update_fields=["number"])
        Finding.objects.filter(pk__in=ids).update(order=order)
        kinds = {f.department_kind_id for f in rows}
        OrderSignoff.objects.bulk_create(
            OrderSignoff(order=order, department_kind_id=kind) for kind in sorted(kinds)
        )
        record_change(actor=actor, obj=order, action="create")
        if stops and site.status == OperatingStatus.OPERATING:
            change_site_status(
                actor=None,
                site=site,
                status=OperatingStatus.RECTIFYING,
                reason=f"{order.number}: {order.target}"[:500],
            )
    return order


def answer_order(
    *, actor: Any, order: RectificationOrder, text: str, evidence: UploadedFile | None = None
) -> OrderAnswer:
    """The enterprise says what it did, with evidence."""
    require_role(actor, CHANGE, RectificationOrder)
    order = in_reach(actor, order, CHANGE)
    if not text.strip():
        raise InspectionError("text_required", field="text")
    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.CLOSED:
            raise InspectionError("order_closed", status=409)
        answer = OrderAnswer.objects.create(
            order=order,
            text=text.strip(),
            evidence=evidence or "",
            answered_by=actor if is_person(actor) else None,
        )
        before = {"status": order.status}
        order.status = OrderStatus.ANSWERED
        order.bump_version()
        order.save(update_fields=["status", "version", "updated_at"])
        record_change(actor=actor, obj=order, action="update", before=before, reason=text[:500])
    return answer


def sign_acceptance(*, actor: Any, order: RectificationOrder, note: str = "") -> OrderSignoff:
    """The actor's department signs acceptance; the last signature closes the order (销号)."""
    require_role(actor, APPROVE, RectificationOrder)
    order = in_reach(actor, order, APPROVE)
    department = getattr(actor, "department", None)
    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.CLOSED:
            raise InspectionError("order_closed", status=409)
        if order.status != OrderStatus.ANSWERED:
            raise InspectionError("not_answered", status=409)
        signoff = OrderSignoff.objects.filter(
            order=order, department_kind_id=getattr(department, "kind_id", None)
        ).first()
        if signoff is None:
            raise InspectionError("not_your_department", status=403)
        if signoff.signed_at is not None:
            raise InspectionError("already_signed", status=409)
        signoff.signed_by = actor
        signoff.signed_at = timezone.now()
        signoff.note = note.strip()[:500]
        signoff.save(update_fields=["signed_by", "signed_at", "note"])
        record_change(actor=actor, obj=signoff, action="update", before={"signed_at": None})
        if not order.signoffs.filter(signed_at__isnull=True).exists():
            _close(actor, order)
    return signoff


def _close(actor: Any, order: RectificationOrder) -> None:
    before = {"status": order.status}
    order.status = OrderStatus.CLOSED
    order.closed_at = timezone.now()
    order.bump_version()
    order.save(update_fields=["status", "closed_at", "version", "updated_at"])
    record_change(actor=actor, obj=order, action="update", before=before)
    if not order.stops_production:
        return
    site = Site.objects.select_for_update().get(pk=order.site_id)
    still_stopped = (
        RectificationOrder.objects.filter(site=site, stops_production=True)
        .exclude(status=OrderStatus.CLOSED)
        .exists()
    )
    if site.status == OperatingStatus.RECTIFYING and not still_stopped:
        change_site_status(
            actor=None,
            site=site,
            status=OperatingStatus.OPERATING,
            reason=f"{order.number}: accepted"[:500],
        )
