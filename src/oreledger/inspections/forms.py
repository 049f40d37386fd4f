"""Page forms of inspections: they parse, the services decide."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.inspections.choices import Outcome
from oreledger.inspections.models import ChecklistItem
from oreledger.registry.choices import Rectification


class SiteForm(forms.Form):
    """Which site the group is at."""

    site = forms.CharField(label=_("Site code"), max_length=30)


class OrderForm(forms.Form):
    """A rectification order for the open findings of one inspection."""

    target = forms.CharField(label=_("Rectification target"), max_length=500)
    measures = forms.CharField(
        label=_("Required measures"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(
        label=pgettext_lazy("rectification", "Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=100)


class AnswerForm(forms.Form):
    """The enterprise's answer, with evidence."""

    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence (photo or file)"), required=False)


class SignForm(forms.Form):
    """A department's acceptance signature."""

    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DecisionForm(forms.Form):
    """A classification decision on an enterprise."""

    classification = forms.ChoiceField(label=_("Classification"), choices=Rectification.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


def parse_results(
    data: Mapping[str, Any], files: Any, items: Iterable[ChecklistItem]
) -> tuple[uuid.UUID | None, list[dict[str, Any]]]:
    """The submission key and each item's outcome, note and photos from the field form."""
    try:
        key: uuid.UUID | None = uuid.UUID(str(data.get("submission_key", "")))
    except ValueError:
        key = None
    results = []
    for item in items:
        outcome = data.get(f"outcome_{item.pk}", "")
        results.append(
            {
                "item": item.pk,
                "outcome": outcome if outcome in Outcome.values else "",
                "note": str(data.get(f"note_{item.pk}", "")),
                "photos": files.getlist(f"photo_{item.pk}") if files else [],
            }
        )
    return key, results
