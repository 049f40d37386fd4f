"""Use cases of alerts: thresholds (versioned), the alert lifecycle, enforcement cases."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from oreledger.accounts.choices import Role
from oreledger.alerts.catalogue import (
    HOURS,
    LIMITS,
    SEVERITY_ORDER,
    STEPS,
    looser_params,
    parse_hours,
    spec,
)
from oreledger.alerts.choices import (
    ACTIVE_STATUSES,
    AlertStatus,
    CaseStatus,
    DecisionKind,
    EventKind,
)
from oreledger.alerts.engine import effective_rules, raised_elsewhere
from oreledger.alerts.errors import AlertError
from oreledger.alerts.models import Alert, AlertEvent, Case, CaseNote, RuleVersion
from oreledger.core.audit import announce_changes, record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import (
    ADD,
    APPROVE,
    CHANGE,
    COUNTY_OPERATOR,
    PROVINCE_OFFICE,
    can,
    may,
)
from oreledger.registry.services import change_site_status


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _name(actor: Any) -> str:
    person = _person(actor)
    return person.get_username() if person else str(actor or "system")


def _is_system(actor: Any) -> bool:
    return _person(actor) is None or getattr(actor, "is_superuser", False) or actor.role == "admin"


# --- thresholds --------------------------------------------------------------------------


def _clean_params(rule: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the rule's parameters, each of the right shape."""
    clean: dict[str, Any] = {}
    for p in spec(rule).params:
        if p.name not in params:
            continue
        value = params[p.name]
        try:
            if p.kind == HOURS:
                parse_hours(value)
            elif p.kind == LIMITS:
                value = {str(k): int(v) for k, v in dict(value).items()}
                if any(v <= 0 for v in value.values()):
                    raise ValueError
            elif p.kind == STEPS:
                value = sorted(int(v) for v in value)
                if not value or any(not 0 < v <= 200 for v in value):
                    raise ValueError
            else:
                value = float(value)
                if value < 0:
                    raise ValueError
                value = int(value) if value == int(value) else value
        except (TypeError, ValueError):
            raise AlertError("threshold_invalid", field=p.name, param=p.name, value=value) from None
        clean[p.name] = value
    return clean


def change_rule(
    *,
    actor: Any,
    rule: str,
    region: Any,
    params: dict[str, Any],
    severity: str | None = None,
    enabled: bool = True,
    note: str = "",
) -> RuleVersion:
    """A new version of a rule's thresholds in a region; a county may only tighten."""
    rule_spec = spec(rule)
    if not _is_system(actor):
        own = getattr(actor, "region", None)
        if actor.role not in (PROVINCE_OFFICE, COUNTY_OPERATOR) or own is None:
            raise AlertError("not_allowed", status=403)
        if not region.path.startswith(own.path) or (
            actor.role == COUNTY_OPERATOR and region.pk != own.pk
        ):
            raise AlertError("region_not_yours", status=403)
    if raised_elsewhere(region, {}):
        # Its node keeps the county's versions (they reach the hub federated): numbered on
        # both platforms, the two would collide.
        raise AlertError("region_served_by_node", status=403, field="region")
    clean = _clean_params(rule, params)
    with transaction.atomic():
        current = effective_rules(region, {}).get(rule)
        merged = {**(current.params if current else rule_spec.defaults), **clean}
        severity = severity or (current.severity if current else rule_spec.severity)
        if region.parent_id is not None:
            above = effective_rules(region.parent, {}).get(rule)
            if above is not None:
                looser = looser_params(rule, merged, above.params)
                if looser:
                    raise AlertError("threshold_looser", field=looser[0], params=", ".join(looser))
                if enabled != above.enabled:
                    raise AlertError("rule_disabled_above", field="enabled")
                if SEVERITY_ORDER[severity] > SEVERITY_ORDER[above.severity]:
                    raise AlertError("severity_lower", field="severity")
        own_latest = (
            RuleVersion.objects.filter(rule=rule, region=region).order_by("-number").first()
        )
        number = (
            RuleVersion.objects.filter(rule=rule, region=region).aggregate(n=Max("number"))["n"]
            or 0
        ) + 1
        try:
            with transaction.atomic():
                version = RuleVersion.objects.create(
                    rule=rule,
                    region=region,
                    number=number,
                    params=merged,
                    previous=own_latest.params
                    if own_latest
                    else (current.params if current else None),
                    severity=severity,
                    enabled=enabled,
                    author=_person(actor),
                    author_name=_name(actor)[:150],
                    note=note[:500],
                )
        except IntegrityError:
            raise AlertError("not_allowed", status=409) from None
        record_change(actor=actor, obj=version, action=ObjectChange.Action.CREATE, reason=note)
    return version


