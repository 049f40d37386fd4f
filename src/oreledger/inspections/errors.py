"""Refusals of inspections, orders and decisions: stable codes and sentences."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "not_allowed": _("Your role may not do this."),
    "period_invalid": _("The campaign must end on or after the day it starts."),
    "campaign_closed": _("The campaign has ended."),
    "site_out_of_scope": _("The site is outside the campaign's regions or enterprise kinds."),
    "checklist_empty": _("The checklist has no items."),
    "results_incomplete": _("Give a result for every item: %(missing)s left."),
    "photo_not_image": _("The photo %(name)s is not a JPEG, PNG or WebP image."),
    "photo_too_large": _("The photo %(name)s is larger than %(limit)s MiB."),
    "unknown_item": _("An item does not belong to the checklists of this inspection."),
    "note_required": _("A failed item needs a note saying what was found."),
    "key_reused": _("This submission key was used for another site."),
    "findings_required": _("Choose at least one open finding of the enterprise."),
    "finding_taken": _("A chosen finding already has a rectification order."),
    "deadline_past": _("The deadline must be after today."),
    "text_required": _("Give the text."),
    "order_closed": _("The order is already closed."),
    "not_answered": _("The enterprise has not answered the order yet."),
    "not_your_department": _("Your department is not among those that sign this order."),
    "already_signed": _("Your department has already signed this order."),
    "not_your_enterprise": _("Only the enterprise the order is addressed to may answer it."),
    "group_name_invalid": _("Every inspection group needs a name of its own."),
    "member_out_of_scope": _("A group's leader and members must work in the campaign's region."),
    "group_in_use": _("The group %(name)s has inspections and cannot be removed."),
    "reason_required": _("Give the reason for the decision."),
}


class InspectionError(DomainError):
    """A refused inspection, order or decision; nothing was changed."""

    def __init__(self, code: str, *, status: int = 400, field: str | None = None, **params: Any):
        fields = None
        if field:
            text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
            fields = {field: [text]}
        super().__init__(code, MESSAGES[code], params=params, status=status, fields=fields)
