"""The inspections' early-warning rules (docs/reference/rules.md): deadlines passed.

rectification_overdue and inspection_target_behind are record rules of the alerts engine,
run once a day by `inspections.jobs`; each occurrence has a key, so a re-run raises nothing
twice. A deadline is a whole local day: an order due today is not overdue until tomorrow.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from oreledger.alerts.choices import SubjectType
from oreledger.alerts.engine import Finding, effective_rules, register_record_rule, run_rule
from oreledger.core.localtime import LOCAL
from oreledger.inspections.choices import CampaignStatus, OrderStatus
from oreledger.inspections.models import Campaign, RectificationOrder
from oreledger.inspections.queries import campaign_counts, campaign_progress

OVERDUE = "rectification_overdue"
BEHIND = "inspection_target_behind"


def rule_param(region: Any, code: str, name: str, cache: dict[Any, Any]) -> Any:
    """A threshold of a rule as it applies in `region`; None when the rule is switched off."""
    rule = effective_rules(region, cache).get(code)
    return None if rule is None or not rule.enabled else rule.params.get(name)


def open_orders() -> Any:
    """Orders not yet signed off, with what a reminder or an alert names."""
    return (
        RectificationOrder.objects.exclude(status=OrderStatus.CLOSED)
        .select_related("region", "enterprise", "site", "issued_by")
        .order_by("deadline", "pk")
    )


@register_record_rule(OVERDUE)
def _rectification_overdue(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Open orders whose deadline (plus the grace days) lies before today."""
    today = now.astimezone(LOCAL).date()
    order: Any
    for order in open_orders().filter(deadline__lt=today):
        grace = rule_param(order.region, OVERDUE, "grace_days", cache)
        if grace is None:
            continue
        over = (today - order.deadline).days
        if over <= float(grace):
            continue
        missing = order.signoffs.filter(signed_at__isnull=True).count()
        yield Finding(
            region=order.region,
            subject_type=SubjectType.ORDER,
            subject_ref=order.number,
            at=now,
            refs={
                "order": order.number,
                "enterprise": order.enterprise.uscc,
                "site": order.site.code,
                "campaign": str(order.campaign_id),
            },
            evidence={
                "target": order.target,
                "deadline": order.deadline.isoformat(),
                "over_days": over,
                "grace_days": grace,
                "signoffs_missing": missing,
            },
            # Once per order and deadline: a later run the same month counts nothing twice.
            occurrence=f"{OVERDUE}|{order.number}|{order.deadline}",
            enterprise_id=order.enterprise_id,
            site_id=order.site_id,
        )


def behind_targets(today: datetime.date, cache: dict[Any, Any]) -> Iterator[tuple[Any, Any]]:
    """(campaign, progress) of each target of an active campaign past its due date (plus the
    grace days) whose computed share is below its goal."""
    campaigns = Campaign.objects.filter(status=CampaignStatus.ACTIVE).select_related("region")
    campaign: Any
    for campaign in campaigns.prefetch_related("targets"):
        targets = list(campaign.targets.all())
        due = []
        for target in targets:
            grace = rule_param(campaign.region, BEHIND, "grace_days", cache)
            if grace is not None and (today - target.due_on).days > float(grace):
                due.append(target)
        if not due:
            continue
        counts = campaign_counts(campaign)
        for progress in campaign_progress(campaign, counts, due):
            if not progress.reached:
                yield campaign, progress


@register_record_rule(BEHIND)
def _inspection_target_behind(now: datetime.datetime, cache: dict[Any, Any]) -> Iterator[Finding]:
    """Targets of active campaigns below their goal after their due date."""
    today = now.astimezone(LOCAL).date()
    for campaign, progress in behind_targets(today, cache):
        target = progress.target
        yield Finding(
            region=campaign.region,
            subject_type=SubjectType.CAMPAIGN,
            subject_ref=str(campaign.pk),
            at=now,
            refs={"campaign": str(campaign.pk)},
            evidence={
                "target": str(target.get_kind_display()),
                "due_on": target.due_on.isoformat(),
                "goal_pct": target.goal_pct,
                "done_pct": round(progress.pct, 1),
                "over_days": (today - target.due_on).days,
            },
            occurrence=f"{BEHIND}|{target.pk}|{target.due_on}|{target.goal_pct}",
            dedupe_extra=f"|{target.pk}",
        )


def rectification_overdue(*, now: datetime.datetime | None = None) -> int:
    """rectification_overdue: the registered rule run once (`alerts.engine.run_rule`)."""
    return run_rule(OVERDUE, now=now)


def inspection_target_behind(*, now: datetime.datetime | None = None) -> int:
    """inspection_target_behind: the registered rule run once."""
    return run_rule(BEHIND, now=now)