# --- the alert lifecycle -------------------------------------------------------------------

_NEXT: dict[str, tuple[str, ...]] = {
    AlertStatus.ACKNOWLEDGED: (AlertStatus.OPEN,),
    AlertStatus.INVESTIGATING: (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
    AlertStatus.RESOLVED: ACTIVE_STATUSES,
    AlertStatus.ESCALATED: ACTIVE_STATUSES,
}
_EVENT: dict[str, str] = {
    AlertStatus.ACKNOWLEDGED: EventKind.ACKNOWLEDGED,
    AlertStatus.INVESTIGATING: EventKind.INVESTIGATING,
    AlertStatus.RESOLVED: EventKind.RESOLVED,
    AlertStatus.ESCALATED: EventKind.ESCALATED,
}


def _require_own(record: Alert | Case) -> None:
    """A county's alert or case, received on the hub, is changed only on its node."""
    if record.received:
        raise AlertError("received_read_only", status=403, owner=record.owner_node)


def _require_change(actor: Any, alert: Alert) -> None:
    if not _is_system(actor) and not can(actor, CHANGE, alert):
        raise AlertError("not_allowed", status=403)
    _require_own(alert)


def _move(actor: Any, alert: Alert, target: str, note: str = "", **changes: Any) -> Alert:
    """Conditional UPDATE from an allowed status: a lost race changes nothing."""
    _require_change(actor, alert)
    before = snapshot(alert)
    with transaction.atomic():
        fields: dict[str, Any] = {
            "status": target,
            "updated_at": timezone.now(),
            "version": F("version") + 1,
            **changes,
        }
        if target in (AlertStatus.RESOLVED, AlertStatus.ESCALATED):
            fields["open_key"] = None
        moved = Alert.objects.filter(pk=alert.pk, status__in=_NEXT[target]).update(**fields)
        if not moved:
            current = Alert.objects.values_list("status", flat=True).get(pk=alert.pk)
            raise AlertError("bad_transition", status=409, current=current, target=target)
        alert.refresh_from_db()
        event = AlertEvent.objects.create(
            alert=alert,
            kind=_EVENT[target],
            at=timezone.now(),
            actor=_person(actor),
            actor_name=_name(actor)[:150],
            note=note[:1000],
        )
        record_change(
            actor=actor, obj=alert, action=ObjectChange.Action.UPDATE, before=before, reason=note
        )
        # The timeline's line travels after the alert's new state.
        announce_changes([event], ObjectChange.Action.CREATE)
    return alert


def acknowledge_alert(*, actor: Any, alert: Alert, note: str = "") -> Alert:
    """The alert has been seen by someone responsible."""
    return _move(actor, alert, AlertStatus.ACKNOWLEDGED, note)


def investigate_alert(*, actor: Any, alert: Alert, note: str = "") -> Alert:
    """Someone is looking into it."""
    return _move(actor, alert, AlertStatus.INVESTIGATING, note)


def resolve_alert(*, actor: Any, alert: Alert, resolution: str, note: str) -> Alert:
    """Handled, or a false positive — always with a note."""
    if not note.strip():
        raise AlertError("note_required", field="note")
    return _move(
        actor, alert, AlertStatus.RESOLVED, note, resolution=resolution, resolution_note=note[:1000]
    )


def assign_alert(
    *, actor: Any, alert: Alert, assignee: Any = None, department: Any = None
) -> Alert:
    """Give the alert to a person or a department."""
    _require_change(actor, alert)
    before = snapshot(alert)
    with transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(
            assignee=assignee,
            department=department,
            updated_at=timezone.now(),
            version=F("version") + 1,
        )
        alert.refresh_from_db()
        event = AlertEvent.objects.create(
            alert=alert,
            kind=EventKind.ASSIGNED,
            at=timezone.now(),
            actor=_person(actor),
            actor_name=_name(actor)[:150],
            note=str(assignee or department or "")[:1000],
        )
        record_change(actor=actor, obj=alert, action=ObjectChange.Action.UPDATE, before=before)
        announce_changes([event], ObjectChange.Action.CREATE)
    return alert


def escalate_alert(*, actor: Any, alert: Alert, case: Case | None = None, note: str = "") -> Case:
    """Turn the alert into an enforcement case (a new one, or an existing open case)."""
    _require_own(alert)
    with transaction.atomic():
        if case is None:
            case = open_case(
                actor=actor,
                title=f"{alert.rule_name} · {alert.subject_ref}",
                region=alert.region,
                enterprise=alert.enterprise,
                site=alert.site,
                # Written in the words of the person escalating, like the rest of the file.
                violations=f"{alert.rule_name}：{alert.get_subject_type_display()} "
                f"{alert.subject_ref}",
            )
        _move(actor, alert, AlertStatus.ESCALATED, note, case=case)
    return case


# --- enforcement cases ---------------------------------------------------------------------


def _next_number(year: int) -> str:
    # Federated, numbers carry the platform's code: the hub holds every county's cases.
    code = "" if settings.OL_NODE_ROLE == "standalone" else f"{settings.OL_NODE_CODE}-"
    prefix = f"AJ-{code}{year}-"
    last = Case.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:04d}"


