"""The enterprise check-up (企业体检): one scored report per enterprise per campaign.

Four dimensions of 25 points each (procedures, safety, environment, production within
quota). Every point lost comes from one rule of `RULES` applied to one record, and is
listed with its reason; a dimension never drops below zero. The rules and their points are
documented in docs/reference/checkup.md (test_checkup keeps the two equal).

The report reads a constant number of queries whatever the enterprise's history: the
procedures check (four), findings, orders, quota accounts, open alerts and open cases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.alerts.catalogue import BY_CODE
from oreledger.alerts.choices import ACTIVE_STATUSES, CaseStatus
from oreledger.alerts.models import Alert, Case
from oreledger.core.localtime import local_day
from oreledger.inspections.choices import OrderStatus, Severity
from oreledger.inspections.models import Campaign, Finding, RectificationOrder
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.choices import ProcedureState
from oreledger.registry.models import Enterprise
from oreledger.registry.procedures import lines_for

DIMENSION_POINTS = 25

PROCEDURES = "procedures"
SAFETY = "safety"
ENVIRONMENT = "environment"
PRODUCTION = "production"
DIMENSIONS: dict[str, Promise] = {
    PROCEDURES: pgettext_lazy("check-up dimension", "Procedures"),
    SAFETY: pgettext_lazy("check-up dimension", "Safety"),
    ENVIRONMENT: pgettext_lazy("check-up dimension", "Environment"),
    PRODUCTION: pgettext_lazy("check-up dimension", "Production within quota"),
}

# Which dimension a department's failed checklist items count against. The licensing
# departments check paperwork and boundaries (procedures); ecology and forestry the
# environment; every other department (emergency management, fire, housing, transport, …)
# checks safety.
DEPARTMENT_DIMENSION = {
    "natural_resources": PROCEDURES,
    "development_reform": PROCEDURES,
    "industry_it": PROCEDURES,
    "market_regulation": PROCEDURES,
    "ecology_environment": ENVIRONMENT,
    "forestry": ENVIRONMENT,
}

# A quota account at or above this share of its allocation is near its limit.
QUOTA_NEAR_SHARE = 0.9


@dataclass(frozen=True)
class Rule:
    """One way to lose points: what it counts, in which dimension, and how many per record."""

    code: str
    dimension: str
    points: int
    meaning: str | Promise


def _inspection_rules(dimension: str) -> list[Rule]:
    return [
        Rule(f"{dimension}.finding_high", dimension, 8, _("a failed item of grave severity")),
        Rule(f"{dimension}.finding_medium", dimension, 4, _("a failed item of serious severity")),
        Rule(f"{dimension}.finding_low", dimension, 2, _("a failed item of minor severity")),
        Rule(f"{dimension}.order_open", dimension, 3, _("an open rectification order")),
        Rule(f"{dimension}.order_overdue", dimension, 3, _("an order past its deadline")),
    ]


RULES: tuple[Rule, ...] = (
    Rule("procedures.permit_missing", PROCEDURES, 5, _("a required permit missing")),
    Rule("procedures.permit_lapsed", PROCEDURES, 5, _("a required permit expired or revoked")),
    Rule("procedures.permit_expiring", PROCEDURES, 2, _("a required permit expiring soon")),
    *_inspection_rules(PROCEDURES),
    *_inspection_rules(SAFETY),
    *_inspection_rules(ENVIRONMENT),
    Rule("production.quota_over", PRODUCTION, 15, _("a mine's quota overdrawn")),
    Rule("production.quota_near", PRODUCTION, 5, _("a mine's quota used at or above 90 %")),
    Rule("production.alert_open", PRODUCTION, 2, _("an open early-warning alert")),
    Rule("production.case_open", PRODUCTION, 5, _("an enforcement case not closed")),
)
RULE_BY_CODE = {rule.code: rule for rule in RULES}

_LAPSED = {ProcedureState.EXPIRED, ProcedureState.SUSPENDED_REVOKED}
_FINDING_RULE = {Severity.HIGH: "finding_high", Severity.MEDIUM: "finding_medium",
                 Severity.LOW: "finding_low"}  # fmt: skip


@dataclass(frozen=True)
class Deduction:
    """Points lost under one rule for one record, with the reason as a reader reads it."""

    rule: Rule
    reason: str
    points: int


@dataclass
class Dimension:
    """One dimension's deductions and what is left of its 25 points."""

    key: str
    deductions: list[Deduction] = field(default_factory=list)

    @property
    def label(self) -> Promise:
        """The dimension's name."""
        return DIMENSIONS[self.key]

    @property
    def lost(self) -> int:
        """Points lost, never more than the dimension holds."""
        return min(DIMENSION_POINTS, sum(d.points for d in self.deductions))

    @property
    def score(self) -> int:
        """Points kept out of 25."""
        return DIMENSION_POINTS - self.lost

    @property
    def capped(self) -> bool:
        """Whether the deductions add up to more than the dimension holds."""
        return sum(d.points for d in self.deductions) > DIMENSION_POINTS


@dataclass
class Checkup:
    """The check-up of one enterprise in one campaign, on one day."""

    enterprise: Enterprise
    campaign: Campaign
    day: datetime.date
    dimensions: list[Dimension]

    @property
    def score(self) -> int:
        """The total out of 100."""
        return sum(d.score for d in self.dimensions)

    @property
    def maximum(self) -> int:
        """What a check-up without any deduction scores."""
        return DIMENSION_POINTS * len(self.dimensions)


