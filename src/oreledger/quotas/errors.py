"""Refusals of the quota services (stable codes, English source, zh-Hans translation)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.core import numbers
from oreledger.core.errors import Conflict, DomainError, NotFound, PermissionDenied

MESSAGES: dict[str, Any] = {
    "amount_not_positive": _("The amount must be more than zero tonnes."),
    "amount_negative": _("An allocation cannot be negative."),
    "period_unknown": _("There is no quota period %(year)s; the province opens periods."),
    "period_closed": _("The quota period %(year)s is closed."),
    "mineral_unknown": _("The mineral %(mineral)s is not under quota control."),
    "over_parent_allocation": _(
        "This allocation would hand out %(requested)s t while %(parent)s holds %(available)s t; "
        "children's allocations never exceed the parent's."
    ),
    "below_children_allocation": _(
        "The allocation cannot drop below the %(allocated)s t already passed on."
    ),
    "below_consumption": _("The allocation cannot drop below the %(consumed)s t already consumed."),
    "parent_account_missing": _(
        "%(parent)s has no quota for %(year)s yet; it must be allocated first."
    ),
    "holder_not_allocatable": _("Quotas are held by the province, counties and mines only."),
    "holder_outside_parent": _("%(holder)s does not belong to %(parent)s."),
    "quota_exhausted": _("The draw of %(amount)s t exceeds the %(remaining)s t remaining."),
    "quota_frozen": _("The quota of %(holder)s is frozen: %(reason)s"),
    "transfer_not_siblings": _("A transfer moves quota between mines of one county only."),
    "transfer_same_account": _("A transfer needs two different mines."),
    "not_a_consumption": _("Only a consumption entry can be reversed."),
    "already_reversed": _("This consumption has been reversed already."),
    "change_decided": _("This request has been decided already."),
    "self_approval": _("A request is approved by someone other than its requester."),
    "reason_required": _("Give a reason."),
    "not_allowed": _("This quota is not yours to change."),
    "account_unknown": _("No such quota account."),
}


def refuse(code: str, **params: Any) -> DomainError:
    """The DomainError for `code`, with the class that gives it its HTTP status."""
    message = MESSAGES[code]
    if code == "account_unknown":
        return NotFound(code, message, params=params)
    if code == "not_allowed":
        return PermissionDenied(code, message, params=params)
    if code in ("quota_exhausted", "quota_frozen", "already_reversed", "change_decided"):
        return Conflict(code, message, params=params)
    return DomainError(code, message, params=params)


def tonnes(kg: int) -> str:
    """Kilograms as tonnes with two decimals, for messages (written as on every page)."""
    return numbers.tonnes(kg)