def open_case(
    *,
    actor: Any,
    title: str,
    region: Any,
    enterprise: Any = None,
    site: Any = None,
    violations: str = "",
    deadline: datetime.date | None = None,
    alerts: list[Alert] | None = None,
) -> Case:
    """Open an enforcement case, directly or from alerts."""
    if not _is_system(actor):
        own = getattr(actor, "region", None)
        if not may(actor, ADD, Case) or own is None or not region.path.startswith(own.path):
            raise AlertError("not_allowed", status=403)
    for attempt in range(3):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=_next_number(timezone.localdate().year),
                    title=title[:200],
                    region=region,
                    enterprise=enterprise,
                    site=site,
                    violations=violations,
                    opened_by=_person(actor),
                    deadline=deadline,
                    department=getattr(actor, "department", None)
                    if not _is_system(actor)
                    else None,
                )
                record_change(actor=actor, obj=case, action=ObjectChange.Action.CREATE)
                for alert in alerts or []:
                    _move(actor, alert, AlertStatus.ESCALATED, case=case)
                return case
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _require_case(actor: Any, case: Case, action: str = CHANGE) -> None:
    if not _is_system(actor) and not can(actor, action, case):
        raise AlertError("not_allowed", status=403)
    _require_own(case)
    if case.status == CaseStatus.CLOSED:
        raise AlertError("case_closed", status=409)


def add_case_note(*, actor: Any, case: Case, text: str, attachment: Any = None) -> CaseNote:
    """An investigation note (with an optional attachment); the case is now investigating."""
    _require_case(actor, case)
    if not text.strip():
        raise AlertError("note_required", field="text")
    with transaction.atomic():
        note = CaseNote.objects.create(
            case=case,
            author=_person(actor),
            author_name=_name(actor)[:150],
            text=text,
            attachment=attachment or "",
        )
        if case.status == CaseStatus.OPEN:
            before = snapshot(case)
            case.status = CaseStatus.INVESTIGATING
            case.bump_version()
            case.save(update_fields=["status", "updated_at", "version"])
            record_change(actor=actor, obj=case, action=ObjectChange.Action.UPDATE, before=before)
        # After the case's new state: the note refers to the case.
        announce_changes([note], ObjectChange.Action.CREATE)
    return note


