"""Refusals of the assessment: stable codes and sentences; a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "not_allowed": _("Your role may not do this."),
    "weights_invalid": _("Weights are above zero and add up to 100."),
    "period_invalid": _("A period is written 2026, 2026-Q1 or 2026-03, matching the scheme."),
    "not_entered": _("Only funding and staffing are entered by the county."),
    "amounts_invalid": _("Planned is above zero and in place is not negative."),
    "evidence_required": _("Describe the evidence (documents, payments, appointments)."),
    "not_submitted": _("Only a submitted entry can be approved or returned."),
    "target_invalid": _("A target is a rate from 0 to 1."),
    "entered_on_hub": _(
        "Funding and staffing are entered on the provincial platform, where the province "
        "reviews them."
    ),
}


class AssessmentError(DomainError):
    """A refused assessment action; nothing was changed."""

    def __init__(self, code: str, *, status: int = 400, field: str | None = None, **params: Any):
        fields = None
        if field:
            text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
            fields = {field: [text]}
        super().__init__(code, MESSAGES[code], params=params, status=status, fields=fields)
