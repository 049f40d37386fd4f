"""Refusals of alerts and cases: stable codes and sentences."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "not_allowed": _("Your role may not do this."),
    "bad_transition": _("The alert is %(current)s; it cannot go to %(target)s."),
    "note_required": _("Give a note."),
    "threshold_looser": _(
        "A county may only tighten the province's thresholds: %(params)s would be looser."
    ),
    "threshold_invalid": _("Invalid threshold %(param)s: %(value)s."),
    "rule_disabled_above": _("A county cannot switch on or off what the province decided."),
    "severity_lower": _("A county may not lower the severity the province set."),
    "region_not_yours": _("You may change thresholds only for your own region."),
    "case_closed": _("The case is closed."),
    "case_not_decided": _("Decide the case before closing it."),
    "fine_required": _("A fine needs an amount in yuan above zero."),
    "site_required": _("A suspension needs the site to suspend."),
    "permit_required": _("A revocation request needs the permit to revoke."),
    "case_not_decided_for_publication": _("Only a decided case's decision can be published."),
    "case_already_published": _("The decision of this case is already published."),
    "publication_text_required": _(
        "Give the violation as the public reads it and the legal basis of the decision."
    ),
    "back_test_unsupported": _("This rule cannot be back-tested from stored records."),
    "region_served_by_node": _(
        "This county's thresholds are set on its own county platform, not on the hub."
    ),
    "received_read_only": _(
        "Only the platform of region %(owner)s changes this record; this one holds a copy."
    ),
}


class AlertError(DomainError):
    """A refused alert, case or rule change; nothing was changed."""

    def __init__(self, code: str, *, status: int = 400, field: str | None = None, **params: Any):
        fields = None
        if field:
            text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
            fields = {field: [text]}
        super().__init__(code, MESSAGES[code], params=params, status=status, fields=fields)