def decide_case(
    *,
    actor: Any,
    case: Case,
    decision: str,
    note: str,
    fine_yuan: Decimal | None = None,
    permit: Any = None,
    deadline: datetime.date | None = None,
) -> Case:
    """Record the decision; a suspension stops the site (and so its gate) at once."""
    _require_case(actor, case, APPROVE)
    if not note.strip():
        raise AlertError("note_required", field="note")
    if decision == DecisionKind.FINE and (fine_yuan is None or fine_yuan <= 0):
        raise AlertError("fine_required", field="fine_yuan")
    if decision == DecisionKind.SUSPENSION and case.site is None:
        raise AlertError("site_required", field="decision")
    if decision == DecisionKind.REVOCATION_REQUEST and permit is None:
        raise AlertError("permit_required", field="permit")
    with transaction.atomic():
        before = snapshot(case)
        case.decision = decision
        case.fine_yuan = fine_yuan if decision == DecisionKind.FINE else None
        case.decision_note = note
        case.permit = permit if decision == DecisionKind.REVOCATION_REQUEST else None
        case.decided_at = timezone.now()
        case.decided_by = _person(actor)
        case.deadline = deadline or case.deadline
        case.status = CaseStatus.DECIDED
        case.bump_version()
        case.save()
        record_change(
            actor=actor, obj=case, action=ObjectChange.Action.UPDATE, before=before, reason=note
        )
        if decision == DecisionKind.SUSPENSION and case.site is not None:
            change_site_status(
                actor=actor,
                site=case.site,
                status="suspended",
                reason=f"{case.number}: {note}"[:500],
            )
        if decision == DecisionKind.REVOCATION_REQUEST:
            request = CaseNote.objects.create(
                case=case,
                author=_person(actor),
                author_name=_name(actor)[:150],
                text=f"{permit.department}: {permit} — {note}",
            )
            announce_changes([request], ObjectChange.Action.CREATE)
    return case


def close_case(*, actor: Any, case: Case, note: str) -> Case:
    """Close a decided case with a closing note."""
    _require_case(actor, case, APPROVE)
    if case.status != CaseStatus.DECIDED:
        raise AlertError("case_not_decided", status=409)
    if not note.strip():
        raise AlertError("note_required", field="note")
    with transaction.atomic():
        before = snapshot(case)
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now()
        case.closure_note = note
        case.bump_version()
        case.save()
        record_change(
            actor=actor, obj=case, action=ObjectChange.Action.UPDATE, before=before, reason=note
        )
    return case


def publish_case_decision(*, actor: Any, case: Case, violation: str, legal_basis: str) -> Case:
    """Publish a decided case's decision (行政处罚公示): the province's choice, in public words."""
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICE:
        raise AlertError("not_allowed", status=403)
    _require_case(actor, case, APPROVE)
    if case.status not in (CaseStatus.DECIDED, CaseStatus.CLOSED) or not case.decision:
        raise AlertError("case_not_decided_for_publication", status=409)
    if case.published_at is not None:
        raise AlertError("case_already_published", status=409)
    if not violation.strip() or not legal_basis.strip():
        raise AlertError("publication_text_required", field="violation")
    with transaction.atomic():
        before = snapshot(case)
        case.published_at = timezone.now()
        case.published_by = _person(actor)
        case.published_violation = violation.strip()
        case.legal_basis = legal_basis.strip()
        case.bump_version()
        case.save()
        record_change(actor=actor, obj=case, action=ObjectChange.Action.UPDATE, before=before)
    return case
