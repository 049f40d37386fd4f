"""Refusals of the worklist: stable codes and sentences; a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "not_allowed": _("Your role may not do this."),
    "percent_invalid": _("Progress is a percentage from 0 to 100."),
    "text_required": _("Describe the progress made."),
    "due_before_start": _("The due date cannot be before the start."),
    "milestone_outside": _("A milestone falls between the task's start and due date."),
    "not_a_week": _("A reporting week starts on a Monday."),
    "future_week": _("A week cannot be confirmed before it has begun."),
    "not_a_county": _("Only a county confirms its weekly data."),
    "confirmed_on_node": _(
        "This county confirms its weeks on its own sub-platform; they come up from there."
    ),
    "grace_invalid": _("Grace days are a whole number from 0 to 14."),
    "already_done": _("The task is already done."),
}


class WorklistError(DomainError):
    """A refused worklist action; nothing was changed."""

    def __init__(self, code: str, *, status: int = 400, field: str | None = None, **params: Any):
        fields = None
        if field:
            text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
            fields = {field: [text]}
        super().__init__(code, MESSAGES[code], params=params, status=status, fields=fields)
