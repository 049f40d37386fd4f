"""Deadlines drive reminders: in-app notifications before and after an order's deadline, for
campaign targets behind, and one daily digest per person. Each is sent once (per order and
deadline, per target and due date, per person and day), so the daily job may run again."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oreledger.core.localtime import LOCAL
from oreledger.inspections.alert_rules import OVERDUE, behind_targets, open_orders, rule_param
from oreledger.inspections.models import InspectionGroup
from oreledger.trade.choices import NotificationKind
from oreledger.trade.models import Notification


def _once(kind: str, key: dict[str, Any], *, user: Any = None, enterprise: Any = None) -> bool:
    """Whether this message was left for this recipient before (params carry its key)."""
    rows = Notification.objects.filter(
        kind=kind, recipient_user=user, recipient_enterprise=enterprise
    )
    return rows.filter(**{f"params__{k}": v for k, v in key.items()}).exists()


def _leave(kind: str, params: dict[str, Any], key: tuple[str, ...], link: str, **to: Any) -> int:
    if _once(kind, {k: params[k] for k in key}, **to):
        return 0
    Notification.objects.create(
        kind=kind,
        params=params,
        link=link,
        recipient_user=to.get("user"),
        recipient_enterprise=to.get("enterprise"),
    )
    return 1


def _order_params(order: Any, today: datetime.date) -> dict[str, Any]:
    return {
        "order": order.number,
        "enterprise": order.enterprise.name,
        "deadline": order.deadline.isoformat(),
        "days": (order.deadline - today).days,
        "target": order.target,
    }


def remind_deadlines(*, now: datetime.datetime | None = None) -> int:
    """Tell the enterprise and the issuing officer of orders due within the reminder days or
    overdue, and the campaign's group leaders of targets behind; how many messages left."""
    today = (now or timezone.now()).astimezone(LOCAL).date()
    cache: dict[Any, Any] = {}
    sent = 0
    with transaction.atomic():
        order: Any
        for order in open_orders():
            ahead = rule_param(order.region, OVERDUE, "remind_days", cache)
            days = (order.deadline - today).days
            if days < 0:
                kind = NotificationKind.ORDER_OVERDUE
            elif ahead is not None and days <= float(ahead):
                kind = NotificationKind.ORDER_DUE_SOON
            else:
                continue
            params = _order_params(order, today)
            link = order.get_absolute_url()
            key = ("order", "deadline")
            sent += _leave(kind, params, key, link, enterprise=order.enterprise)
            if order.issued_by is not None:
                sent += _leave(kind, params, key, link, user=order.issued_by)
        for campaign, progress in behind_targets(today, cache):
            target = progress.target
            params = {
                "campaign": campaign.name,
                "target_id": target.pk,
                "target": str(target.get_kind_display()),
                "done": round(progress.pct, 1),
                "goal": target.goal_pct,
                "due_on": target.due_on.isoformat(),
            }
            for leader in _leaders(campaign):
                sent += _leave(
                    NotificationKind.TARGET_BEHIND,
                    params,
                    ("target_id", "due_on"),
                    campaign.get_absolute_url(),
                    user=leader,
                )
    return sent


def _leaders(campaign: Any) -> list[Any]:
    groups = InspectionGroup.objects.filter(campaign=campaign).select_related("leader")
    return sorted({g.leader for g in groups if g.leader.is_active}, key=lambda u: u.pk)


@dataclass
class Digest:
    """One person's open items of a day, as the digest counts them."""

    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    behind: int = 0

    def add_order(self, days_left: int, ahead: int) -> None:
        """Count an open order by how far its deadline lies."""
        self.open += 1
        if days_left < 0:
            self.overdue += 1
        elif days_left <= ahead:
            self.due_soon += 1


def digests(today: datetime.date, cache: dict[Any, Any] | None = None) -> dict[Any, Digest]:
    """Each person's open items: orders addressed to their enterprise or issued by them, and
    targets behind in campaigns whose groups they lead."""
    cache = {} if cache is None else cache
    users = get_user_model().objects.filter(is_active=True)
    by_person: dict[Any, Digest] = defaultdict(Digest)
    staff_of: dict[int, list[Any]] = defaultdict(list)
    orders = list(open_orders())
    for user in users.filter(enterprise_id__in={o.enterprise_id for o in orders}):
        staff_of[user.enterprise_id].append(user)
    order: Any
    for order in orders:
        ahead = rule_param(order.region, OVERDUE, "remind_days", cache)
        days_left = (order.deadline - today).days
        people = list(staff_of[order.enterprise_id])
        if order.issued_by is not None and order.issued_by.is_active:
            people.append(order.issued_by)
        for person in set(people):
            by_person[person].add_order(days_left, int(ahead or 0))
    for campaign, _progress in behind_targets(today, cache):
        for leader in _leaders(campaign):
            by_person[leader].behind += 1
    return dict(by_person)


def send_daily_digests(*, now: datetime.datetime | None = None) -> int:
    """Leave each person with open items one digest for the local day; how many were left."""
    today = (now or timezone.now()).astimezone(LOCAL).date()
    cache: dict[Any, Any] = {}
    link = reverse("inspections:order_list")
    sent = 0
    with transaction.atomic():
        for person, digest in sorted(digests(today, cache).items(), key=lambda p: p[0].pk):
            params = {"day": today.isoformat(), **digest.__dict__}
            sent += _leave(NotificationKind.DAILY_DIGEST, params, ("day",), link, user=person)
    return sent
