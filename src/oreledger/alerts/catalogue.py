# ruff: noqa: E501 — one row per rule, as in docs/reference/rules.md
"""The rule catalogue of docs/reference/rules.md: codes, meanings, subjects, default thresholds.

Thresholds are data (RuleVersion rows seeded from `DEFAULTS`); this module says what each
parameter means and which direction of change is "stricter", so that a county can only
tighten the province's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.alerts.choices import RuleMode, Severity, SubjectType

# Parameter kinds and what "stricter" means for each.
MAX = "max"  # a number; lower is stricter (tolerances, grace periods, limits)
MIN = "min"  # a number; higher is stricter (warning lead times, look-back windows)
LIMITS = "limits"  # {key: number}; each lower is stricter (gross limits by axles)
STEPS = "steps"  # [percent, …]; earlier (lower) warnings are stricter
HOURS = "hours"  # "06:00-22:00"; a narrower window is stricter


@dataclass(frozen=True)
class Param:
    """One threshold of a rule."""

    name: str
    kind: str
    label: str | Promise
    unit: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A rule of the catalogue."""

    code: str
    name: str | Promise
    meaning: str | Promise
    subject: str
    mode: str
    severity: str
    blocking: bool = False
    params: tuple[Param, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    # Occurrences on the same subject within this many hours update the open alert.
    window_hours: int = 24
    back_testable: bool = False

    @property
    def mode_label(self) -> str:
        """When the rule runs, in the reader's language."""
        return str(RuleMode(self.mode).label)

    @property
    def subject_label(self) -> str:
        """What the rule's alerts are about, in the reader's language."""
        return str(SubjectType(self.subject).label)

    @property
    def severity_label(self) -> str:
        """The catalogue's severity, in the reader's language."""
        return str(Severity(self.severity).label)


S = SubjectType
M = RuleMode
V = Severity

RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "no_waybill",
        _("No waybill"),
        _("Ore weighed out with no open waybill for the plate at that site."),
        S.TICKET,
        M.SYNC,
        V.HIGH,
        blocking=True,
    ),
    RuleSpec(
        "permit_invalid",
        _("Permit invalid"),
        _("A required permit of the site or enterprise is missing, expired or revoked."),
        S.SITE,
        M.SYNC,
        V.HIGH,
        blocking=True,
    ),
    RuleSpec(
        "site_suspended",
        _("Site suspended"),
        _("Activity at a suspended, stopped or shut-down site."),
        S.SITE,
        M.SYNC,
        V.HIGH,
        blocking=True,
    ),
    RuleSpec(
        "quota_exhausted",
        _("Quota exhausted"),
        _("The exit net would push the mine above its allocation plus tolerance."),
        S.QUOTA_ACCOUNT,
        M.SYNC,
        V.HIGH,
        blocking=True,
        params=(Param("tolerance_t", MAX, _("Tolerance"), "t"),),
        defaults={"tolerance_t": 0},
    ),
    RuleSpec(
        "quota_warning",
        _("Quota warning"),
        _("The mine's consumption crossed a share of its allocation."),
        S.QUOTA_ACCOUNT,
        M.SYNC,
        V.LOW,
        params=(Param("steps", STEPS, _("Warning steps"), "%"),),
        defaults={"steps": [80, 90, 100]},
        window_hours=24 * 366,
    ),
    RuleSpec(
        "contract_exceeded",
        _("Contract exceeded"),
        _("The exit net would push the contract's delivered above quantity plus tolerance."),
        S.CONTRACT,
        M.SYNC,
        V.HIGH,
        blocking=True,
        params=(Param("tolerance_pct", MAX, _("Tolerance"), "%"),),
        defaults={"tolerance_pct": 2},
    ),
    RuleSpec(
        "vehicle_blacklisted",
        _("Blacklisted vehicle"),
        _("A blacklisted plate was weighed."),
        S.VEHICLE,
        M.SYNC,
        V.HIGH,
        blocking=True,
    ),
    RuleSpec(
        "waybill_reused",
        _("Waybill reused"),
        _("A second exit weighing against a waybill already departed."),
        S.WAYBILL,
        M.SYNC,
        V.HIGH,
        blocking=True,
    ),
    RuleSpec(
        "vehicle_unregistered",
        _("Unregistered vehicle"),
        _("A plate not in the vehicle registry was weighed."),
        S.TICKET,
        M.SYNC,
        V.MEDIUM,
    ),
    RuleSpec(
        "overload",
        _("Overload"),
        _("Gross above the legal limit for the vehicle's axles (GB 1589)."),
        S.TICKET,
        M.SYNC,
        V.MEDIUM,
        params=(Param("limits_kg", LIMITS, _("Gross limit by axles"), "kg"),),
        defaults={"limits_kg": {"2": 18000, "3": 25000, "4": 31000, "5": 43000, "6": 49000}},
        back_testable=True,
    ),
    RuleSpec(
        "tare_deviation",
        _("Tare deviation"),
        _("The ticket's tare differs from the vehicle's registered tare."),
        S.TICKET,
        M.SYNC,
        V.MEDIUM,
        params=(Param("pct", MAX, _("Share"), "%"), Param("kg", MAX, _("Floor"), "kg")),
        defaults={"pct": 3, "kg": 500},
        back_testable=True,
    ),
    RuleSpec(
        "off_hours",
        _("Off-hours weighing"),
        _("Weighing outside the site's permitted hours."),
        S.TICKET,
        M.SYNC,
        V.LOW,
        params=(Param("hours", HOURS, _("Permitted hours (local)")),),
        defaults={"hours": "06:00-22:00"},
        back_testable=True,
    ),
    RuleSpec(
        "duplicate_weighing",
        _("Duplicate weighing"),
        _("The same plate at the same station with nearly the same net within a short window."),
        S.TICKET,
        M.SYNC,
        V.LOW,
        params=(
            Param("window_min", MIN, _("Window"), "min"),
            Param("net_pct", MIN, _("Net within"), "%"),
        ),
        defaults={"window_min": 20, "net_pct": 1},
    ),
    RuleSpec(
        "ticket_conflict",
        _("Ticket conflict"),
        _("A resent (station, seq) whose content differs from the stored ticket."),
        S.TICKET,
        M.SYNC,
        V.HIGH,
    ),
    RuleSpec(
        "grade_mismatch",
        _("Grade mismatch"),
        _("The declared grade is better than the latest assay of the site supports."),
        S.TICKET,
        M.SYNC_BACKSTOP,
        V.MEDIUM,
        params=(Param("steps", MAX, _("Grade steps"), ""),),
        defaults={"steps": 1},
    ),
    RuleSpec(
        "price_below_floor",
        _("Price below floor"),
        _("A contract's unit price is under the floor for its grade and period."),
        S.CONTRACT,
        M.SYNC,
        V.MEDIUM,
    ),
    RuleSpec(
        "weight_discrepancy",
        _("Weight discrepancy"),
        _("The plant-gate net differs from the mine-exit net of the same waybill."),
        S.WAYBILL,
        M.SYNC,
        V.HIGH,
        params=(Param("pct", MAX, _("Share"), "%"), Param("kg", MAX, _("Floor"), "kg")),
        defaults={"pct": 1, "kg": 300},
        back_testable=True,
    ),
    RuleSpec(
        "entry_without_exit",
        _("Entry without exit"),
        _("A plant-gate weighing with no mine-exit weighing on its waybill, or no waybill."),
        S.TICKET,
        M.SYNC,
        V.HIGH,
    ),
    RuleSpec(
        "waybill_unclosed",
        _("Waybill not closed"),
        _("A waybill departed but never arrived."),
        S.WAYBILL,
        M.SCHEDULED,
        V.MEDIUM,
        params=(Param("hours", MAX, _("After departure"), "h"),),
        defaults={"hours": 12},
        back_testable=True,
    ),
    RuleSpec(
        "impossible_travel",
        _("Impossible travel"),
        _(
            "The same plate at two stations further apart than a truck can drive in the time between."
        ),
        S.VEHICLE,
        M.SYNC_BACKSTOP,
        V.HIGH,
        params=(Param("kmh", MAX, _("Speed"), "km/h"),),
        defaults={"kmh": 80},
    ),
    RuleSpec(
        "station_seq_gap",
        _("Station sequence gap"),
        _("A seq missing for longer than the grace period."),
        S.STATION,
        M.SCHEDULED,
        V.MEDIUM,
        params=(Param("grace_min", MAX, _("Grace period"), "min"),),
        defaults={"grace_min": 30},
    ),
    RuleSpec(
        "station_silent",
        _("Station silent"),
        _("No heartbeat from a station during its operating hours."),
        S.STATION,
        M.SCHEDULED,
        V.MEDIUM,
        params=(Param("minutes", MAX, _("Silence"), "min"),),
        defaults={"minutes": 15},
    ),
    RuleSpec(
        "station_clock_drift",
        _("Station clock drift"),
        _("The station's device time differs from the server's."),
        S.STATION,
        M.SYNC,
        V.LOW,
        params=(Param("seconds", MAX, _("Drift"), "s"),),
        defaults={"seconds": 120},
    ),
    RuleSpec(
        "plant_intake_over_capacity",
        _("Plant intake over capacity"),
        _("A plant received more ore in a month than its permitted capacity / 12."),
        S.SITE,
        M.SCHEDULED,
        V.HIGH,
        params=(Param("pct", MAX, _("Share of monthly capacity"), "%"),),
        defaults={"pct": 100},
        window_hours=24 * 31,
    ),
    RuleSpec(
        "permit_expiring",
        _("Permit expiring"),
        _("A required permit expires soon."),
        S.PERMIT,
        M.SCHEDULED,
        V.LOW,
        params=(Param("days", MIN, _("Days ahead"), "d"),),
        defaults={"days": 30},
        window_hours=24 * 60,
    ),
    RuleSpec(
        "mass_balance_gap",
        _("Mass balance gap"),
        _("A mine's weighed exit tonnage for a month differs from its declared production."),
        S.SITE,
        M.SCHEDULED,
        V.MEDIUM,
        params=(Param("pct", MAX, _("Gap"), "%"),),
        defaults={"pct": 5},
        window_hours=24 * 31,
    ),
    # Raised by the appeals desk's overdue job (appeals.jobs), once per overdue stage; the
    # time limits themselves are the province's appeal settings, not thresholds here.
    RuleSpec(
        "appeal_overdue",
        _("Appeal overdue"),
        _(
            "A stage of an enterprise's appeal (routing, first answer, solution) passed its time limit."
        ),
        S.APPEAL,
        M.SCHEDULED,
        V.MEDIUM,
        window_hours=24 * 30,
    ),
    RuleSpec(
        "node_silent",
        _("Node silent"),
        _("No contact from a county sub-platform for longer than the threshold."),
        S.NODE,
        M.SCHEDULED,
        V.HIGH,
        params=(Param("minutes", MAX, _("Silence"), "min"),),
        defaults={"minutes": 60},
    ),
    # Raised by the inspections app's daily deadline run (inspections.alert_rules); the same
    # thresholds time its reminders (inspections.services.deadlines).
    RuleSpec(
        "rectification_overdue",
        _("Rectification overdue"),
        _(
            "A rectification order is not signed off the day after its deadline (plus the grace days)."
        ),
        S.ORDER,
        M.SCHEDULED,
        V.MEDIUM,
        params=(
            Param("grace_days", MAX, _("Grace after the deadline"), "d"),
            Param("remind_days", MIN, _("Reminder before the deadline"), "d"),
        ),
        defaults={"grace_days": 0, "remind_days": 3},
        window_hours=24 * 30,
    ),
    RuleSpec(
        "inspection_target_behind",
        _("Inspection target behind"),
        _(
            "A campaign target's share is below its goal the day after its due date (plus the grace days)."
        ),
        S.CAMPAIGN,
        M.SCHEDULED,
        V.MEDIUM,
        params=(Param("grace_days", MAX, _("Grace after the due date"), "d"),),
        defaults={"grace_days": 0},
        window_hours=24 * 30,
    ),
)

