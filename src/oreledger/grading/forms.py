"""Forms of grading: a new standard version with its grade table, and an assay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oreledger.grading.services import GradeSpec
from oreledger.registry.models import Site


def _percent(label: Any, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "pct-input"}),
    )


class StandardForm(forms.Form):
    """The version's identity and effective date."""

    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GradeForm(forms.Form):
    """One grade of the table (empty limit = no limit)."""

    code = forms.CharField(label=_("Code"), max_length=64)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=99)
    mgo_min = _percent(_("MgO min %"))
    cao_max = _percent(_("CaO max %"))
    sio2_max = _percent(_("SiO2 max %"))
    fe2o3_max = _percent(_("Fe2O3 max %"))
    al2o3_max = _percent(_("Al2O3 max %"))


class BaseGradeFormSet(forms.BaseFormSet):
    """The grade table; blank extra rows are ignored."""

    def specs(self) -> list[GradeSpec]:
        """The filled rows as grade specifications."""
        return [
            GradeSpec(**form.cleaned_data) for form in self.forms if form.cleaned_data.get("code")
        ]


def grade_formset(data: Any, *, initial: list[dict[str, Any]]) -> BaseGradeFormSet:
    """A formset pre-filled with the grades of the version in force, plus two blank rows."""
    formset_class = forms.formset_factory(GradeForm, formset=BaseGradeFormSet, extra=2)
    formset: Any = formset_class(data, initial=initial, prefix="grades")
    return formset


class AssayForm(forms.Form):
    """A laboratory result for one lot of a site."""

    site: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Site.objects.none(), label=_("Site")
    )
    lot = forms.CharField(label=_("Lot"), max_length=64)
    sampled_on = forms.DateField(
        label=_("Sampled on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    mgo = _percent("MgO %", required=True)
    cao = _percent("CaO %", required=True)
    sio2 = _percent("SiO2 %", required=True)
    fe2o3 = _percent("Fe2O3 %")
    al2o3 = _percent("Al2O3 %")
    loi = _percent(_("Loss on ignition %"))
    lab = forms.CharField(label=_("Laboratory"), max_length=200, required=False)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
