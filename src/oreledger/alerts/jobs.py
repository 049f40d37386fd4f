"""Background work of alerts: the scheduled rules and the scans of other apps' records.

Each periodic job is enqueued once per period by core.scheduler; each rule is idempotent
within a period (occurrence keys), so a retried job raises nothing twice.
"""

from __future__ import annotations

import datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.alerts import scans, scheduled
from oreledger.alerts.catalogue import BY_CODE
from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule


@task(queue_name="scheduled")
def scan_records(period: str) -> int:
    """Turn what weighing and trade recorded (findings, conflicts, heartbeats) into alerts."""
    return scans.scan_ticket_findings() + scans.scan_conflicts() + scans.scan_clock_drift()


@task(queue_name="scheduled")
def run_waybill_unclosed(period: str) -> int:
    """waybill_unclosed."""
    return scheduled.waybill_unclosed()


@task(queue_name="scheduled")
def run_station_seq_gap(period: str) -> int:
    """station_seq_gap."""
    return scheduled.station_seq_gap()


@task(queue_name="scheduled")
def run_station_silent(period: str) -> int:
    """station_silent."""
    return scheduled.station_silent()


@task(queue_name="scheduled")
def run_plant_intake_over_capacity(period: str) -> int:
    """plant_intake_over_capacity (the current month so far)."""
    return scheduled.plant_intake_over_capacity()


@task(queue_name="scheduled")
def run_permit_expiring(period: str) -> int:
    """permit_expiring."""
    return scheduled.permit_expiring()


@task(queue_name="scheduled")
def run_mass_balance_gap(period: str) -> int:
    """mass_balance_gap (the previous month; daily so a late declaration is still seen)."""
    return scheduled.mass_balance_gap()


@task(queue_name="scheduled")
def run_grade_mismatch(period: str) -> int:
    """grade_mismatch over recent exits."""
    return scheduled.grade_mismatch()


@task(queue_name="scheduled")
def run_impossible_travel(period: str) -> int:
    """impossible_travel."""
    return scheduled.impossible_travel()


_EVERY = {
    "waybill_unclosed": datetime.timedelta(minutes=15),
    "station_seq_gap": datetime.timedelta(minutes=10),
    "station_silent": datetime.timedelta(minutes=5),
    "plant_intake_over_capacity": datetime.timedelta(days=1),
    "permit_expiring": datetime.timedelta(days=1),
    # Monthly work runs daily and checks the calendar (it looks at the previous month).
    "mass_balance_gap": datetime.timedelta(days=1),
    "grade_mismatch": datetime.timedelta(minutes=30),
    "impossible_travel": datetime.timedelta(minutes=15),
}
for _rule, _every in _EVERY.items():
    schedule(f"alerts.{_rule}", f"oreledger.alerts.jobs.run_{_rule}", every=_every)
schedule(
    "alerts.scan_records",
    "oreledger.alerts.jobs.scan_records",
    every=datetime.timedelta(minutes=1),
)

# The jobs page names each job (core.display vocabulary "job").
register_terms(
    "job",
    {
        "oreledger.alerts.jobs.scan_records": _("Alerts from recorded findings"),
        **{
            f"oreledger.alerts.jobs.run_{code}": format_lazy(
                "{}：{}", _("Scheduled rule"), BY_CODE[code].name
            )
            for code in (
                "waybill_unclosed",
                "station_seq_gap",
                "station_silent",
                "plant_intake_over_capacity",
                "permit_expiring",
                "mass_balance_gap",
                "grade_mismatch",
                "impossible_travel",
            )
        },
    },
)