BY_CODE: dict[str, RuleSpec] = {rule.code: rule for rule in RULES}
CODES = tuple(BY_CODE)
SEVERITY_ORDER: dict[str, int] = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


def spec(code: str) -> RuleSpec:
    """The rule of a code (KeyError for an unknown code: a programming error)."""
    return BY_CODE[code]


def parse_hours(text: str) -> tuple[int, int]:
    """ "06:00-22:00" → (360, 1320) in minutes after local midnight."""
    start, end = (part.strip() for part in str(text).split("-"))
    values = []
    for part in (start, end):
        hh, mm = part.split(":")
        minutes = int(hh) * 60 + int(mm)
        if not 0 <= minutes <= 1440 or not 0 <= int(mm) < 60:
            raise ValueError(part)
        values.append(minutes)
    return values[0], values[1]


def _param_stricter_or_equal(param: Param, mine: Any, theirs: Any) -> bool:
    """Whether `mine` is at least as strict as `theirs` for this parameter."""
    if param.kind == MAX:
        return float(mine) <= float(theirs)
    if param.kind == MIN:
        return float(mine) >= float(theirs)
    if param.kind == LIMITS:
        return all(
            key in mine and float(mine[key]) <= float(value) for key, value in theirs.items()
        )
    if param.kind == STEPS:
        ours, base = sorted(float(x) for x in mine), sorted(float(x) for x in theirs)
        return len(ours) >= len(base) and all(a <= b for a, b in zip(ours, base, strict=False))
    if param.kind == HOURS:
        a_from, a_to = parse_hours(mine)
        b_from, b_to = parse_hours(theirs)
        return a_from >= b_from and a_to <= b_to
    raise ValueError(param.kind)


