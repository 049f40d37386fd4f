"""Use cases of the appeals desk: raise, route, answer, solve, reclassify, close, visit, flag."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from oreledger.alerts.choices import SubjectType
from oreledger.alerts.engine import raise_alert
from oreledger.appeals.choices import (
    OPEN_STATUSES,
    AppealClass,
    AppealStatus,
    Category,
    Closure,
    EntryKind,
    Stage,
)
from oreledger.appeals.errors import AppealError
from oreledger.appeals.models import Appeal, Entry, Notice, Routing, StageRecord, TimeLimits
from oreledger.appeals.policies import ANSWER, CONFIRM
from oreledger.core.audit import record_change, snapshot
from oreledger.core.localtime import local_year
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import ADD, CHANGE, DEPARTMENT_OFFICER, can, may

RULE = "appeal_overdue"


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _name(actor: Any) -> str:
    person = _person(actor)
    if person is None:
        return str(actor or "system")
    return str(person.display_name or person.get_username())


def _required(text: str, code: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AppealError(code, field=field)
    return text


def _lock(appeal: Appeal) -> Appeal:
    """The appeal's row, locked: every change of an appeal takes this one lock first."""
    return Appeal.objects.select_for_update().select_related("region").get(pk=appeal.pk)


def _expect(appeal: Appeal, *statuses: str) -> None:
    if appeal.status not in statuses:
        raise AppealError("wrong_stage", current=str(appeal.get_status_display()))


def _allowed(actor: Any, action: str, appeal: Appeal) -> None:
    """403 with the reason: a department not routed is told so, other roles "not allowed"."""
    if can(actor, action, appeal):
        return
    if action == ANSWER and getattr(actor, "role", None) == DEPARTMENT_OFFICER:
        raise AppealError("not_your_appeal", status=403)
    raise AppealError("not_allowed", status=403)


def _entry(
    appeal: Appeal, kind: str, actor: Any, at: datetime.datetime, text: str = "", **extra: Any
) -> Entry:
    department = (
        getattr(_person(actor), "department", None) if extra.pop("as_department", False) else None
    )
    return Entry.objects.create(
        appeal=appeal,
        kind=kind,
        author=_person(actor),
        author_name=_name(actor)[:150],
        department=department,
        at=at,
        text=text,
        **extra,
    )


def _open_stage(appeal: Appeal, stage: str, start: datetime.datetime) -> StageRecord:
    allowed = TimeLimits.current().allowed(stage, appeal.appeal_class)
    return StageRecord.objects.create(
        appeal=appeal, stage=stage, started_at=start, due_at=start + allowed
    )


def _finish_stage(appeal: Appeal, stage: str, at: datetime.datetime) -> None:
    StageRecord.objects.filter(appeal=appeal, stage=stage, done_at__isnull=True).update(done_at=at)


def _next_number(year: int) -> str:
    prefix = f"SQ-{year}-"
    last = Appeal.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:04d}"


# --- the enterprise ------------------------------------------------------------------------


def raise_appeal(*, actor: Any, category: str, description: str, attachment: Any = None) -> Appeal:
    """An enterprise user raises an appeal; the routing stage starts now."""
    if not may(actor, ADD, Appeal):
        raise AppealError("not_allowed", status=403)
    enterprise = getattr(actor, "enterprise", None)
    if enterprise is None:
        raise AppealError("no_enterprise", status=403)
    if category not in Category.values:
        category = Category.OTHER
    text = _required(description, "description_required", "description")
    now = timezone.now()
    for attempt in range(3):
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    number=_next_number(local_year(now)),
                    enterprise=enterprise,
                    region=enterprise.region,
                    category=category,
                    description=text,
                    raised_by=_person(actor),
                )
                _entry(appeal, EntryKind.RAISED, actor, now, text, attachment=attachment or "")
                _open_stage(appeal, Stage.ROUTE, now)
                record_change(actor=actor, obj=appeal, action=ObjectChange.Action.CREATE)
                return appeal
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def confirm_closure(*, actor: Any, appeal: Appeal, satisfaction: Any, comment: str = "") -> Appeal:
    """The enterprise agrees the problem is solved (销号) and rates its satisfaction."""
    _allowed(actor, CONFIRM, appeal)
    try:
        rating = int(satisfaction)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise AppealError("rating_invalid", field="satisfaction")
    with transaction.atomic():
        appeal = _lock(appeal)
        _expect(appeal, AppealStatus.SOLVED)
        before = snapshot(appeal)
        now = timezone.now()
        appeal.status = AppealStatus.CLOSED
        appeal.closure = Closure.CONFIRMED
        appeal.closed_at = now
        appeal.satisfaction = rating
        appeal.save()
        _entry(appeal, EntryKind.CONFIRMED, actor, now, (comment or "").strip())
        record_change(actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before)
    return appeal


# --- the county office ---------------------------------------------------------------------


