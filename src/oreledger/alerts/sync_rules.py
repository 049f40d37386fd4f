"""The synchronous rules, run by the weighing app inside each ticket's transaction.

Registered with `weighing.rules.register_ticket_rule`: cheap checks on what the context
already holds, and at most one indexed lookup (duplicate_weighing). Findings are returned
for the ticket's reasons; their alerts, and those of the blocking findings weighing stores,
are raised in the same transaction by `TicketAlerts` (`weighing.rules.register_ticket_writer`),
once per lone ticket or once per batch.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.alerts.catalogue import parse_hours
from oreledger.alerts.choices import SubjectType
from oreledger.alerts.engine import Occurrence, Raised, effective_rules, raise_together
from oreledger.alerts.findings import finding_occurrences, raised_findings
from oreledger.alerts.gate_rules import MESSAGES as GATE_MESSAGES
from oreledger.alerts.gate_rules import gate_findings
from oreledger.core.localtime import LOCAL
from oreledger.weighing.errors import finding

ORE = frozenset({"magnesite_ore", "low_grade_ore"})

MESSAGES: dict[str, Promise] = {
    "vehicle_unregistered": _("Plate %(plate)s is not in the vehicle registry."),
    "overload": _("Gross %(gross)s kg is above the %(limit)s kg limit for %(axles)s axles."),
    "tare_deviation": _("Tare %(tare)s kg differs from the registered %(registered)s kg."),
    "off_hours": _("Weighed at %(time)s, outside the permitted hours %(hours)s."),
    "duplicate_weighing": _("The same plate and net were weighed here at %(time)s."),
    **GATE_MESSAGES,
}
_TEMPLATES: dict[str, tuple[str, str]] = {}

# Set to False (bench/) to measure the ticket path without these rules.
ENABLED = True
# The gate rules (impossible_travel, grade_mismatch: alerts.gate_rules) alone, for the bench.
GATE_ENABLED = True


def message(code: str, **params: Any) -> str:
    """ "中文 / English", as the weighing app's findings are worded for devices."""
    if code not in _TEMPLATES:
        with translation.override("zh-hans"):
            zh = str(MESSAGES[code])
        with translation.override("en"):
            en = str(MESSAGES[code])
        _TEMPLATES[code] = (zh, en)
    zh, en = _TEMPLATES[code]
    return f"{zh % params} / {en % params}"


def within(minute: int, start: int, end: int) -> bool:
    """Whether a minute of the day lies in [start, end); windows may run past midnight."""
    if start == end or (start == 0 and end == 1440):
        return True
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def ticket_refs(ctx: Any) -> dict[str, Any]:
    """The references of a ticket alert (docs/specs/api-essentials.md `refs`)."""
    station, content, waybill = ctx.station, ctx.content, ctx.waybill
    site = station.site
    refs: dict[str, Any] = {"station": station.code, "seq": content.seq, "plate": content.plate}
    if waybill is not None:
        refs["waybill"] = waybill.number
        refs["contract"] = _contract_number(waybill, ctx.cache)
    elif content.waybill:
        refs["waybill"] = content.waybill
    if site is not None:
        refs["site"] = site.code
        refs["enterprise"] = site.enterprise.uscc
    return refs


def _contract_number(waybill: Any, cache: dict[Any, Any]) -> str:
    key = ("alerts.contract", waybill.contract_id)
    if key not in cache:
        from oreledger.trade.models import Contract

        cache[key] = (
            Contract.objects.filter(pk=waybill.contract_id).values_list("number", flat=True).first()
        )
    return str(cache[key] or "")


def alerts_ticket_rule(ctx: Any) -> list[dict[str, Any]]:
    """Every synchronous non-blocking rule of docs/reference/rules.md for one ticket."""
    if not ENABLED:
        return []
    rules = effective_rules(ctx.station.region, ctx.cache)
    fired: list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]] = []
    content, vehicle = ctx.content, ctx.vehicle
    on = {code for code, eff in rules.items() if eff.enabled}
    ticket_ref = f"{ctx.station.code}#{content.seq}"
    findings: list[dict[str, Any]] = []
    if ctx.kind == "entry":
        # First among the ticket's reasons, where weighing stored them before (issue 16).
        entry_fired, findings = _entry(ctx, rules, on, ticket_ref)
        fired.extend(entry_fired)
    if vehicle is None:
        if "vehicle_unregistered" in on:
            params = {"plate": content.plate}
            fired.append(("vehicle_unregistered", SubjectType.TICKET, ticket_ref, params, params))
    else:
        fired.extend(_vehicle_rules(ctx, rules, on, ticket_ref))
    if "off_hours" in on and ctx.station.site is not None:
        fired.extend(_off_hours(ctx, rules["off_hours"].params, ticket_ref))
    if "duplicate_weighing" in on:
        fired.extend(_duplicate(ctx, rules["duplicate_weighing"].params, ticket_ref))
    gates = gate_findings(ctx, rules, on) if GATE_ENABLED else []
    if not fired and not gates:
        return findings
    # Raised once the ticket is decided, with its batch (TicketAlerts).
    notes = ctx.notes.setdefault("alerts", [])
    for code, subject_type, subject_ref, evidence, finding_params in fired:
        notes.append((code, subject_type, subject_ref, evidence, f"{code}|{ticket_ref}"))
        if finding_params is not None:
            findings.append(
                {"code": code, "message": message(code, **finding_params), "blocking": False}
            )
    for gate in gates:
        # Keyed by what was found (a pair of weighings), not by this ticket alone.
        notes.append(
            (gate.code, gate.subject_type, gate.subject_ref, gate.evidence, gate.occurrence)
        )
        findings.append(
            {"code": gate.code, "message": message(gate.code, **gate.params), "blocking": False}
        )
    return findings


