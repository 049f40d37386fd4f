"""The gate rules: impossible_travel and grade_mismatch decided in the ticket's round.

A cloned plate (套牌车) or an over-declared grade is decided while the truck stands on the
weighbridge, from what the round holds or reads with one indexed lookup: the plate's last
weighing anywhere in the province (`RuleContext.last_weighing`, the (plate, -gross_at)
index), and the site's latest graded assay (reference data: kept per snapshot, per site and
day). `sync_rules.alerts_ticket_rule` runs them with the other synchronous rules; the
finding goes into the ticket's reasons and the station's answer (a warning, or a reason to
hold the truck where the region's blocking set holds on impossible_travel), and its alert is
raised in the ticket's transaction. The periodic scans of `alerts.scheduled` stay as a
backstop for tickets that arrive out of order, under the same occurrence keys.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.alerts.choices import SubjectType
from oreledger.core.distance import haversine_km
from oreledger.core.localtime import LOCAL
from oreledger.core.prepared import run
from oreledger.grading.models import Assay

MESSAGES: dict[str, Promise] = {
    "impossible_travel": _(
        "Plate %(plate)s was weighed at %(other)s at %(time)s, %(km)s km away"
        " %(minutes)s min ago (%(speed)s km/h): a cloned plate or a mistyped one."
    ),
    "grade_mismatch": _(
        "Declared grade %(declared)s is better than %(supported)s, the grade of assay"
        " lot %(lot)s of %(day)s (MgO %(mgo)s %%)."
    ),
}
# Closer than this, two stations are one place (a mine's two weighbridges).
SAME_PLACE_KM = 1.0
# How far back the plate's last weighing is looked for: beyond it no speed is impossible
# in the province (6 h at 80 km/h is 480 km).
LOOK_BACK = datetime.timedelta(hours=6)


@dataclass(frozen=True)
class Gate:
    """One gate finding: its alert (subject, evidence, occurrence) and the finding's words."""

    code: str
    subject_type: str
    subject_ref: str
    evidence: dict[str, Any]
    occurrence: str
    params: dict[str, Any]


def gate_findings(ctx: Any, rules: dict[str, Any], on: set[str]) -> list[Gate]:
    """impossible_travel and grade_mismatch for one ticket, at the region's thresholds."""
    found: list[Gate] = []
    if "impossible_travel" in on:
        found.extend(impossible_travel(ctx, rules["impossible_travel"].params))
    if "grade_mismatch" in on:
        found.extend(grade_mismatch(ctx, rules["grade_mismatch"].params))
    return found


def travel_occurrence(from_code: str, from_seq: int, to_code: str, to_seq: int) -> str:
    """One alert per pair of weighings, however it was found (gate or backstop scan)."""
    return f"impossible_travel|{from_code}#{from_seq}|{to_code}#{to_seq}"


def travel(
    there: Any, there_seq: int, there_at: datetime.datetime,
    here: Any, here_seq: int, here_at: datetime.datetime, kmh: Any,
) -> dict[str, Any] | None:  # fmt: skip
    """The evidence of an impossible trip from `there` to `here`, or None if it was possible."""
    if None in (here.lat, here.lon, there.lat, there.lon) or kmh is None:
        return None
    km = haversine_km(float(here.lat), float(here.lon), float(there.lat), float(there.lon))
    hours = max((here_at - there_at).total_seconds(), 0) / 3600
    if km < SAME_PLACE_KM or (hours > 0 and km / hours <= float(kmh)):
        return None
    return {
        "from_station": there.code,
        "from_seq": there_seq,
        "from_at": there_at.isoformat(),
        "to_station": here.code,
        "to_seq": here_seq,
        "to_at": here_at.isoformat(),
        "distance_km": round(km, 1),
        "minutes": round(hours * 60, 1),
        "speed_kmh": round(km / hours) if hours else None,
        "threshold_kmh": kmh,
    }


def impossible_travel(ctx: Any, params: dict[str, Any]) -> list[Gate]:
    """The plate's last weighing elsewhere too far away for the time between (one lookup)."""
    here, content = ctx.station, ctx.content
    if here.lat is None or here.lon is None:
        return []
    last = ctx.last_weighing(content.plate, content.gross_at, content.gross_at - LOOK_BACK)
    if last is None or last[0] == here.pk:
        return []
    other_id, other_seq, other_at = last
    there = _station(other_id, ctx.cache)
    if there is None:
        return []
    evidence = travel(
        there, other_seq, other_at, here, content.seq, content.gross_at, params.get("kmh")
    )
    if evidence is None:
        return []
    speed = evidence["speed_kmh"]
    words = {
        "plate": content.plate,
        "other": there.name,
        "time": other_at.astimezone(LOCAL).strftime("%H:%M"),
        "km": evidence["distance_km"],
        "minutes": evidence["minutes"],
        "speed": "∞" if speed is None else speed,
    }
    occurrence = travel_occurrence(there.code, other_seq, here.code, content.seq)
    return [
        Gate("impossible_travel", SubjectType.VEHICLE, content.plate, evidence, occurrence, words)
    ]