def looser_params(code: str, mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """The names of the parameters in which `mine` is looser than `theirs`."""
    return [
        p.name
        for p in spec(code).params
        if p.name in theirs
        and p.name in mine
        and not _param_stricter_or_equal(p, mine[p.name], theirs[p.name])
    ]


def strictest(code: str, mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Per parameter, the stricter of two values (a county never ends up looser)."""
    merged = dict(theirs)
    for p in spec(code).params:
        if p.name in mine and (
            p.name not in theirs or _param_stricter_or_equal(p, mine[p.name], theirs[p.name])
        ):
            merged[p.name] = mine[p.name]
    return merged


def describe(code: str, params: dict[str, Any]) -> str:
    """A short human line of a rule's thresholds, e.g. "pct=3 % · kg=500 kg"."""
    parts = []
    for p in spec(code).params:
        value = params.get(p.name)
        if isinstance(value, dict):  # gross limits by axles
            value = " · ".join(
                _("%(axles)s axles %(limit)s") % {"axles": k, "limit": v}
                for k, v in sorted(value.items())
            )
        elif isinstance(value, list):
            value = "/".join(str(v) for v in value)
        parts.append(f"{p.label} {value}{(' ' + p.unit) if p.unit else ''}")
    return " · ".join(parts) or "—"
