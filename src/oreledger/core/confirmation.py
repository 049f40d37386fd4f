"""The confirmation step in front of every irreversible action.

An irreversible action (approve or return a contract, void a waybill, decide or close a case,
revoke a permit, suspend a site, approve a correction, …) changes something only when its POST
carries `confirmed=1`. A POST without it changes nothing: the view answers with the
confirmation step — what will happen, to which record, that it cannot be undone — which
repeats the submitted fields as hidden inputs and posts them again with `confirmed=1`, or goes
back. It is plain HTML (a page, or a table row for HTMX rows), so it works with no script at
all under the strict CSP, and it is written in the person's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

CONFIRM_FIELD = "confirmed"
# Never repeated into the confirmation form: the token is rendered afresh.
_NOT_REPEATED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


@dataclass
class Confirmation:
    """What the person is asked before an irreversible action."""

    # "Approve contract HT-2026-0001 and register it?"
    question: str | Promise
    # What follows, and that it cannot be undone.
    consequence: str | Promise
    # The confirming button: "Approve", "Void the waybill", …
    action_label: str | Promise
    # Facts about the record shown beside the question: (label, value).
    facts: Sequence[tuple[str | Promise, Any]] = field(default_factory=tuple)
    danger: bool = True


def confirmed(request: HttpRequest) -> bool:
    """Whether the POST is the confirmed one."""
    return request.POST.get(CONFIRM_FIELD) == "1"


def _repeated(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name in request.POST
        if name not in _NOT_REPEATED
        for value in request.POST.getlist(name)
    ]


def ask_confirmation(
    request: HttpRequest,
    confirmation: Confirmation,
    *,
    cancel_url: str,
    row: tuple[str, int] | None = None,
) -> HttpResponse:
    """The confirmation step for this POST (nothing has changed yet).

    `row` = (element id, column count) answers an HTMX request from a table row with the
    question as that row, swapped in place; otherwise it is a page.
    """
    context: dict[str, Any] = {
        "confirmation": confirmation,
        "title": confirmation.question,
        "repeated": _repeated(request),
        "action": request.get_full_path(),
        "cancel_url": cancel_url,
        "confirm_field": CONFIRM_FIELD,
    }
    if row is not None and getattr(request, "htmx", False):
        context.update(row_id=row[0], colspan=row[1])
        return render(request, "core/confirm_row.html", context)
    return render(request, "core/confirm.html", context)
