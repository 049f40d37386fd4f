"""Forms of weighing's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WaybillForm(forms.Form):
    """Issue a waybill."""

    contract = forms.CharField(label=_("Contract number"), max_length=40)
    plate = forms.CharField(label=_("Plate"), max_length=12)
    planned_net_kg = forms.IntegerField(label=_("Planned net (kg)"), min_value=1, max_value=100000)
    valid_hours = forms.IntegerField(
        label=_("Valid for (hours)"), min_value=1, max_value=72, initial=24
    )


class VoidForm(forms.Form):
    """Void an unused waybill."""

    reason = forms.CharField(label=_("Reason"), max_length=300)


class CorrectionForm(forms.Form):
    """Ask for a ticket's plate or waybill to be corrected."""

    plate = forms.CharField(label=_("Corrected plate"), max_length=12, required=False)
    waybill_number = forms.CharField(label=_("Corrected waybill"), max_length=40, required=False)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    """Approve or reject a correction."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
