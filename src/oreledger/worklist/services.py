"""Use cases of the worklist: groups and tasks set up, progress reported, weeks confirmed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oreledger.accounts.choices import RegionLevel
from oreledger.accounts.models import Department, Region, User
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import (
    CHANGE,
    COUNTY_OPERATOR,
    PROVINCE_OFFICE,
    get_for_user,
)
from oreledger.trade.choices import NotificationKind
from oreledger.trade.models import Notification
from oreledger.worklist.choices import TaskStatus
from oreledger.worklist.errors import WorklistError
from oreledger.worklist.models import (
    Milestone,
    ProgressReport,
    ReportingRules,
    Task,
    WeeklyConfirmation,
    WorkingGroup,
)
from oreledger.worklist.policies import REPORT
from oreledger.worklist.queries import statuses, today_local, with_progress

CREATE = ObjectChange.Action.CREATE
UPDATE = ObjectChange.Action.UPDATE


def _allowed(actor: Any, role_set: Iterable[str]) -> None:
    """A person (not the system) must hold one of the roles."""
    if actor is None or actor.is_superuser:
        return
    if getattr(actor, "role", None) not in set(role_set):
        raise WorklistError("not_allowed", status=403)


def create_working_group(
    *,
    actor: Any,
    name: str,
    region: Region,
    lead_department: Department,
    members: Sequence[Department] = (),
    leader: User | None = None,
    ordering: int = 0,
) -> WorkingGroup:
    """Set up a working group of the joint action (the province)."""
    _allowed(actor, {PROVINCE_OFFICE})
    with transaction.atomic():
        group = WorkingGroup.objects.create(
            name=name,
            region=region,
            lead_department=lead_department,
            leader=leader,
            ordering=ordering,
        )
        group.members.set(members)
        record_change(actor=actor, obj=group, action=CREATE)
    return group


def create_task(
    *,
    actor: Any,
    group: WorkingGroup,
    number: str,
    title: str,
    responsible_department: Department,
    start: datetime.date,
    due: datetime.date,
    measures: str = "",
    completion_standard: str = "",
    responsible_person: User | None = None,
    milestones: Sequence[tuple[str, datetime.date]] = (),
) -> Task:
    """Give a working group a task with its time nodes (the province)."""
    _allowed(actor, {PROVINCE_OFFICE})
    if due < start:
        raise WorklistError("due_before_start", field="due")
    if any(not start <= day <= due for _, day in milestones):
        raise WorklistError("milestone_outside", field="milestones")
    with transaction.atomic():
        task = Task.objects.create(
            group=group,
            number=number,
            title=title,
            measures=measures,
            completion_standard=completion_standard,
            responsible_department=responsible_department,
            region=responsible_department.region,
            responsible_person=responsible_person,
            start=start,
            due=due,
        )
        Milestone.objects.bulk_create(
            Milestone(task=task, title=text, due=day) for text, day in milestones
        )
        record_change(actor=actor, obj=task, action=CREATE)
    return task


def _task_for(actor: Any, task: Task, action: str) -> Task:
    queryset = Task.objects.select_for_update()
    if actor is None:
        return queryset.get(pk=task.pk)
    return get_for_user(queryset, actor, action, pk=task.pk)


def report_progress(
    *,
    actor: Any,
    task: Task,
    week: datetime.date,
    text: str,
    percent: int,
    problems: str = "",
    help_needed: str = "",
    on: datetime.date | None = None,
) -> ProgressReport:
    """The responsible unit reports a week's progress (again the same week: replaced)."""
    if not text.strip():
        raise WorklistError("text_required", field="text")
    if not 0 <= percent <= 100:
        raise WorklistError("percent_invalid", field="percent")
    if week.weekday() != 0:
        raise WorklistError("not_a_week", field="week")
    with transaction.atomic():
        task = _task_for(actor, task, REPORT)
        report, created = ProgressReport.objects.update_or_create(
            task=task,
            week=week,
            defaults={
                "text": text.strip(),
                "percent": percent,
                "problems": problems.strip(),
                "help_needed": help_needed.strip(),
                "reported_by": actor,
                "reported_on": on or today_local(),
            },
        )
        record_change(actor=actor, obj=report, action=CREATE if created else UPDATE)
    return report


def complete_milestone(
    *, actor: Any, milestone: Milestone, on: datetime.date | None = None
) -> Milestone:
    """Record the day a time node was reached."""
    with transaction.atomic():
        _task_for(actor, milestone.task, REPORT)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before = snapshot(milestone)
        milestone.done_on = on or today_local()
        milestone.save(update_fields=["done_on"])
        record_change(actor=actor, obj=milestone, action=UPDATE, before=before)
    return milestone


