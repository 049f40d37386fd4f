"""Page forms of the assessment: they parse, the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oreledger.assessment.choices import ENTERED, IndicatorKind, PeriodKind, ScoringRule
from oreledger.assessment.errors import AssessmentError
from oreledger.assessment.models import Scheme
from oreledger.assessment.queries import Period
from oreledger.core.uploads import EVIDENCE, UploadField


class EvidenceForm(forms.Form):
    """A county's funding or staffing in place for a period, with its evidence."""

    kind = forms.ChoiceField(label=_("Indicator"), choices=[(k.value, k.label) for k in ENTERED])
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026, 2026-Q1 or 2026-03")
    )
    planned = forms.DecimalField(
        label=_("Planned (yuan or people)"), max_digits=14, decimal_places=2
    )
    actual = forms.DecimalField(
        label=_("In place (yuan or people)"), max_digits=14, decimal_places=2
    )
    evidence = forms.CharField(
        label=_("Evidence note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    attachment = UploadField(label=_("Evidence file"), required=False, kinds=EVIDENCE)

    def clean_period(self) -> Period:
        label = self.cleaned_data["period"].strip()
        # The label's shape says its kind: a year, a quarter or a month.
        for kind in (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.YEAR):
            try:
                return Period.parse(kind, label)
            except AssessmentError:
                continue
        raise forms.ValidationError(_("Write the period as 2026, 2026-Q1 or 2026-03."))


class DecisionForm(forms.Form):
    """The province's decision on an entry: approve, or return with a reason."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("return", _("Return"))]
    )
    note = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not data.get("note", "").strip():
            self.add_error("note", _("Say why the entry is returned."))
        return data


class SchemeForm(forms.Form):
    """A scheme's name and, per indicator, its weight (blank: not used), rule and target."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)

    def __init__(self, *args: Any, scheme: Scheme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {i.kind: i for i in scheme.indicators.all()} if scheme else {}
        if scheme is not None:
            # The code and the period kind name the scheme's past scores: fixed once set.
            del self.fields["code"], self.fields["period"]
            self.fields["name"].initial = scheme.name
        for kind in IndicatorKind:
            found = current.get(kind.value)
            self.fields[f"weight_{kind.value}"] = forms.DecimalField(
                label=kind.label,
                required=False,
                min_value=Decimal(0),
                max_digits=5,
                decimal_places=2,
                initial=found.weight if found else None,
            )
            self.fields[f"rule_{kind.value}"] = forms.ChoiceField(
                label=_("Scoring rule"),
                choices=ScoringRule.choices,
                initial=found.rule if found else ScoringRule.PROPORTIONAL,
            )
            self.fields[f"target_{kind.value}"] = forms.DecimalField(
                label=_("Target"),
                min_value=Decimal(0),
                max_value=Decimal(1),
                max_digits=5,
                decimal_places=4,
                initial=found.target if found else Decimal(1),
            )

    def heading(self) -> list[Any]:
        """The scheme's own fields (code, name, period), above the indicators' table."""
        return [self[name] for name in ("code", "name", "period") if name in self.fields]

    def rows(self) -> list[tuple[Any, Any, Any]]:
        """Per indicator its weight, rule and target fields, for the table."""
        return [
            (self[f"weight_{k}"], self[f"rule_{k}"], self[f"target_{k}"])
            for k in IndicatorKind.values
        ]

    def indicators(self) -> list[tuple[str, Decimal, str, Decimal]]:
        """The indicators given a weight, in the catalogue's order."""
        data = self.cleaned_data
        return [
            (k, data[f"weight_{k}"], data[f"rule_{k}"], data[f"target_{k}"])
            for k in IndicatorKind.values
            if data.get(f"weight_{k}")
        ]
