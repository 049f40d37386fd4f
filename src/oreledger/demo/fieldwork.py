"""The demo's joint inspections: the campaigns of the demo bundle under way, with visits,
findings, rectification orders in every state and classification decisions of all four
kinds (整治提升, 兼并重组, 搬迁入园, 关停取缔).

Every step goes through the inspections services, as the county's, the enterprise's and the
departments' clicks would, at its own moment of the past weeks (the services' clock is set
to it, as demo.appeals does), so that deadlines, overdue orders and audit rows read like a
real history.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.utils import timezone

from oreledger.accounts.choices import Role
from oreledger.accounts.models import DepartmentKind, Region, User
from oreledger.accounts.services import department_for, save_user
from oreledger.core.localtime import local_midnight
from oreledger.demo.names import person_name
from oreledger.inspections.choices import CampaignStatus
from oreledger.inspections.models import Campaign, RectificationOrder
from oreledger.inspections.queries import (
    checklists_for,
    enterprises_in_scope,
    items_for,
    site_in_scope,
)
from oreledger.inspections.services import (
    answer_order,
    decide_classification,
    issue_order,
    sign_acceptance,
    submit_inspection,
)
from oreledger.registry.models import Enterprise
from oreledger.trade.models import Contract

# Enterprises visited per campaign (a park's campaign visits the whole park).
VISITS = 18
FAIL_SHARE = 0.12
# Of the orders: answered and signed off, answered and awaiting signatures, still issued.
CLOSED_SHARE, ANSWERED_SHARE = 0.35, 0.3
# The decisions a campaign has taken so far, in the order they are handed out.
DECISIONS = (
    ("shut_eliminate", "窑炉属淘汰类且无整改价值，依法关停取缔"),
    ("relocate_park", "位于居民区附近，限期搬迁入园"),
    ("merge_reorganise", "规模小、产能低，由龙头企业兼并重组"),
    ("retain_upgrade", "手续齐全、规模达标，整治提升后保留"),
    ("retain_upgrade", "整改到位，保留并提升环保设施"),
    ("merge_reorganise", "同一矿区多家企业，整合为一个开采主体"),
    ("relocate_park", "不符合规划，限期搬迁至产业园区"),
    ("retain_upgrade", "安全设施达标，保留"),
)
MEASURES = "按检查表逐项整改，整改完成后书面报告并申请验收"


@contextmanager
def _clock(at: datetime.datetime) -> Iterator[None]:
    """The services' clock set to a moment of the demo's past (demo seeding only)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _user(username: str, role: str, region: Region, **links: Any) -> Any:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User(username=username, role=role, region=region,
                display_name=person_name(random.Random(username)), **links)  # fmt: skip
    user.set_unusable_password()
    return save_user(actor=None, user=user)


def _office(region: Region) -> Any:
    """The organising county's operator: its demo login if it has one."""
    login = User.objects.filter(role=Role.COUNTY_OPERATOR, region=region).order_by("username")
    return login.first() or _user(f"inspect_office_{region.code}", Role.COUNTY_OPERATOR, region)


def _officer(kind: DepartmentKind, region: Region) -> Any:
    """The department's officer in the county: its demo login if it has one."""
    department = department_for(kind_code=kind.code, region=region)
    login = User.objects.filter(role=Role.DEPARTMENT_OFFICER, department=department)
    return login.order_by("username").first() or _user(
        f"inspect_{region.code}_{kind.code}", Role.DEPARTMENT_OFFICER, region,
        department=department,
    )  # fmt: skip


def create_demo_fieldwork(*, seed: int, now: datetime.datetime) -> dict[str, int]:
    """Visits, findings, orders and decisions for every campaign under way."""
    counts = {"campaigns": 0, "inspections": 0, "findings": 0, "orders": 0, "decisions": 0}
    campaigns = Campaign.objects.filter(status=CampaignStatus.ACTIVE).order_by("pk")
    for campaign in campaigns.select_related("region"):
        rng = random.Random(f"{seed}-{campaign.pk}")
        counts["campaigns"] += 1
        visited = _visit_all(campaign, rng, now, counts)
        # Decisions go first to enterprises that sell under no contract: shutting a mine the
        # market and the weighbridges of the demo rely on would leave them without traffic.
        selling = set(Contract.objects.values_list("seller_id", flat=True))
        visited.sort(key=lambda enterprise: enterprise.pk in selling)
        with _clock(now - datetime.timedelta(days=2)):
            for enterprise, (classification, reason) in zip(visited, DECISIONS, strict=False):
                decide_classification(actor=_office(campaign.region), enterprise=enterprise,
                                      classification=classification, reason=reason,
                                      campaign=campaign)  # fmt: skip
                counts["decisions"] += 1
    return counts


