"""Refusals of the briefings: stable codes and sentences; a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "week_invalid": _("Give the week as YYYY-Www, e.g. 2026-W48."),
    "week_ahead": _("A briefing covers a past week or the current week so far."),
    "already_issued": _("The briefing is issued; its figures and remarks no longer change."),
    "not_allowed": _("Your role may not do this."),
}


class BriefingError(DomainError):
    """A refused briefing action; nothing was changed."""

    def __init__(self, code: str, *, status: int = 400, field: str | None = None, **params: Any):
        fields = {field: [str(MESSAGES[code])]} if field else None
        super().__init__(code, MESSAGES[code], params=params, status=status, fields=fields)
