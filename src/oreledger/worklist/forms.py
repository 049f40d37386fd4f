"""Forms of the worklist: a weekly progress report and a county's weekly confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReportForm(forms.Form):
    """The responsible unit's weekly report on a task."""

    week = forms.DateField(label=_("Week (Monday)"))
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Percent complete"), min_value=0, max_value=100)
    problems = forms.CharField(
        label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_needed = forms.CharField(
        label=_("Help needed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    """A county operator's confirmation that a week's data is complete."""

    week = forms.DateField(label=_("Week (Monday)"))
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
