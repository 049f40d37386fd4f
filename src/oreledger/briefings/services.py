"""The briefing's use cases: figures of a week, a draft, its remarks, its issue."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from oreledger.accounts.models import Region, User
from oreledger.briefings.choices import BriefingStatus
from oreledger.briefings.errors import BriefingError
from oreledger.briefings.models import Briefing
from oreledger.briefings.sections import Week, sections
from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import ADD, APPROVE, CHANGE, may
from oreledger.dashboards.scope import Scope


def system_reader() -> User:
    """The office's own reading for the Monday job and the command: every row of the region.

    Unsaved: it signs nothing; the audit names the platform (系统) for what it writes.
    """
    return User(username="system", is_superuser=True, is_active=True)


def top_region() -> Region:
    """The province (the region without a parent)."""
    return Region.objects.get(parent__isnull=True)


def build_figures(scope: Scope, week: Week) -> dict[str, Any]:
    """Every figure of the briefing for the scope and week, keyed by section."""
    region = scope.region or top_region()
    return {
        "week": week.key,
        "from": week.monday.isoformat(),
        "until": week.until.isoformat(),
        "complete": week.complete,
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "built_at": timezone.localtime().isoformat(timespec="seconds"),
        "sections": {
            section.key: {"title": str(section.title), **section.figures(scope, week)}
            for section in sections()
        },
    }


def figures_of(briefing: Briefing, reader: Any) -> dict[str, Any]:
    """What the briefing reports: the frozen figures once issued, today's while a draft."""
    if briefing.issued:
        return dict(briefing.figures)
    scope = Scope(reader, briefing.region, None)
    return build_figures(scope, Week.parse(briefing.week))


def draft_briefing(*, actor: Any, region: Region, week: Week) -> Briefing:
    """The region's briefing for the week: the one already there, or a new draft."""
    if getattr(actor, "pk", None) is not None and not may(actor, ADD, Briefing):
        raise BriefingError("not_allowed", status=403)
    with transaction.atomic():
        briefing, created = Briefing.objects.get_or_create(region=region, week=week.key)
        if created:
            record_change(actor=actor, obj=briefing, action=ObjectChange.Action.CREATE)
    return briefing


def update_narrative(*, actor: Any, briefing: Briefing, remarks: str, priorities: str) -> Briefing:
    """Write the leader's remarks and next week's priorities of a draft."""
    if not may(actor, CHANGE, Briefing):
        raise BriefingError("not_allowed", status=403)
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        if briefing.issued:
            raise BriefingError("already_issued", status=409)
        before = snapshot(briefing)
        briefing.remarks, briefing.priorities = remarks.strip(), priorities.strip()
        briefing.save(update_fields=["remarks", "priorities", "updated_at"])
        record_change(actor=actor, obj=briefing, action=ObjectChange.Action.UPDATE, before=before)
    return briefing


def issue_briefing(*, actor: Any, briefing: Briefing, reader: Any = None) -> Briefing:
    """Issue a draft: its figures are read once more and frozen with the remarks."""
    if getattr(actor, "pk", None) is not None and not may(actor, APPROVE, Briefing):
        raise BriefingError("not_allowed", status=403)
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        if briefing.issued:
            raise BriefingError("already_issued", status=409)
        before = snapshot(briefing)
        briefing.figures = build_figures(
            Scope(reader or actor, briefing.region, None), Week.parse(briefing.week)
        )
        briefing.status = BriefingStatus.ISSUED
        briefing.issued_at = timezone.now()
        briefing.issued_by = actor if getattr(actor, "pk", None) is not None else None
        briefing.save()
        record_change(actor=actor, obj=briefing, action=ObjectChange.Action.UPDATE, before=before)
    return briefing


def draft_last_week(*, now: datetime.datetime | None = None) -> Briefing | None:
    """On Monday from 08:00 (Asia/Shanghai): the province's draft for the week before."""
    local = timezone.localtime(now or timezone.now())
    if local.weekday() != 0 or local.hour < 8:
        return None
    week = Week.of(local.date() - datetime.timedelta(days=7))
    return draft_briefing(actor=None, region=top_region(), week=week)
