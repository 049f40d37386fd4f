"""The briefing's page forms: they parse, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WeekForm(forms.Form):
    """Which week and which region to brief on."""

    week = forms.RegexField(
        label=_("Week"), regex=r"^\d{4}-W\d{2}$", max_length=8, help_text=_("e.g. 2026-W48")
    )
    region = forms.CharField(label=_("Region code"), max_length=12, required=False)


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