def complete_task(*, actor: Any, task: Task, on: datetime.date | None = None) -> Task:
    """Record the day the task met its completion standard (the province signs it off)."""
    with transaction.atomic():
        task = _task_for(actor, task, CHANGE)
        if task.completed_on is not None:
            raise WorklistError("already_done", status=409)
        before = snapshot(task)
        task.completed_on = on or today_local()
        task.save(update_fields=["completed_on", "updated_at"])
        record_change(actor=actor, obj=task, action=UPDATE, before=before)
    return task


def confirm_week(
    *,
    actor: Any,
    region: Region,
    week: datetime.date,
    comment: str = "",
    at: datetime.datetime | None = None,
) -> WeeklyConfirmation:
    """A county confirms its data for a week is complete (数据上报); once, later ones refused."""
    at = at or timezone.now()
    if region.level != RegionLevel.COUNTY:
        raise WorklistError("not_a_county", field="region")
    if week.weekday() != 0:
        raise WorklistError("not_a_week", field="week")
    if week > today_local() and at >= timezone.now():
        raise WorklistError("future_week", field="week")
    outsider = actor.role != COUNTY_OPERATOR or actor.region_id != region.pk if actor else False
    if actor is not None and not actor.is_superuser and outsider:
        raise WorklistError("not_allowed", status=403)
    with transaction.atomic():
        # A county whose confirmations come from another platform (its node) confirms there:
        # one made here would collide with the node's for the same week on its way up.
        weeks = WeeklyConfirmation.objects.filter(region=region)
        elsewhere = weeks.exclude(owner_node=settings.OL_NODE_CODE)
        if not weeks.filter(week=week).exists() and elsewhere.exists():
            raise WorklistError("confirmed_on_node", status=409)
        confirmation, created = WeeklyConfirmation.objects.get_or_create(
            region=region,
            week=week,
            defaults={"confirmed_at": at, "confirmed_by": actor, "comment": comment.strip()},
        )
        if created:
            record_change(actor=actor, obj=confirmation, action=CREATE)
    return confirmation


def set_grace_days(*, actor: Any, grace_days: int) -> ReportingRules:
    """The province sets how many days after Sunday a confirmation is still on time."""
    _allowed(actor, {PROVINCE_OFFICE})
    if not 0 <= grace_days <= 14:
        raise WorklistError("grace_invalid", field="grace_days")
    with transaction.atomic():
        rules = ReportingRules.objects.select_for_update().order_by("pk").first()
        rules = rules or ReportingRules()
        before = snapshot(rules) if rules.pk else None
        rules.grace_days = grace_days
        if before is not None:
            rules.bump_version()
        rules.save()
        record_change(actor=actor, obj=rules, action=UPDATE if before else CREATE, before=before)
    return rules


NOTIFIED = {
    TaskStatus.AT_RISK: NotificationKind.TASK_AT_RISK,
    TaskStatus.OVERDUE: NotificationKind.TASK_OVERDUE,
}


def _office(task: Task) -> list[User]:
    """The office of the task's region: the county operators, or the province office."""
    role = COUNTY_OPERATOR if task.region.level == RegionLevel.COUNTY else PROVINCE_OFFICE
    return list(User.objects.filter(role=role, region_id=task.region_id, is_active=True))


def notify_task_statuses(today: datetime.date | None = None) -> int:
    """Tell owner and office of tasks turned at risk or overdue, once per change of state."""
    today = today or today_local()
    sent = 0
    tasks = with_progress(
        Task.objects.filter(completed_on__isnull=True).select_related("region", "group")
    )
    for task in tasks:
        status = statuses([task], today)[task.pk]
        kind = NOTIFIED.get(status)
        if kind is None:
            if task.notified_status:
                Task.objects.filter(pk=task.pk).update(notified_status="")
            continue
        if task.notified_status == status:
            continue
        with transaction.atomic():
            recipients = {u.pk: u for u in _office(task)}
            if task.responsible_person is not None:
                recipients[task.responsible_person.pk] = task.responsible_person
            for user in recipients.values():
                Notification.objects.create(
                    recipient_user=user,
                    kind=kind,
                    params={"task": task.number, "title": task.title, "due": str(task.due)},
                    link=task.get_absolute_url(),
                )
                sent += 1
            Task.objects.filter(pk=task.pk).update(notified_status=status.value)
    return sent
