"""An alert's evidence and references as a reader reads them: labelled, in units, linked.

The rules store evidence as machine keys (`gross_kg`, `threshold_min`, `from_station`) so
that the API and back-tests can compute with them; a page, an export or a PDF shows each
key's label, the value in its unit (weights in tonnes, times in Asia/Shanghai) and every
reference as a link to its record (`core.display`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.core.display import (
    EMPTY,
    Shown,
    field_label,
    field_value,
    in_reader_language,
    local_date,
    local_time,
    number,
    reference_label,
    resolve_references,
    tonnes,
    yes_no,
)
from oreledger.registry.models import PermitType
from oreledger.weighing.models import Ticket, Waybill

LABELS: dict[str, Promise] = {
    "allocated_kg": _("Allocated"),
    "assay_grade": _("Grade the assay supports"),
    "assay_lot": _("Assay lot"),
    "assay_mgo_pct": _("MgO of the assay"),
    "assay_rank": _("Grade rank supported by the assay"),
    "assay_sampled_on": _("Sampled on"),
    "axles": _("Axles"),
    "blocking": _("Truck held"),
    "ceiling_kg": _("Delivery ceiling"),
    "consumed_kg": _("Consumed"),
    "days_left": _("Days left"),
    "declared_grade": _("Declared grade"),
    "declared_kg": _("Declared production"),
    "declared_rank": _("Declared grade rank"),
    "delivered_kg": _("Delivered"),
    "departed_at": _("Left the mine at"),
    "device_time": _("Device time"),
    "difference_kg": _("Difference"),
    "distance_km": _("Distance"),
    "drift_s": _("Clock offset"),
    "due_at": _("Due at"),
    "entry_net_kg": _("Plant-gate net"),
    "exit_net_kg": _("Mine-exit net"),
    "fields": _("Fields that differ"),
    "first_after": _("First seq after the gap"),
    "first_after_received_at": _("First seq after the gap received at"),
    "deadline": pgettext_lazy("rectification", "deadline"),
    "done_pct": _("Reached"),
    "due_on": _("due on"),
    "floor_yuan": _("Floor price"),
    "from_at": _("Earlier weighing at"),
    "from_seq": _("Earlier seq"),
    "from_station": _("Earlier station"),
    "gap_kg": _("Gap"),
    "goal_pct": _("goal (%)"),
    "grace_days": _("Grace"),
    "gap_pct": _("Gap share"),
    "grade": _("Grade"),
    "gross_kg": _("Gross"),
    "hours_open": _("Open for"),
    "last_before": _("Last seq before the gap"),
    "last_heartbeat_at": _("Last heartbeat at"),
    "local_time": _("Weighed at (local)"),
    "message": _("Finding"),
    "minutes": _("Time between"),
    "missing": _("Missing seq"),
    "month": _("Month"),
    "monthly_capacity_kg": _("Monthly permitted capacity"),
    "net_kg": _("Net"),
    "other_net_kg": _("Net of the other weighing"),
    "other_seq": _("Seq of the other weighing"),
    "over_kg": _("Over the limit by"),
    "over_days": _("Overdue by"),
    "over_h": _("Overdue by"),
    "plate": _("Vehicle"),
    "override_reason": _("Province override reason"),
    "permit_type": _("Permit type"),
    "quantity_kg": _("Contract quantity"),
    "received_kg": _("Received this month"),
    "registered_tare_kg": _("Registered tare"),
    "resent": _("Resent content"),
    "signoffs_missing": _("Departments yet to sign"),
    "silent_min": _("Silent for"),
    "site_hours": _("Site's permitted hours"),
    "speed_kmh": _("Speed needed"),
    "stored": _("Stored content"),
    "tare_kg": _("Tare"),
    "threshold_days": _("Threshold"),
    "threshold_h": _("Threshold"),
    "threshold_hours": _("Rule's permitted hours"),
    "threshold_kg": _("Limit"),
    "threshold_kmh": _("Speed limit"),
    "threshold_min": _("Threshold"),
    "threshold_pct": _("Threshold"),
    "threshold_s": _("Threshold"),
    "threshold_steps": _("Threshold (grade steps)"),
    "to_at": _("Later weighing at"),
    "to_seq": _("Later seq"),
    "to_station": _("Later station"),
    "tolerance_kg": _("Tolerance"),
    "target": _("Target"),
    "unit_price_yuan": _("Unit price"),
    "valid_to": _("Valid to"),
    "waybill_status": _("Waybill status"),
    "weighed_exit_kg": _("Weighed at the mine exit"),
}
# Unit of a key, by its suffix (the rules' naming convention).
_UNITS = (
    ("_kmh", "km/h"),
    ("_km", "km"),
    ("_min", _("min")),
    ("_pct", "%"),
    ("_s", _("s")),
    ("_h", _("h")),
    ("_days", _("days")),
    ("_yuan", _("yuan/t")),
)
_STATION_KEYS = {"from_station", "to_station"}
# Evidence keys that name a record (core.display reference kinds).
_RECORD_KEYS = {"plate": "plate"}
# The reference kind (core.display) of each kind of alert subject.
SUBJECT_REFERENCES = {
    "ticket": "ticket",
    "site": "site",
    "quota_account": "quota_account",
    "contract": "contract",
    "vehicle": "plate",
    "waybill": "waybill",
    "station": "station",
    "permit": "permit",
    "appeal": "appeal",
    "order": "order",
    "campaign": "campaign",
}


def label(key: str) -> str:
    """The evidence key's label in the reader's language (the key itself if unknown)."""
    found = LABELS.get(key)
    return str(found) if found is not None else key


def _ticket_fields(names: Any) -> str:
    return "、".join(_ticket_field_label(Ticket, str(n)) for n in names or [])


def _ticket_field_label(model: Any, name: str) -> str:
    aliases = {"waybill": "waybill_number", "direction": "kind"}
    return field_label(model, aliases.get(name, name))


def _content(values: Mapping[str, Any]) -> str:
    return "；".join(f"{_ticket_field_label(Ticket, k)} {v}" for k, v in values.items())


def value(key: str, raw: Any, refs: Mapping[tuple[str, str], Shown] | None = None) -> Shown:
    """One evidence value in its unit; a station as a link to it."""
    if raw is None or raw == "":
        return Shown(EMPTY)
    if key in _STATION_KEYS:
        return (refs or {}).get(("station", str(raw)), Shown(str(raw)))
    if key in _RECORD_KEYS:
        return (refs or {}).get((_RECORD_KEYS[key], str(raw)), Shown(str(raw)))
    if key.endswith("_kg"):
        return Shown(tonnes(raw))
    if key.endswith("_at") or key == "device_time":
        return Shown(local_time(raw))
    if key.endswith("_on") or key == "valid_to":
        return Shown(local_date(raw))
    if key == "blocking":
        return Shown(yes_no(bool(raw)))
    if key == "message":
        return Shown(in_reader_language(str(raw)))
    if key == "fields":
        return Shown(_ticket_fields(raw))
    if key in ("stored", "resent") and isinstance(raw, Mapping):
        return Shown(_content(raw))
    if key == "permit_type":
        return Shown(_permit_type(raw))
    if key == "waybill_status":
        return field_value(Waybill, "status", raw)
    if key == "hours_open":
        return Shown(f"{number(raw, 1)} {_('h')}")
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            return Shown(f"{_number(raw)} {unit}")
    return Shown(_number(raw) if isinstance(raw, int | float) else str(raw))


def _number(raw: Any) -> str:
    try:
        decimals = 0 if float(raw) == int(float(raw)) else 2
        return number(raw, decimals)
    except (TypeError, ValueError):
        return str(raw)


def _permit_type(code: Any) -> str:
    found = PermitType.objects.filter(code=code).first()
    return str(found) if found is not None else str(code)


def readable_evidence(evidence: Mapping[str, Any], user: Any) -> list[tuple[str, Shown]]:
    """(label, value) for each evidence key, stations linked when the user may open them."""
    records = [("station", v) for k, v in evidence.items() if k in _STATION_KEYS]
    records += [(_RECORD_KEYS[k], v) for k, v in evidence.items() if k in _RECORD_KEYS]
    refs = resolve_references(records, user)
    return [(label(k), value(k, v, refs)) for k, v in evidence.items()]


def readable_refs(refs: Mapping[str, Any], user: Any) -> list[tuple[str, Shown]]:
    """(label, record) for each reference, linked to the record when the user may open it.

    A ticket is named by its station and seq ("HC-ST-001 #12"), linked to the ticket.
    """
    pairs = [(k, v) for k, v in refs.items() if v not in (None, "") and k != "seq"]
    if refs.get("station") and refs.get("seq") is not None:
        pairs.append(("ticket", f"{refs['station']}#{refs['seq']}"))
    found = resolve_references(pairs, user)
    return [(reference_label(k), found.get((k, str(v)), Shown(str(v)))) for k, v in pairs]


def evidence_text(evidence: Mapping[str, Any]) -> str:
    """The evidence as one line of labelled values (the change history, exports)."""
    return "；".join(f"{label(k)} {value(k, v)}" for k, v in evidence.items())


def refs_text(refs: Mapping[str, Any]) -> str:
    """The references as one line of labelled codes."""
    return "；".join(f"{reference_label(k)} {v}" for k, v in refs.items() if v not in (None, ""))