def route_appeal(
    *, actor: Any, appeal: Appeal, departments: Iterable[Any], note: str = ""
) -> Appeal:
    """The office sends the appeal to one or several responsible departments."""
    _allowed(actor, CHANGE, appeal)
    chosen = list({d.pk: d for d in departments}.values())
    if not chosen:
        raise AppealError("departments_required", field="departments")
    with transaction.atomic():
        appeal = _lock(appeal)
        _expect(appeal, AppealStatus.SUBMITTED)
        for department in chosen:
            if not appeal.region.path.startswith(department.region.path):
                raise AppealError("department_outside", field="departments")
        before = snapshot(appeal)
        now = timezone.now()
        Routing.objects.bulk_create(
            [Routing(appeal=appeal, department=d, routed_at=now) for d in chosen]
        )
        _finish_stage(appeal, Stage.ROUTE, now)
        _open_stage(appeal, Stage.ANSWER, now)
        appeal.status = AppealStatus.ROUTED
        appeal.save()
        names = "、".join(str(d) for d in chosen)
        text = f"{names}\n{note.strip()}" if (note or "").strip() else names
        _entry(appeal, EntryKind.ROUTED, actor, now, text)
        record_change(actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before)
    return appeal


def decide_reclassification(*, actor: Any, appeal: Appeal, approve: bool, note: str = "") -> Appeal:
    """The office approves (the solve limit becomes the complex one) or refuses with a reason."""
    _allowed(actor, CHANGE, appeal)
    text = (note or "").strip()
    if not approve and not text:
        raise AppealError("reason_required", field="note")
    with transaction.atomic():
        appeal = _lock(appeal)
        _expect(appeal, AppealStatus.ROUTED, AppealStatus.IN_PROGRESS)
        if appeal.reclass_requested_at is None:
            raise AppealError("no_reclass_pending")
        before = snapshot(appeal)
        now = timezone.now()
        appeal.reclass_requested_at = None
        appeal.reclass_reason = ""
        if approve:
            appeal.appeal_class = AppealClass.COMPLEX
            limits = TimeLimits.current()
            # The running solution stage keeps its start: only its limit grows.
            for stage in StageRecord.objects.filter(
                appeal=appeal, stage=Stage.SOLVE, done_at__isnull=True
            ):
                stage.due_at = stage.started_at + limits.allowed(Stage.SOLVE, AppealClass.COMPLEX)
                stage.save(update_fields=["due_at"])
        appeal.save()
        kind = EntryKind.RECLASS_APPROVED if approve else EntryKind.RECLASS_REFUSED
        _entry(appeal, kind, actor, now, text)
        record_change(
            actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before, reason=text
        )
    return appeal


def override_closure(*, actor: Any, appeal: Appeal, reason: str) -> Appeal:
    """The office closes an appeal without the enterprise's confirmation, in writing."""
    _allowed(actor, CHANGE, appeal)
    text = _required(reason, "reason_required", "reason")
    with transaction.atomic():
        appeal = _lock(appeal)
        _expect(appeal, *OPEN_STATUSES)
        before = snapshot(appeal)
        now = timezone.now()
        appeal.status = AppealStatus.CLOSED
        appeal.closure = Closure.OVERRIDDEN
        appeal.closed_at = now
        appeal.closure_reason = text
        appeal.save()
        _entry(appeal, EntryKind.OVERRIDDEN, actor, now, text)
        record_change(
            actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before, reason=text
        )
    return appeal


def record_return_visit(*, actor: Any, appeal: Appeal, note: str) -> Appeal:
    """The office records its return visit (回访) to the enterprise after closing."""
    _allowed(actor, CHANGE, appeal)
    text = _required(note, "text_required", "note")
    with transaction.atomic():
        appeal = _lock(appeal)
        if appeal.status != AppealStatus.CLOSED:
            raise AppealError("not_closed")
        before = snapshot(appeal)
        now = timezone.now()
        appeal.return_visit_at = now
        appeal.return_visit_note = text
        appeal.save()
        _entry(appeal, EntryKind.RETURN_VISIT, actor, now, text)
        record_change(actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before)
    return appeal


def set_time_limits(
    *,
    actor: Any,
    route_hours: Any,
    answer_hours: Any,
    solve_ordinary_days: Any,
    solve_complex_days: Any,
) -> TimeLimits:
    """The province sets the stages' time limits; stages opened from now on follow them."""
    if not may(actor, CHANGE, TimeLimits):
        raise AppealError("not_allowed", status=403)
    values = {
        "route_hours": route_hours,
        "answer_hours": answer_hours,
        "solve_ordinary_days": solve_ordinary_days,
        "solve_complex_days": solve_complex_days,
    }
    for name, raw in values.items():
        try:
            values[name] = int(raw)
        except (TypeError, ValueError):
            raise AppealError("limit_invalid", field=name) from None
        if values[name] <= 0:
            raise AppealError("limit_invalid", field=name)
    with transaction.atomic():
        limits = TimeLimits.objects.select_for_update().order_by("pk").first()
        before = snapshot(limits) if limits is not None else None
        if limits is None:
            limits = TimeLimits(**values)
        for name, value in values.items():
            setattr(limits, name, value)
        limits.save()
        action = ObjectChange.Action.CREATE if before is None else ObjectChange.Action.UPDATE
        record_change(actor=actor, obj=limits, action=action, before=before)
    return limits


