"""The briefing's page forms: they parse, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region


class WeekForm(forms.Form):
    """Which week and which region to brief on."""

    week = forms.RegexField(
        label=_("Week"),
        regex=r"^\d{4}-W\d{2}$",
        max_length=8,
        help_text=_("e.g. 2026-W48"),
        # A browser's week picker sends the same ISO key ("2026-W48") the briefing uses.
        widget=forms.TextInput(attrs={"type": "week"}),
    )
    region = forms.CharField(label=_("Region"), max_length=12, required=False)

    def __init__(self, *args: Any, reader: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The reader picks a region of the jurisdiction by name; the code stays in the query.
        home = getattr(reader, "region", None)
        if home is not None:
            regions = Region.objects.filter(path__startswith=home.path).order_by("path")
            self.fields["region"].widget = forms.Select(
                choices=[(r.code, str(r.name)) for r in regions]
            )
            self.fields["region"].initial = home.code


class NarrativeForm(forms.Form):
    """The leader's remarks and next week's priorities of a draft."""

    remarks = forms.CharField(
        label=_("Leader's remarks"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
        max_length=20000,
    )  # fmt: skip
    priorities = forms.CharField(
        label=_("Next week's priorities"), widget=forms.Textarea(attrs={"rows": 5}),
        required=False, max_length=20000,
    )  # fmt: skip
