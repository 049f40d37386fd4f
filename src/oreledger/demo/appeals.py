"""The demo province's appeals desk: about a dozen appeals per county, in every stage.

Each appeal goes through the appeals services, as the enterprise's, the office's and the
departments' clicks would, each step at its own moment of the past weeks: the clock the
services read (`django.utils.timezone.now`) is set to that moment, so that stages, limits,
timelines, audit rows and overdue notices read like a real history. The steps of all appeals
run in time order, so numbers follow the order in which the appeals were raised.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from oreledger.accounts.choices import RegionLevel, Role
from oreledger.accounts.models import Department, Region, User
from oreledger.accounts.services import department_for, save_user
from oreledger.appeals import services
from oreledger.appeals.choices import Category
from oreledger.appeals.models import Appeal
from oreledger.core.localtime import LOCAL
from oreledger.demo.names import person_name
from oreledger.registry.models import Enterprise

PER_COUNTY = 12
ENTERPRISES_PER_COUNTY = 4

# The department that usually answers each kind of problem (a second one joins at times).
RESPONSIBLE: dict[str, str] = {
    Category.PERMITS: "development_reform",
    Category.LAND: "natural_resources",
    Category.FINANCE: "development_reform",
    Category.UTILITIES: "development_reform",
    Category.LOGISTICS: "transport",
    Category.POLICY: "development_reform",
    Category.MARKET: "market_regulation",
    Category.OTHER: "development_reform",
}
SECOND: dict[str, str] = {
    Category.LAND: "ecology_environment",
    Category.LOGISTICS: "natural_resources",
}

PROBLEMS: dict[str, str] = {
    Category.PERMITS: "采矿许可证延续材料已提交两个月，尚未受理，影响正常生产。",
    Category.LAND: "新建尾矿库用地预审迟迟未批，项目无法开工。",
    Category.FINANCE: "技改项目流动资金紧张，希望协调银行续贷。",
    Category.UTILITIES: "矿区变电站容量不足，新增破碎线无法通电。",
    Category.LOGISTICS: "通往厂区的乡道路面损坏严重，重载车辆通行困难。",
    Category.POLICY: "希望明确超低排放改造补贴的申报条件和时间。",
    Category.MARKET: "下游耐火材料企业压价，希望了解平台交易价格指数的发布安排。",
    Category.OTHER: "厂区周边村民反映运输扬尘问题，希望协调沟通。",
}


@dataclass(frozen=True)
class Step:
    """One click of the appeal's history: when (hours after it was raised) and what."""

    hours: float
    action: str  # route, answer, progress, ask_complex, approve, solve, confirm, override, visit


# The stages the demo shows, each with its history (hours after raising) and how long ago
# (days before now, give or take a fifth) it was raised: every step of a scenario lies before
# four fifths of its age, so each appeal is in its stage at any hour. Limits: route 24 h,
# answer 72 h, solve 7 or 30 days.
SCENARIOS: tuple[tuple[str, float, tuple[Step, ...]], ...] = (
    ("new", 0.2, ()),
    ("routed", 1.5, (Step(5, "route"),)),
    ("answered", 4, (Step(3, "route"), Step(30, "answer"))),
    ("solving", 6, (Step(2, "route"), Step(20, "answer"), Step(80, "progress"))),
    ("complex_asked", 7, (Step(4, "route"), Step(26, "answer"), Step(100, "ask_complex"))),
    (
        "complex",
        20,
        (Step(6, "route"), Step(40, "answer"), Step(90, "ask_complex"), Step(98, "approve")),
    ),
    ("overdue", 14, (Step(20, "route"), Step(60, "answer"), Step(120, "progress"))),
    ("awaiting_confirmation", 9, (Step(3, "route"), Step(24, "answer"), Step(150, "solve"))),
    (
        "confirmed",
        25,
        (Step(2, "route"), Step(20, "answer"), Step(110, "solve"), Step(130, "confirm")),
    ),
    # Solved a day late: the ledger's "solved within limit" is not every solved appeal.
    (
        "confirmed_late",
        35,
        (Step(26, "route"), Step(90, "answer"), Step(90 + 8 * 24, "solve"), Step(300, "confirm")),
    ),
    ("overridden", 30, (Step(4, "route"), Step(50, "answer"), Step(200, "override"))),
    (
        "visited",
        40,
        (
            Step(3, "route"),
            Step(22, "answer"),
            Step(100, "solve"),
            Step(120, "confirm"),
            Step(300, "visit"),
        ),
    ),
)


@contextmanager
def _clock(at: datetime.datetime) -> Iterator[None]:
    """The services' clock set to a moment of the demo's past (demo seeding only)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


@dataclass
class _Cast:
    """Who acts on one county's appeals."""

    office: Any
    officers: dict[int, Any]

    def officer(self, department: Department) -> Any:
        """The department's officer: its demo login if it has one, else a user made for it."""
        if department.pk not in self.officers:
            login = (
                User.objects.filter(role=Role.DEPARTMENT_OFFICER, department=department)
                .order_by("username")
                .first()
            )
            self.officers[department.pk] = login or _user(
                f"appeal_dept_{department.region.code}_{department.kind.code}",
                Role.DEPARTMENT_OFFICER,
                department.region,
                department=department,
                seed=department.pk,
            )
        return self.officers[department.pk]


def _user(username: str, role: str, region: Region, *, seed: int, **links: Any) -> Any:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User(
        username=username,
        role=role,
        region=region,
        display_name=person_name(random.Random(seed)),
        **links,
    )
    user.set_unusable_password()
    return save_user(actor=None, user=user)


