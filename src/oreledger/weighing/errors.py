"""Codes and sentences of weighing: request refusals, field rejections and rule findings.

Devices are read by operators and vendors alike, so the protocol's sentences are bilingual
("中文 / English"); the templates of both languages are built once per process.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import Conflict, DomainError, NotFound

MESSAGES: dict[str, Promise] = {
    # Request refusals (the whole request; nothing stored).
    "station_unknown": _("Unknown or disabled station."),
    "bad_signature": _("The request signature does not verify."),
    "stale_timestamp": _("The request timestamp is more than 300 s from the platform's clock."),
    "payload_too_large": _("The request body is larger than 1 MiB."),
    "malformed_json": _("The body is not valid JSON in UTF-8."),
    "tickets_missing": _("The body needs a `tickets` array."),
    "batch_size": _("A batch holds 1 to 500 tickets."),
    "invalid_body": _("The body does not have the expected shape."),
    "rate_limited": _(
        "Too many requests from this station or address; try again in %(seconds)s s."
    ),
    # Field rules of one ticket (rejected; only the rejection is recorded).
    "not_an_object": _("Each ticket is a JSON object."),
    "invalid_seq": _("seq must be an integer of at least 1."),
    "invalid_ticket_no": _("ticket_no must be 1 to 40 characters."),
    "invalid_plate": _("plate is not a valid mainland plate."),
    "invalid_direction": _("direction must be out or in."),
    "invalid_waybill": _("waybill must be a waybill number or null."),
    "unknown_cargo": _("cargo is not on the platform's cargo list."),
    "unknown_grade": _("declared_grade is not a grade of the standard in force."),
    "invalid_weight": _("Weights are integers with 0 < tare < gross ≤ 100000 kg."),
    "net_mismatch": _("net_kg must equal gross_kg − tare_kg exactly."),
    "invalid_time": _("gross_at and tare_at must be ISO 8601 times with an offset, from 2000 on."),
    "time_order": _("A departure's tare_at must not be later than its gross_at."),
    "future_time": _("A weighing time is more than 300 s in the platform's future."),
    "invalid_operator": _("operator must be 1 to 40 characters."),
    "invalid_photos": _("photos must be a list of {kind, sha256}."),
    "unknown_field": _("The ticket has a field the protocol does not define: %(field)s."),
    # Blocking rules (docs/reference/rules.md).
    "no_waybill": _("No open waybill for %(plate)s from this site."),
    "waybill_wrong_plate": _("Waybill %(waybill)s is issued for another plate."),
    "permit_invalid": _("A required permit is missing, expired or revoked: %(permit)s."),
    "site_suspended": _("The site or its enterprise is not allowed to operate (%(status)s)."),
    "quota_exhausted": _("The mine's %(year)s extraction quota is used up."),
    "quota_missing": _("The mine has no %(year)s extraction quota."),
    "contract_exceeded": _("Contract %(contract)s would be exceeded."),
    "vehicle_blacklisted": _("Vehicle %(plate)s is blacklisted."),
    "waybill_reused": _("Waybill %(waybill)s was already used for a trip."),
    "entry_without_exit": _("No mine-exit weighing is known for this arrival."),
    "weight_discrepancy": _("Plant-gate net differs from mine-exit net by %(kg)s kg."),
    "quota_warning": _("The mine has used %(percent)s %% of its quota."),
    "ticket_conflict": _("A resend of seq %(seq)s differs from the stored ticket."),
    "station_clock_drift": _("The station's clock is %(seconds)s s off."),
    "waybill_unknown": _("Unknown waybill, or not addressed to or from this station's site."),
}
# Codes whose finding is reported under another rule's code (the code set is fixed).
REPORTED_AS = {"waybill_wrong_plate": "no_waybill", "quota_missing": "quota_exhausted"}

_TEMPLATES: dict[str, tuple[str, str]] = {}


def _templates(code: str) -> tuple[str, str]:
    found = _TEMPLATES.get(code)
    if found is None:
        message = MESSAGES[code]
        with translation.override("zh-hans"):
            zh = str(message)
        with translation.override("en"):
            en = str(message)
        found = _TEMPLATES[code] = (zh, en)
    return found


def bilingual(code: str, **params: Any) -> str:
    """ "中文 / English" for a code, with its parameters filled in."""
    zh, en = _templates(code)
    if params:
        zh, en = zh % params, en % params
    return zh if zh == en else f"{zh} / {en}"


def finding(code: str, *, blocking: bool = False, **params: Any) -> dict[str, Any]:
    """One rule finding as stored on a ticket and answered to the station."""
    return {
        "code": REPORTED_AS.get(code, code),
        "message": bilingual(code, **params),
        "blocking": blocking,
    }


class ProtocolError(DomainError):
    """A station request refused as a whole: nothing stored."""

    def __init__(self, code: str, status: int, **params: Any) -> None:
        super().__init__(code, MESSAGES[code], status=status, params=params)

    def as_payload(self) -> dict[str, Any]:
        """The error body with the bilingual sentence devices show."""
        return {"error": {"code": self.code, "message": bilingual(self.code, **self.params)}}


WAYBILL_MESSAGES: dict[str, Promise] = {
    "contract_unknown": _("Unknown contract %(value)s, or not yours."),
    "contract_not_approved": _("The contract is not approved."),
    "contract_not_valid_today": _("The contract is not valid today."),
    "plate_invalid": _("The plate is not a valid mainland plate."),
    "vehicle_blacklisted": _("Vehicle %(value)s is blacklisted."),
    "waybill_open": _("Vehicle %(value)s already holds an open waybill from this site."),
    "planned_net_range": _("The planned net must lie between 1 and 100000 kg."),
    "valid_hours_range": _("A waybill is valid for 1 to 72 hours."),
    "waybill_not_open": _("Only an issued, unused waybill can be voided."),
    "reason_required": _("Give the reason."),
    "not_allowed": _("Your role may not do this."),
    "ticket_unknown": _("Unknown ticket, or outside your jurisdiction."),
    "correction_decided": _("This correction has already been decided."),
    "correction_pending": _("This ticket already has a correction waiting for a decision."),
    "correction_no_change": _("The correction changes nothing."),
    "self_approval": _("A correction is approved by someone other than who asked for it."),
    "waybill_unknown": _("Unknown waybill %(value)s."),
    "waybill_mismatch": _("Waybill %(value)s does not fit this ticket (site, plate or status)."),
    "contract_exceeded": _("Contract %(value)s would be exceeded."),
    "blocking_code_unknown": _("%(value)s cannot be in a blocking set."),
    "blocking_code_required": _("%(value)s always holds the truck and cannot be dropped."),
}


class WeighingError(DomainError):
    """A refused waybill or correction request."""

    def __init__(self, code: str, *, status: int = 400, field: str | None = None, **params: Any):
        message = WAYBILL_MESSAGES[code]
        fields = None
        if field:
            text = str(message) % params if params else str(message)
            fields = {field: [text]}
        super().__init__(code, message, params=params, status=status, fields=fields)


def not_found(code: str = "ticket_unknown", **params: Any) -> NotFound:
    """Unknown or out of scope, never told apart."""
    return NotFound(code, WAYBILL_MESSAGES[code], params=params)


def conflict(code: str, **params: Any) -> Conflict:
    """Lost a race, or contradicts the current state."""
    return Conflict(code, WAYBILL_MESSAGES[code], params=params)
