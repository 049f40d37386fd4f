"""The weighing app's stored findings as alerts: their subject, evidence and occurrence.

The blocking findings (no_waybill, quota_exhausted, …) and quota warnings are decided by
weighing and stored on the ticket. One definition of how each becomes an alert serves the
ticket's own transaction (`sync_rules.TicketAlerts`) and the backstop scan
(`scans.scan_ticket_findings`): the same occurrence key, so a finding is counted once.
"""

from __future__ import annotations

import re
from typing import Any

from oreledger.alerts.choices import SubjectType
from oreledger.alerts.engine import Occurrence
from oreledger.core.localtime import local_year

# Findings the weighing app stores that become alerts (the synchronous rules' own findings
# are raised by alerts.sync_rules).
SUBJECTS = {
    "no_waybill": SubjectType.TICKET,
    "permit_invalid": SubjectType.SITE,
    "site_suspended": SubjectType.SITE,
    "quota_exhausted": SubjectType.QUOTA_ACCOUNT,
    "quota_warning": SubjectType.QUOTA_ACCOUNT,
    "contract_exceeded": SubjectType.CONTRACT,
    "vehicle_blacklisted": SubjectType.VEHICLE,
    "waybill_reused": SubjectType.WAYBILL,
}
_PERCENT = re.compile(r"(\d+)\s*%")


def raised_findings(ticket: Any) -> list[dict[str, Any]]:
    """The ticket's findings that become alerts here."""
    return [r for r in ticket.reasons if r.get("code") in SUBJECTS]


def _subject_ref(code: str, ticket: Any, station_code: str, refs: dict[str, Any]) -> str | None:
    kind = SUBJECTS[code]
    if kind == SubjectType.TICKET:
        return f"{station_code}#{ticket.seq}"
    if kind == SubjectType.SITE:
        return refs.get("site")
    if kind == SubjectType.QUOTA_ACCOUNT:
        year = local_year(ticket.gross_at)
        return f"{refs['site']}/{year}" if refs.get("site") else None
    if kind == SubjectType.CONTRACT:
        return refs.get("contract")
    if kind == SubjectType.VEHICLE:
        return str(ticket.plate)
    return refs.get("waybill") or None


def finding_occurrences(
    ticket: Any,
    station: Any,
    refs: dict[str, Any],
    *,
    quota: dict[str, Any] | None = None,
    contract: dict[str, Any] | None = None,
) -> list[Occurrence]:
    """Each alert-raising finding of a ticket as an occurrence (keyed by station and seq).

    `quota` and `contract` are the account's and the contract's figures for the evidence.
    """
    found = []
    site = station.site
    seen = set()
    for reason in raised_findings(ticket):
        code = reason["code"]
        if code in seen and code != "quota_warning":
            continue  # one occurrence per rule and ticket (e.g. several permits invalid)
        seen.add(code)
        subject = _subject_ref(code, ticket, station.code, refs)
        if not subject:
            continue
        evidence: dict[str, Any] = {
            "message": reason.get("message", ""),
            "blocking": bool(reason.get("blocking")),
            "gross_kg": ticket.gross_kg,
            "net_kg": ticket.net_kg,
        }
        extra = ""
        if code in ("quota_exhausted", "quota_warning") and quota:
            evidence.update(quota)
        if code == "quota_warning":
            match = _PERCENT.search(reason.get("message", ""))
            step = int(match.group(1)) if match else 0
            evidence["threshold_pct"] = step
            extra = f"|{step}"
        if code == "contract_exceeded" and contract:
            evidence.update(contract)
        found.append(
            Occurrence(
                rule=code,
                region=station.region,
                subject_type=SUBJECTS[code],
                subject_ref=subject,
                at=ticket.gross_at,
                refs=refs,
                evidence=evidence,
                occurrence=f"{code}|{station.code}#{ticket.seq}{extra}",
                enterprise_id=site.enterprise_id if site is not None else None,
                site_id=site.pk if site is not None else None,
                lat=station.lat,
                lon=station.lon,
                dedupe_extra=extra,
            )
        )
    return found