def _raisers(county: Region, rng: random.Random) -> list[Any]:
    """Enterprise users of the county: the demo logins first, then one per chosen enterprise."""
    existing = list(
        User.objects.filter(role=Role.ENTERPRISE_USER, enterprise__region=county)
        .select_related("enterprise")
        .order_by("username")
    )
    taken = {u.enterprise_id for u in existing}
    others = list(
        Enterprise.objects.filter(region=county).exclude(pk__in=taken).order_by("uscc")[:40]
    )
    chosen = rng.sample(others, min(len(others), max(0, ENTERPRISES_PER_COUNTY - len(existing))))
    created = [
        _user(f"appeal_ent_{e.uscc}", Role.ENTERPRISE_USER, county, enterprise=e, seed=e.pk)
        for e in chosen
    ]
    return existing + created


def _office(county: Region) -> Any:
    operator = (
        User.objects.filter(role=Role.COUNTY_OPERATOR, region=county).order_by("username").first()
    )
    return operator or _user(
        f"appeal_office_{county.code}", Role.COUNTY_OPERATOR, county, seed=county.pk
    )


def _moment(now: datetime.datetime, days_ago: float, rng: random.Random) -> datetime.datetime:
    """A moment at least `days_ago` before now, in office hours where the past allows.

    Never later than `days_ago` before now, so that every step a scenario plans before that
    age has happened by now, at whatever hour the demo is loaded.
    """
    at = now - datetime.timedelta(days=days_ago)
    local = at.astimezone(LOCAL)
    if days_ago >= 1:
        local = local.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
        if local > at:
            local -= datetime.timedelta(days=1)
    return min(local, now - datetime.timedelta(minutes=5))


def create_demo_appeals(*, seed: int, now: datetime.datetime) -> dict[str, int]:
    """About a dozen appeals per county with enterprises, each in the stage its scenario says."""
    rng = random.Random(seed)
    events: list[tuple[datetime.datetime, int, Callable[[], None]]] = []
    counties = Region.objects.filter(
        level=RegionLevel.COUNTY, pk__in=Enterprise.objects.values("region_id")
    ).order_by("code")
    appeals: dict[int, Appeal] = {}
    for county in counties:
        raisers = _raisers(county, rng)
        if not raisers:
            continue
        cast = _Cast(_office(county), {})
        for n in range(PER_COUNTY):
            _name, days_ago, steps = SCENARIOS[n % len(SCENARIOS)]
            raised_at = _moment(now, days_ago * rng.uniform(0.8, 1.2), rng)
            category = rng.choice(Category.values)
            key = len(events)
            plan = _Plan(key, appeals, cast, raisers[n % len(raisers)], category, rng, county)
            events.append((raised_at, key, plan.raise_))
            for step in steps:
                at = raised_at + datetime.timedelta(hours=step.hours)
                if at < now:
                    events.append((at, key, plan.step(step.action)))
    for at, _key, act in sorted(events, key=lambda e: (e[0], e[1])):
        with _clock(at):
            # The overdue job runs through the day: the stages late by now are told first.
            services.flag_overdue_stages(now=at)
            act()
    with _clock(now):
        services.flag_overdue_stages(now=now)
    return {"appeals": len(appeals), "counties": counties.count()}


@dataclass
class _Plan:
    """One appeal's clicks, bound to its people."""

    key: int
    appeals: dict[int, Appeal]
    cast: _Cast
    raiser: Any
    category: str
    rng: random.Random
    county: Region

    def raise_(self) -> None:
        self.appeals[self.key] = services.raise_appeal(
            actor=self.raiser, category=self.category, description=PROBLEMS[self.category]
        )

    def departments(self) -> list[Department]:
        kinds = [RESPONSIBLE[self.category]]
        if self.category in SECOND and self.rng.random() < 0.5:
            kinds.append(SECOND[self.category])
        return [department_for(kind_code=k, region=self.county) for k in kinds]

    def step(self, action: str) -> Callable[[], None]:
        return lambda: self._do(action)

    def _do(self, action: str) -> None:
        appeal = Appeal.objects.get(pk=self.appeals[self.key].pk)
        office = self.cast.office
        first = appeal.routings.select_related("department__kind", "department__region").first()
        officer = self.cast.officer(first.department) if first is not None else None
        if action == "route":
            services.route_appeal(
                actor=office, appeal=appeal, departments=self.departments(), note="请按时限办理。"
            )
        elif action == "answer":
            services.answer_appeal(
                actor=officer, appeal=appeal, text="已受理，正在与相关单位核实情况。"
            )
        elif action == "progress":
            services.answer_appeal(
                actor=officer, appeal=appeal, text="已召开协调会，方案正在报批。"
            )
        elif action == "ask_complex":
            services.request_reclassification(
                actor=officer, appeal=appeal, reason="涉及多个部门审批，需按复杂诉求办理。"
            )
        elif action == "approve":
            services.decide_reclassification(
                actor=office, appeal=appeal, approve=True, note="同意按复杂诉求办理。"
            )
        elif action == "solve":
            services.solve_appeal(actor=officer, appeal=appeal, text="问题已解决，请企业确认。")
        elif action == "confirm":
            services.confirm_closure(
                actor=self.raiser,
                appeal=appeal,
                satisfaction=self.rng.choice((3, 4, 4, 5, 5, 5)),
                comment="问题已解决，感谢。",
            )
        elif action == "override":
            services.override_closure(
                actor=office, appeal=appeal, reason="企业已停产整合，诉求不再具备办理条件。"
            )
        elif action == "visit":
            services.record_return_visit(
                actor=office, appeal=appeal, note="回访：企业生产经营正常，对办理结果满意。"
            )
