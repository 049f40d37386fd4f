"""Use cases of the assessment: the province sets schemes; counties enter funding and staffing."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oreledger.accounts.models import Region
from oreledger.assessment.choices import ENTERED, EvidenceStatus, ScoringRule
from oreledger.assessment.errors import AssessmentError
from oreledger.assessment.models import Evidence, Indicator, Scheme
from oreledger.assessment.queries import Period
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import APPROVE, COUNTY_OPERATOR, PROVINCE_OFFICE, get_for_user

CREATE = ObjectChange.Action.CREATE
UPDATE = ObjectChange.Action.UPDATE


def _role(actor: Any, role: str) -> None:
    if actor is not None and not actor.is_superuser and getattr(actor, "role", None) != role:
        raise AssessmentError("not_allowed", status=403)


def create_scheme(
    *,
    actor: Any,
    code: str,
    name: str,
    period: str,
    indicators: Sequence[tuple[str, Decimal, str, Decimal]],
) -> Scheme:
    """The province publishes a scheme: (kind, weight, rule, target) per indicator."""
    _role(actor, PROVINCE_OFFICE)
    _check_indicators(indicators)
    with transaction.atomic():
        scheme = Scheme.objects.create(code=code, name=name, period=period)
        _create_indicators(scheme, indicators)
        record_change(actor=actor, obj=scheme, action=CREATE)
    return scheme


def change_scheme(
    *,
    actor: Any,
    scheme: Scheme,
    name: str,
    indicators: Sequence[tuple[str, Decimal, str, Decimal]],
) -> Scheme:
    """The province renames a scheme and replaces its indicators, weights and rules."""
    _role(actor, PROVINCE_OFFICE)
    _check_indicators(indicators)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        before = snapshot(scheme)
        # The indicators are part of the scheme's record in the audit trail.
        before["indicators"] = _describe(scheme.indicators.all())
        scheme.name = name
        # A new version goes down to the nodes with the new set of indicators in its state.
        scheme.bump_version()
        scheme.save()
        scheme.indicators.all().delete()
        created = _create_indicators(scheme, indicators)
        record_change(actor=actor, obj=scheme, action=UPDATE, before=before)
        for indicator in created:
            record_change(actor=actor, obj=indicator, action=CREATE)
    return scheme


def _check_indicators(indicators: Sequence[tuple[str, Decimal, str, Decimal]]) -> None:
    weights = [Decimal(weight) for _, weight, _, _ in indicators]
    if not weights or any(w <= 0 for w in weights) or sum(weights) != 100:
        raise AssessmentError("weights_invalid", field="indicators")
    if any(not 0 <= Decimal(target) <= 1 for *_, target in indicators):
        raise AssessmentError("target_invalid", field="indicators")


def _create_indicators(
    scheme: Scheme, indicators: Sequence[tuple[str, Decimal, str, Decimal]]
) -> list[Indicator]:
    return Indicator.objects.bulk_create(
        Indicator(
            scheme=scheme,
            kind=kind,
            weight=Decimal(weight),
            rule=rule or ScoringRule.PROPORTIONAL,
            target=Decimal(target),
            ordering=n,
        )
        for n, (kind, weight, rule, target) in enumerate(indicators)
    )


def _describe(indicators: Any) -> list[str]:
    return [f"{i.kind} {i.weight} {i.rule} {i.target}" for i in indicators]


def submit_evidence(
    *,
    actor: Any,
    region: Region,
    kind: str,
    period: Period,
    planned: Decimal,
    actual: Decimal,
    evidence: str,
    attachment: Any = None,
) -> Evidence:
    """A county enters funding or staffing in place for a period (again: replaced, resubmitted)."""
    _role(actor, COUNTY_OPERATOR)
    if actor is not None and not actor.is_superuser and actor.region_id != region.pk:
        raise AssessmentError("not_allowed", status=403)
    # Entries do not federate: the province decides them on the hub, so a node takes none
    # (one made there would never reach the province's queue).
    if settings.OL_NODE_ROLE == "node":
        raise AssessmentError("entered_on_hub", status=409)
    if kind not in ENTERED:
        raise AssessmentError("not_entered", field="kind")
    if planned <= 0 or actual < 0:
        raise AssessmentError("amounts_invalid", field="actual")
    if not evidence.strip():
        raise AssessmentError("evidence_required", field="evidence")
    # A resubmission without a new file keeps the one already sent.
    files = {"attachment": attachment} if attachment else {}
    with transaction.atomic():
        entry, created = Evidence.objects.update_or_create(
            region=region,
            kind=kind,
            period_start=period.first,
            defaults={
                **files,
                "planned": planned,
                "actual": actual,
                "evidence": evidence.strip(),
                "status": EvidenceStatus.SUBMITTED,
                "submitted_by": actor,
                "decided_by": None,
                "decided_at": None,
            },
        )
        record_change(actor=actor, obj=entry, action=CREATE if created else UPDATE)
    return entry


def decide_evidence(*, actor: Any, entry: Evidence, approve: bool, note: str = "") -> Evidence:
    """The province approves a county's entry (it then counts) or returns it with a note."""
    with transaction.atomic():
        queryset = Evidence.objects.select_for_update()
        if actor is None:
            entry = queryset.get(pk=entry.pk)
        else:
            entry = get_for_user(queryset, actor, APPROVE, pk=entry.pk)
        if entry.status != EvidenceStatus.SUBMITTED:
            raise AssessmentError("not_submitted", status=409)
        before = snapshot(entry)
        entry.status = EvidenceStatus.APPROVED if approve else EvidenceStatus.RETURNED
        entry.decided_by = actor
        entry.decided_at = timezone.now()
        entry.note = note.strip()
        entry.save()
        record_change(actor=actor, obj=entry, action=UPDATE, before=before)
    return entry