# --- the responsible departments -----------------------------------------------------------


def answer_appeal(*, actor: Any, appeal: Appeal, text: str, attachment: Any = None) -> Entry:
    """A routed department answers: the first answer ends that stage, later ones are progress."""
    _allowed(actor, ANSWER, appeal)
    body = _required(text, "text_required", "text")
    with transaction.atomic():
        appeal = _lock(appeal)
        _expect(appeal, AppealStatus.ROUTED, AppealStatus.IN_PROGRESS)
        now = timezone.now()
        kind = EntryKind.PROGRESS
        if appeal.status == AppealStatus.ROUTED:
            before = snapshot(appeal)
            kind = EntryKind.ANSWER
            _finish_stage(appeal, Stage.ANSWER, now)
            _open_stage(appeal, Stage.SOLVE, now)
            appeal.status = AppealStatus.IN_PROGRESS
            appeal.save()
            record_change(actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before)
        return _entry(
            appeal, kind, actor, now, body, attachment=attachment or "", as_department=True
        )


def solve_appeal(*, actor: Any, appeal: Appeal, text: str, attachment: Any = None) -> Appeal:
    """A routed department reports the problem solved; the enterprise is asked to confirm."""
    _allowed(actor, ANSWER, appeal)
    body = _required(text, "text_required", "text")
    with transaction.atomic():
        appeal = _lock(appeal)
        _expect(appeal, AppealStatus.IN_PROGRESS)
        before = snapshot(appeal)
        now = timezone.now()
        _finish_stage(appeal, Stage.SOLVE, now)
        appeal.status = AppealStatus.SOLVED
        appeal.solved_at = now
        appeal.save()
        _entry(
            appeal,
            EntryKind.SOLVED,
            actor,
            now,
            body,
            attachment=attachment or "",
            as_department=True,
        )
        record_change(actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before)
    return appeal


def request_reclassification(*, actor: Any, appeal: Appeal, reason: str) -> Appeal:
    """A routed department asks the office to treat an ordinary appeal as complex."""
    _allowed(actor, ANSWER, appeal)
    text = _required(reason, "reason_required", "reason")
    with transaction.atomic():
        appeal = _lock(appeal)
        _expect(appeal, AppealStatus.ROUTED, AppealStatus.IN_PROGRESS)
        if appeal.appeal_class == AppealClass.COMPLEX:
            raise AppealError("already_complex")
        if appeal.reclass_requested_at is not None:
            raise AppealError("reclass_pending")
        before = snapshot(appeal)
        now = timezone.now()
        appeal.reclass_requested_at = now
        appeal.reclass_reason = text
        appeal.save()
        _entry(appeal, EntryKind.RECLASS_REQUESTED, actor, now, text, as_department=True)
        record_change(actor=actor, obj=appeal, action=ObjectChange.Action.UPDATE, before=before)
    return appeal


# --- the overdue job -----------------------------------------------------------------------


def flag_overdue_stages(*, now: datetime.datetime | None = None) -> int:
    """Stages past their limit: tell the departments and the office, raise appeal_overdue.

    Each stage is flagged once: the conditional UPDATE claims it, so a retried or concurrent
    job tells nobody twice.
    """
    now = now or timezone.now()
    due = StageRecord.objects.filter(
        done_at__isnull=True,
        overdue_at__isnull=True,
        due_at__lt=now,
        appeal__status__in=OPEN_STATUSES,
    ).select_related("appeal__region", "appeal__enterprise")
    flagged = 0
    cache: dict[Any, Any] = {}
    for stage in due:
        with transaction.atomic():
            claimed = StageRecord.objects.filter(pk=stage.pk, overdue_at__isnull=True).update(
                overdue_at=now
            )
            if not claimed:
                continue
            appeal = stage.appeal
            departments = (
                list(Routing.objects.filter(appeal=appeal).values_list("department_id", flat=True))
                if stage.stage != Stage.ROUTE
                else []
            )
            Notice.objects.bulk_create(
                [
                    Notice(appeal=appeal, stage=stage.stage, department_id=d, at=now)
                    for d in departments
                ]
                + [Notice(appeal=appeal, stage=stage.stage, office=appeal.region, at=now)]
            )
            hours = int((now - stage.due_at).total_seconds() // 3600)
            _entry(appeal, EntryKind.OVERDUE, None, now, str(stage.get_stage_display()))
            raise_alert(
                rule=RULE,
                region=appeal.region,
                subject_type=SubjectType.APPEAL,
                subject_ref=appeal.number,
                at=now,
                refs={"appeal": appeal.number, "enterprise": appeal.enterprise.uscc},
                evidence={"due_at": stage.due_at.isoformat(), "over_h": hours},
                occurrence=f"{appeal.number}:{stage.stage}",
                cache=cache,
                enterprise_id=appeal.enterprise_id,
                dedupe_extra=f"|{stage.stage}",
            )
            flagged += 1
    return flagged