def _visit_all(
    campaign: Campaign, rng: random.Random, now: datetime.datetime, counts: dict[str, int]
) -> list[Enterprise]:
    """Visit the campaign's enterprises (a sample of them) between its start and today."""
    today = timezone.localtime(now).date()
    start = max(campaign.starts_on, today - datetime.timedelta(days=40))
    days = max((today - start).days, 1)
    # The demo logins' enterprises stay as they are: the other journeys of the demo use them.
    logins = User.objects.filter(role=Role.ENTERPRISE_USER).values("enterprise")
    enterprises = list(enterprises_in_scope(campaign).exclude(pk__in=logins).order_by("uscc"))
    if campaign.enterprise_kinds != ["chemical"]:
        enterprises = rng.sample(enterprises, min(VISITS, len(enterprises)))
    visited = []
    for enterprise in enterprises:
        site = enterprise.sites.order_by("code").first()
        if site is None or not site_in_scope(campaign, site):
            continue
        day = start + datetime.timedelta(days=rng.randrange(days))
        at = local_midnight(day) + datetime.timedelta(hours=rng.randint(9, 16))
        if at >= now:
            continue
        items = list(items_for(checklists_for(campaign, enterprise.industry)))
        if not items:
            continue
        failing = {item.pk for item in items if rng.random() < FAIL_SHARE}
        results = [
            {"item": item.pk, "outcome": "fail" if item.pk in failing else "pass",
             "note": "现场检查发现问题，已拍照取证" if item.pk in failing else ""}
            for item in items
        ]  # fmt: skip
        with _clock(at):
            inspection, _ = submit_inspection(
                actor=_office(campaign.region), campaign=campaign, site=site,
                submission_key=uuid.UUID(int=rng.getrandbits(128)), inspected_on=day,
                results=results,
            )  # fmt: skip
        counts["inspections"] += 1
        visited.append(enterprise)
        findings = list(inspection.findings.all())
        counts["findings"] += len(findings)
        if findings:
            _rectify(campaign, findings, at, rng, now)
            counts["orders"] += 1
    return visited


def _rectify(
    campaign: Campaign, findings: list[Any], at: datetime.datetime, rng: random.Random,
    now: datetime.datetime,
) -> RectificationOrder:  # fmt: skip
    """Issue the order; then, as its luck has it, answer it and have every department sign."""
    office = _office(campaign.region)
    issued_at = at + datetime.timedelta(hours=2)
    deadline = issued_at.date() + datetime.timedelta(days=rng.choice((7, 10, 15, 20, 30)))
    enterprise = findings[0].enterprise
    with _clock(issued_at):
        order = issue_order(actor=office, findings=findings,
                            target=f"{len(findings)} 项问题全部整改到位", measures=MEASURES,
                            deadline=deadline,
                            responsible_person=enterprise.legal_rep or "企业负责人")  # fmt: skip
    luck = rng.random()
    answered_at = issued_at + datetime.timedelta(days=rng.randint(3, 8))
    if luck >= CLOSED_SHARE + ANSWERED_SHARE or answered_at >= now:
        return order
    with _clock(answered_at):
        answer_order(actor=None, order=order, text="已按要求完成整改，附整改前后照片。")
    if luck >= CLOSED_SHARE:
        return order
    signed_at = answered_at + datetime.timedelta(days=1)
    if signed_at >= now:
        return order
    for signoff in order.signoffs.select_related("department_kind"):
        with _clock(signed_at):
            sign_acceptance(actor=_officer(signoff.department_kind, campaign.region),
                            order=order, note="现场复查，整改到位")  # fmt: skip
    return order