class TicketAlerts:
    """The alerts of decided tickets, written in their transaction (a weighing TicketWriter).

    A ticket's own rules' findings (noted by `alerts_ticket_rule`) and the findings weighing
    stored on it (blocking ones, quota warnings: `findings.SUBJECTS`) are kept as each ticket
    is decided and raised together by `write` (`engine.raise_together`): with a lone ticket
    or with a whole batch or round, a constant number of statements. The station's answer
    and the alert list agree as soon as the answer is sent.
    """

    def __init__(self, cache: dict[Any, Any]) -> None:
        self.cache = cache
        self.pending: list[Occurrence] = []
        self._contracts: dict[int, list[dict[str, Any]]] = {}
        self._raised = Raised()

    def add(self, ctx: Any, ticket: Any) -> None:
        """Keep the ticket's alerts."""
        noted = ctx.notes.get("alerts", ())
        stored = raised_findings(ticket) if ENABLED else []
        if not noted and not stored:
            return
        station, content = ctx.station, ctx.content
        refs = ticket_refs(ctx)
        site = station.site
        place = {
            "enterprise_id": site.enterprise_id if site is not None else None,
            "site_id": site.pk if site is not None else None,
            "lat": station.lat,
            "lon": station.lon,
        }
        for code, subject_type, subject_ref, evidence, occurrence in noted:
            region = station.region
            if subject_type == SubjectType.WAYBILL and ctx.waybill is not None:
                region = ctx.waybill.region
            self.pending.append(
                Occurrence(
                    rule=code,
                    region=region,
                    subject_type=subject_type,
                    subject_ref=subject_ref,
                    at=content.gross_at,
                    refs=refs,
                    evidence=evidence,
                    occurrence=occurrence,
                    **place,
                )
            )
        if stored:
            found = finding_occurrences(ticket, station, refs, quota=_quota(ctx))
            for item in found:
                if item.rule == "contract_exceeded" and ticket.contract_id:
                    self._contracts.setdefault(ticket.contract_id, []).append(item.evidence)
            self.pending.extend(found)

    def write(self) -> None:
        """Raise what the tickets added (the contracts' figures read in one query)."""
        if not self.pending:
            return
        if self._contracts:
            from oreledger.trade.models import Contract

            for contract in Contract.objects.filter(pk__in=self._contracts):
                for evidence in self._contracts[contract.pk]:
                    evidence.update(
                        quantity_kg=contract.quantity_kg,
                        delivered_kg=contract.delivered_kg,
                        ceiling_kg=contract.max_delivery_kg,
                    )
        raise_together(self.pending, self.cache, self._raised)
        self.pending, self._contracts = [], {}

    def announce(self) -> None:
        """Hand the written alerts and events to the outbox in one go, after every writer
        wrote: the tickets they refer to were numbered first (by the federation's writer),
        and the outbox's counter stays the last lock taken, after the alerts'."""
        self._raised.announce()


def _quota(ctx: Any) -> dict[str, Any] | None:
    """The account's figures as the draw was decided (None when nothing was drawn)."""
    noted = ctx.notes.get("quota")
    if noted is None:
        return None
    account, drawn = noted
    if drawn is None or drawn.allocated_kg is None:
        return None
    return {
        "allocated_kg": drawn.allocated_kg,
        "consumed_kg": drawn.allocated_kg - drawn.remaining_kg,
        "tolerance_kg": account.tolerance_kg,
    }


