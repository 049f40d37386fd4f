"""Back-testing: how many alerts a proposed threshold would have raised over the last N days.

Evaluated over stored tickets and waybills (not over past alerts, which only exist for the
version that was in force), for the proposed and the current thresholds side by side.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from oreledger.alerts.catalogue import parse_hours
from oreledger.alerts.errors import AlertError
from oreledger.alerts.sync_rules import within
from oreledger.core.localtime import LOCAL
from oreledger.registry.models import Vehicle
from oreledger.weighing.models import Ticket, Waybill


def county_of(path: str) -> str:
    """The county code of a region path (the region itself above county level)."""
    codes = [c for c in path.strip("/").split("/") if c]
    return codes[2] if len(codes) > 2 else codes[-1]


def _tickets(region: Any, since: datetime.datetime, until: datetime.datetime) -> Any:
    return Ticket.objects.filter(
        region__path__startswith=region.path, gross_at__gte=since, gross_at__lt=until
    )


def _vehicles() -> dict[str, tuple[int, int]]:
    return {
        plate: (axles, tare)
        for plate, axles, tare in Vehicle.objects.values_list("plate", "axles", "tare_kg")
    }


def _overload(
    rows: Iterable[Any], params: dict[str, Any], vehicles: dict[str, tuple[int, int]]
) -> Counter[str]:
    limits = params["limits_kg"]
    out: Counter[str] = Counter()
    for path, plate, gross, _tare, _at, _hf, _ht in rows:
        vehicle = vehicles.get(plate)
        if vehicle and str(vehicle[0]) in limits and gross > int(limits[str(vehicle[0])]):
            out[county_of(path)] += 1
    return out


def _tare(
    rows: Iterable[Any], params: dict[str, Any], vehicles: dict[str, tuple[int, int]]
) -> Counter[str]:
    out: Counter[str] = Counter()
    for path, plate, _gross, tare, _at, _hf, _ht in rows:
        vehicle = vehicles.get(plate)
        if vehicle and abs(tare - vehicle[1]) > max(
            vehicle[1] * float(params["pct"]) / 100, float(params["kg"])
        ):
            out[county_of(path)] += 1
    return out


def _hours(
    rows: Iterable[Any], params: dict[str, Any], vehicles: dict[str, tuple[int, int]]
) -> Counter[str]:
    start, end = parse_hours(params["hours"])
    out: Counter[str] = Counter()
    for path, _plate, _gross, _tare, at, hours_from, hours_to in rows:
        if hours_from is None:
            continue
        local = at.astimezone(LOCAL)
        minute = local.hour * 60 + local.minute
        if not (within(minute, hours_from, hours_to) and within(minute, start, end)):
            out[county_of(path)] += 1
    return out


_TICKET_RULES: dict[str, Callable[..., Counter[str]]] = {
    "overload": _overload,
    "tare_deviation": _tare,
    "off_hours": _hours,
}


def _waybills(
    rule: str,
    region: Any,
    since: datetime.datetime,
    until: datetime.datetime,
    variants: list[dict[str, Any]],
) -> list[Counter[str]]:
    results: list[Counter[str]] = [Counter() for _ in variants]
    base = Waybill.objects.filter(
        region__path__startswith=region.path, departed_at__gte=since, departed_at__lt=until
    )
    if rule == "weight_discrepancy":
        nets: Any = base.filter(entry_net_kg__isnull=False, exit_net_kg__isnull=False).values_list(
            "region__path", "exit_net_kg", "entry_net_kg"
        )
        for path, exit_kg, entry_kg in nets:
            for i, p in enumerate(variants):
                if abs(entry_kg - exit_kg) > max(exit_kg * float(p["pct"]) / 100, float(p["kg"])):
                    results[i][county_of(path)] += 1
        return results
    rows: Any = base.values_list("region__path", "departed_at", "arrived_at")
    for path, departed, arrived in rows:
        for i, p in enumerate(variants):
            limit = departed + datetime.timedelta(hours=float(p["hours"]))
            if (arrived or until) > limit and limit < until:
                results[i][county_of(path)] += 1
    return results


BACK_TESTABLE = (*_TICKET_RULES, "weight_discrepancy", "waybill_unclosed")


def back_test(
    *,
    rule: str,
    region: Any,
    proposed: dict[str, Any],
    current: dict[str, Any],
    days: int,
    now: datetime.datetime | None = None,
) -> list[dict[str, Any]]:
    """Per county: alerts under the current and under the proposed thresholds, last `days`."""
    if rule not in BACK_TESTABLE:
        raise AlertError("back_test_unsupported", field="rule")
    until = now or timezone.now()
    since = until - datetime.timedelta(days=max(1, min(days, 366)))
    if rule in _TICKET_RULES:
        rows = list(
            _tickets(region, since, until).values_list(
                "region__path",
                "plate",
                "gross_kg",
                "tare_kg",
                "gross_at",
                "site__hours_from",
                "site__hours_to",
            )
        )
        vehicles = _vehicles() if rule != "off_hours" else {}
        counts = [_TICKET_RULES[rule](rows, p, vehicles) for p in (current, proposed)]
    else:
        counts = _waybills(rule, region, since, until, [current, proposed])
    counties = sorted(set(counts[0]) | set(counts[1]))
    return [
        {
            "county": c,
            "current": counts[0][c],
            "proposed": counts[1][c],
            "change": counts[1][c] - counts[0][c],
        }
        for c in counties
    ]
