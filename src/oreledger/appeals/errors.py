"""Refusals of the appeals desk: stable codes and sentences; a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "not_allowed": _("Your role may not do this."),
    "not_your_appeal": _("This appeal is not routed to your department."),
    "wrong_stage": _("The appeal is %(current)s; this cannot be done now."),
    "description_required": _("Describe the problem."),
    "text_required": _("Write the answer."),
    "reason_required": _("Give the reason in writing."),
    "departments_required": _("Choose at least one responsible department."),
    "department_outside": _("A department outside the appeal's county cannot take it."),
    "rating_invalid": _("Rate your satisfaction from 1 to 5."),
    "already_complex": _("The appeal is already complex."),
    "reclass_pending": _("A reclassification request is already waiting for the office."),
    "no_reclass_pending": _("No reclassification request is waiting."),
    "not_closed": _("A return visit follows the closing of the appeal."),
    "limit_invalid": _("Each time limit must be a whole number above zero."),
    "no_enterprise": _("Your account belongs to no enterprise."),
}


class AppealError(DomainError):
    """A refused appeal action; nothing was changed."""

    def __init__(self, code: str, *, status: int = 400, field: str | None = None, **params: Any):
        fields = None
        if field:
            text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
            fields = {field: [text]}
        super().__init__(code, MESSAGES[code], params=params, status=status, fields=fields)