def _vehicle_rules(
    ctx: Any, rules: dict[str, Any], on: set[str], ref: str
) -> list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]]:
    content, vehicle = ctx.content, ctx.vehicle
    out: list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]] = []
    if "overload" in on:
        limits = rules["overload"].params.get("limits_kg", {})
        limit = limits.get(str(vehicle.axles))
        if limit is not None and content.gross_kg > int(limit):
            params = {"gross": content.gross_kg, "limit": int(limit), "axles": vehicle.axles}
            evidence = {
                "gross_kg": content.gross_kg,
                "axles": vehicle.axles,
                "threshold_kg": int(limit),
                "over_kg": content.gross_kg - int(limit),
            }
            out.append(("overload", SubjectType.TICKET, ref, evidence, params))
    if "tare_deviation" in on:
        p = rules["tare_deviation"].params
        threshold = max(vehicle.tare_kg * float(p["pct"]) / 100, float(p["kg"]))
        diff = content.tare_kg - vehicle.tare_kg
        if abs(diff) > threshold:
            params = {"tare": content.tare_kg, "registered": vehicle.tare_kg}
            evidence = {
                "tare_kg": content.tare_kg,
                "registered_tare_kg": vehicle.tare_kg,
                "difference_kg": diff,
                "threshold_kg": round(threshold),
            }
            out.append(("tare_deviation", SubjectType.TICKET, ref, evidence, params))
    return out


def _off_hours(
    ctx: Any, params: dict[str, Any], ref: str
) -> list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]]:
    site = ctx.station.site
    local = ctx.content.gross_at.astimezone(LOCAL)
    minute = local.hour * 60 + local.minute
    rule_from, rule_to = parse_hours(params["hours"])
    # Both the site's permit and the rule's window must allow the weighing.
    if within(minute, site.hours_from, site.hours_to) and within(minute, rule_from, rule_to):
        return []
    hours = f"{site.permitted_hours} ∩ {params['hours']}"
    evidence = {
        "local_time": local.strftime("%H:%M"),
        "site_hours": site.permitted_hours,
        "threshold_hours": params["hours"],
    }
    return [
        (
            "off_hours",
            SubjectType.TICKET,
            ref,
            evidence,
            {"time": local.strftime("%H:%M"), "hours": hours},
        )
    ]


def _duplicate(
    ctx: Any, params: dict[str, Any], ref: str
) -> list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]]:
    content = ctx.content
    window = datetime.timedelta(minutes=float(params["window_min"]))
    tolerance = content.net_kg * float(params["net_pct"]) / 100
    # The ticket itself is not stored yet; earlier tickets of its batch may not be either.
    earlier = ctx.weighings(
        ctx.station.pk, content.plate, content.gross_at - window, content.gross_at + window
    )
    for seq, net, at in earlier:
        if seq == content.seq:
            continue
        if abs(net - content.net_kg) <= tolerance:
            local = at.astimezone(LOCAL).strftime("%H:%M")
            evidence = {
                "other_seq": seq,
                "other_net_kg": net,
                "net_kg": content.net_kg,
                "threshold_min": params["window_min"],
                "threshold_pct": params["net_pct"],
            }
            return [("duplicate_weighing", SubjectType.TICKET, ref, evidence, {"time": local})]
    return []


def _entry(
    ctx: Any, rules: dict[str, Any], on: set[str], ref: str
) -> tuple[list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]], list[dict[str, Any]]]:
    """entry_without_exit and weight_discrepancy at the region's thresholds: (alerts, findings).

    The one home of both rules: the ticket's finding (in weighing's words, `weighing.errors`)
    and its alert are decided here, so a county that tightens the discrepancy to 150 kg, or
    turns entry_without_exit off, changes what the ticket stores too.
    """
    content, waybill = ctx.content, ctx.waybill
    if waybill is None or waybill.status != "departed":
        if "entry_without_exit" not in on:
            return [], []
        found = [finding("entry_without_exit")]
        if content.cargo not in ORE:
            return [], found  # an alert only for ore (docs/reference/rules.md)
        evidence = {
            "entry_net_kg": content.net_kg,
            "waybill_status": waybill.status if waybill is not None else None,
        }
        return [("entry_without_exit", SubjectType.TICKET, ref, evidence, None)], found
    if "weight_discrepancy" not in on or waybill.exit_net_kg is None:
        return [], []
    p = rules["weight_discrepancy"].params
    threshold = max(waybill.exit_net_kg * float(p["pct"]) / 100, float(p["kg"]))
    difference = content.net_kg - waybill.exit_net_kg
    if abs(difference) <= threshold:
        return [], []
    evidence = {
        "exit_net_kg": waybill.exit_net_kg,
        "entry_net_kg": content.net_kg,
        "difference_kg": difference,
        "threshold_kg": round(threshold),
    }
    alert = ("weight_discrepancy", SubjectType.WAYBILL, waybill.number, evidence, None)
    return [alert], [finding("weight_discrepancy", kg=difference)]