def report_day(campaign: Campaign) -> datetime.date:
    """The day a check-up describes: today, or the campaign's last day once it has ended."""
    return min(local_day(timezone.now()), campaign.ends_on)


def score_enterprise(enterprise: Enterprise, campaign: Campaign) -> Checkup:
    """Score the enterprise in the campaign, every point lost with its reason (RULES)."""
    day = report_day(campaign)
    lost: dict[str, list[Deduction]] = {key: [] for key in DIMENSIONS}

    def deduct(code: str, reason: str) -> None:
        rule = RULE_BY_CODE[code]
        lost[rule.dimension].append(Deduction(rule, reason, rule.points))

    _procedures(enterprise, day, deduct)
    _inspections(enterprise, campaign, day, deduct)
    _production(enterprise, day, deduct)
    return Checkup(enterprise, campaign, day, [Dimension(key, lost[key]) for key in DIMENSIONS])


def _procedures(enterprise: Enterprise, day: datetime.date, deduct: Any) -> None:
    for line in lines_for([enterprise], day).get(enterprise.pk, []):
        name = line.permit_type.name_zh
        where = f"{name}（{line.site.code}）" if line.site else name
        if line.state == ProcedureState.MISSING:
            deduct("procedures.permit_missing", str(_("{permit}: missing")).format(permit=where))
        elif line.state in _LAPSED:
            deduct(
                "procedures.permit_lapsed",
                str(_("{permit}: {state}")).format(permit=where, state=line.get_state_display()),
            )
        elif line.state == ProcedureState.EXPIRING:
            deduct(
                "procedures.permit_expiring",
                str(_("{permit}: expiring")).format(permit=where),
            )


def _dimension_of(department_code: str) -> str:
    return DEPARTMENT_DIMENSION.get(department_code, SAFETY)


def _inspections(
    enterprise: Enterprise, campaign: Campaign, day: datetime.date, deduct: Any
) -> None:
    findings = (
        Finding.objects.filter(enterprise=enterprise, inspection__campaign=campaign)
        .select_related("department_kind", "inspection")
        .order_by("inspection__inspected_on", "pk")
    )
    order_dimensions: dict[int, set[str]] = {}
    for finding in findings:
        dimension = _dimension_of(finding.department_kind.code)
        if finding.order_id is not None:
            order_dimensions.setdefault(finding.order_id, set()).add(dimension)
        reason = str(_("{day} {department}: {text}")).format(
            day=finding.inspection.inspected_on.isoformat(),
            department=finding.department_kind.name_zh,
            text=finding.text,
        )
        deduct(f"{dimension}.{_FINDING_RULE[Severity(finding.severity)]}", reason)
    orders = RectificationOrder.objects.filter(
        enterprise=enterprise, campaign=campaign, pk__in=order_dimensions
    ).exclude(status=OrderStatus.CLOSED)
    for order in orders.order_by("deadline", "pk"):
        for dimension in sorted(order_dimensions[order.pk], key=list(DIMENSIONS).index):
            deduct(
                f"{dimension}.order_open",
                str(_("Order {number} due {deadline}: {target}")).format(
                    number=order.number, deadline=order.deadline.isoformat(), target=order.target
                ),
            )
            if order.deadline < day:
                deduct(
                    f"{dimension}.order_overdue",
                    str(_("Order {number} overdue since {deadline}")).format(
                        number=order.number, deadline=order.deadline.isoformat()
                    ),
                )


def _production(enterprise: Enterprise, day: datetime.date, deduct: Any) -> None:
    accounts = (
        QuotaAccount.objects.filter(holder_site__enterprise=enterprise, period__year=day.year)
        .exclude(allocated_kg=0, consumed_kg=0)
        .select_related("holder_site", "mineral")
        .order_by("holder_site__code", "mineral_id")
    )
    for account in accounts:
        site = account.holder_site
        assert site is not None  # the filter above keeps mine accounts only
        share = account.consumed_kg / account.allocated_kg if account.allocated_kg else 1.0
        text = str(_("{site} {year}: quota used {share} %")).format(
            site=site.code, year=day.year, share=f"{100 * share:.1f}"
        )
        if account.consumed_kg > account.allocated_kg:
            deduct("production.quota_over", text)
        elif share >= QUOTA_NEAR_SHARE:
            deduct("production.quota_near", text)
    alerts = Alert.objects.filter(enterprise=enterprise, status__in=ACTIVE_STATUSES)
    for alert in alerts.order_by("first_seen", "pk"):
        rule = BY_CODE.get(alert.rule)
        deduct(
            "production.alert_open",
            str(_("Alert {rule} since {day}")).format(
                rule=rule.name if rule else alert.rule,
                day=local_day(alert.first_seen).isoformat(),
            ),
        )
    cases = Case.objects.filter(Q(enterprise=enterprise) & ~Q(status=CaseStatus.CLOSED))
    for case in cases.order_by("created_at", "pk"):
        deduct(
            "production.case_open",
            str(_("Case {number}: {title}")).format(number=case.number, title=case.title),
        )