@dataclass(frozen=True)
class Place:
    """What impossible_travel reads of the other station: its names and where it stands."""

    code: str
    name: str
    lat: Any
    lon: Any


_PLACE = "SELECT code, name, lat, lon FROM registry_station WHERE id = %s"


def _station(station_id: int, cache: dict[Any, Any]) -> Place | None:
    """A station's place by id (reference data: kept in the snapshot; prepared on PostgreSQL)."""
    key = ("alerts.station", station_id)
    if key not in cache:
        rows = run(_PLACE, [station_id]).rows
        cache[key] = Place(*rows[0]) if rows else None
    found: Place | None = cache[key]
    return found


@dataclass(frozen=True)
class LatestAssay:
    """The site's latest graded assay on a day, and the grade it supports."""

    lot: str
    sampled_on: datetime.date
    mgo: str
    grade: str
    rank: int


# The site's latest graded assay on or before a day, and the grade it earned.
_LATEST_ASSAY = (
    "SELECT a.lot, a.sampled_on, a.mgo, g.code, g.rank FROM grading_assay a"
    " JOIN grading_grade g ON g.id = a.grade_id"
    " WHERE a.site_id = %s AND a.sampled_on <= %s"
    " ORDER BY a.sampled_on DESC, a.id DESC LIMIT 1"
)
# Every grade's rank, the newest standard's last (it wins where codes repeat).
_GRADE_RANKS = (
    "SELECT g.code, g.rank FROM grading_grade g"
    " JOIN grading_gradingstandard s ON s.id = g.standard_id ORDER BY s.effective_from"
)


def latest_assay(site_id: int, day: datetime.date, cache: dict[Any, Any]) -> LatestAssay | None:
    """The site's latest graded assay sampled on or before `day` (kept per site and day)."""
    key = ("alerts.assay", site_id, day)
    if key not in cache:
        # Prepared on PostgreSQL, as the ticket path's other reads (core.prepared).
        sampled_on: Any = Assay._meta.get_field("sampled_on")
        mgo: Any = Assay._meta.get_field("mgo")
        rows = run(_LATEST_ASSAY, [site_id, sampled_on.get_db_prep_value(day, connection)]).rows
        cache[key] = None
        if rows:
            # Raw rows: SQLite gives the date as text and the decimal as a number.
            lot, sampled, pct, grade, rank = rows[0]
            sampled, pct = sampled_on.to_python(sampled), mgo.to_python(pct)
            cache[key] = LatestAssay(lot, sampled, f"{pct:.2f}", grade, rank)
    found: LatestAssay | None = cache[key]
    return found


def grade_ranks(cache: dict[Any, Any]) -> dict[str, int]:
    """Each grade code's rank (1 the best), the newest standard's where codes repeat."""
    key = "alerts.grade_ranks"
    if key not in cache:
        cache[key] = dict(run(_GRADE_RANKS, []).rows)
    found: dict[str, int] = cache[key]
    return found


def mismatch_evidence(
    declared: str, declared_rank: int, assay: LatestAssay, steps: Any
) -> dict[str, Any] | None:
    """The evidence of a grade declared better than the assay supports, or None."""
    if steps is None or assay.rank - declared_rank < float(steps):
        return None
    return {
        "declared_grade": declared,
        "declared_rank": declared_rank,
        "assay_lot": assay.lot,
        "assay_sampled_on": assay.sampled_on.isoformat(),
        "assay_mgo_pct": assay.mgo,
        "assay_grade": assay.grade,
        "assay_rank": assay.rank,
        "threshold_steps": steps,
    }


def grade_mismatch(ctx: Any, params: dict[str, Any]) -> list[Gate]:
    """A mine exit declaring a grade better than the site's latest assay supports."""
    content, site = ctx.content, ctx.station.site
    if ctx.kind != "exit" or site is None or not content.declared_grade:
        return []
    # The assay first: a site without one needs no grade table (one statement, not two).
    assay = latest_assay(site.pk, ctx.local_day, ctx.cache)
    if assay is None:
        return []
    declared = grade_ranks(ctx.cache).get(content.declared_grade)
    if declared is None:
        return []
    evidence = mismatch_evidence(content.declared_grade, declared, assay, params.get("steps"))
    if evidence is None:
        return []
    ref = f"{ctx.station.code}#{content.seq}"
    words = {
        "declared": content.declared_grade,
        "supported": assay.grade,
        "lot": assay.lot,
        "day": assay.sampled_on.isoformat(),
        "mgo": assay.mgo,
    }
    return [
        Gate("grade_mismatch", SubjectType.TICKET, ref, evidence, f"grade_mismatch|{ref}", words)
    ]
