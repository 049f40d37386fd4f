"""Forms of weighing's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from oreledger.core import numbers
from oreledger.core.display import term
from oreledger.registry.identifiers import validate_plate
from oreledger.registry.queries import is_blacklisted
from oreledger.trade.models import Contract
from oreledger.weighing.choices import BLOCKABLE_CODES
from oreledger.weighing.rules import ALWAYS_BLOCKING
from oreledger.weighing.services.waybills import issuable_contracts, registered_vehicles


class ContractChoice(forms.ModelChoiceField):
    """A contract by its number, shown with its buyer, grade and the tonnes left."""

    def label_from_instance(self, obj: Any) -> str:
        return str(
            _("%(number)s · to %(buyer)s · %(grade)s · %(left)s t left")
            % {
                "number": obj.number,
                "buyer": obj.buyer.name,
                "grade": obj.grade.code,
                "left": numbers.tonnes(obj.remaining_kg),
            }
        )


class WaybillForm(forms.Form):
    """Issue a waybill: one of the person's approved contracts and a registered truck."""

    contract = ContractChoice(
        label=_("Contract"),
        queryset=Contract.objects.none(),
        to_field_name="number",
        empty_label=_("Choose a contract"),
        error_messages={
            "invalid_choice": _(
                "Contract %(value)s is not one you may issue waybills against today "
                "(approved, valid today, with tonnes left to deliver)."
            ),
        },
    )
    plate = forms.CharField(
        label=_("Plate"),
        max_length=12,
        help_text=_("Type a few characters of the plate and choose a registered truck."),
        widget=forms.TextInput(
            attrs={"list": "plate-options", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    planned_net_kg = forms.IntegerField(label=_("Planned net (kg)"), min_value=1, max_value=100000)
    valid_hours = forms.IntegerField(
        label=_("Valid for (hours)"), min_value=1, max_value=72, initial=24
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field: Any = self.fields["contract"]
        field.queryset = (
            issuable_contracts(user).select_related("buyer", "grade").order_by("number")
        )

    def clean_plate(self) -> str:
        """A mainland plate of a registered, not blacklisted truck of the province."""
        text = self.cleaned_data["plate"]
        try:
            plate = validate_plate(text)
        except ValidationError:
            raise ValidationError(
                _("%(plate)s is not a valid mainland plate."),
                code="plate_invalid",
                params={"plate": text},
            ) from None
        if is_blacklisted(plate):
            raise ValidationError(
                _("Vehicle %(plate)s is blacklisted."),
                code="vehicle_blacklisted",
                params={"plate": plate},
            )
        if not registered_vehicles(self.user).filter(plate=plate).exists():
            raise ValidationError(
                _("%(plate)s is not a registered truck; register it first."),
                code="vehicle_unregistered",
                params={"plate": plate},
            )
        return plate


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


class BlockingSetForm(forms.Form):
    """Which findings hold a truck in a region, besides the ledger codes that always do."""

    codes = forms.MultipleChoiceField(
        label=_("Also hold the truck on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Unticked, a finding only warns the weighbridge operator and raises its alert."
            " Impossible travel is a warning by default: a mistyped plate triggers it too."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["codes"]
        field.choices = [
            (code, term("rule", code)) for code in BLOCKABLE_CODES if code not in ALWAYS_BLOCKING
        ]
