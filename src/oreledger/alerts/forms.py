"""Forms of alerts, cases and rule thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oreledger.alerts.catalogue import LIMITS, STEPS, RuleSpec
from oreledger.alerts.choices import DecisionKind, Resolution, Severity
from oreledger.core.uploads import EVIDENCE, UploadField


class NoteForm(forms.Form):
    """A note for a status change."""

    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class ResolveForm(forms.Form):
    """How the alert ended, with a note."""

    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices)
    note = forms.CharField(
        label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    """A person (username) or a department of the region."""

    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Person"), queryset=None, required=False
    )
    department: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False
    )

    def __init__(self, *args: Any, users: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class CaseForm(forms.Form):
    """Open a case directly."""

    title = forms.CharField(label=_("Title"), max_length=200)
    region = forms.CharField(label=_("Region code"), max_length=12)
    enterprise = forms.CharField(label=_("Enterprise (credit code)"), max_length=18, required=False)
    site = forms.CharField(label=_("Site code"), max_length=30, required=False)
    violations = forms.CharField(
        label=_("Violations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CaseNoteForm(forms.Form):
    """An investigation note with an optional attachment."""

    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = UploadField(label=_("Attachment"), required=False, kinds=EVIDENCE)


class DecisionForm(forms.Form):
    """The case's decision."""

    decision = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices)
    fine_yuan = forms.DecimalField(
        label=_("Fine (yuan)"), required=False, max_digits=12, decimal_places=2
    )
    permit = forms.CharField(label=_("Permit number"), required=False, max_length=60)
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    """Close a decided case."""

    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    """Publish a decision (行政处罚公示): the words the public reads."""

    violation = forms.CharField(
        label=_("Violation as published"),
        help_text=_("No personal names, plates or weights of single trucks."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 2}))


class ThresholdForm(forms.Form):
    """The thresholds of one rule, one field per parameter (and per axle for gross limits)."""

    def __init__(self, *args: Any, rule: RuleSpec, initial_params: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rule = rule
        for p in rule.params:
            value = initial_params.get(p.name)
            if p.kind == LIMITS:
                for axles, limit in sorted((value or {}).items()):
                    self.fields[f"{p.name}__{axles}"] = forms.IntegerField(
                        label=_("Gross limit, %(axles)s axles (kg)") % {"axles": axles},
                        initial=limit,
                        min_value=1,
                    )
            elif p.kind == STEPS:
                self.fields[p.name] = forms.CharField(
                    label=f"{p.label} ({p.unit})", initial=", ".join(str(v) for v in value or [])
                )
            else:
                self.fields[p.name] = forms.CharField(
                    label=f"{p.label}{f' ({p.unit})' if p.unit else ''}", initial=value
                )

    def params(self) -> dict[str, Any]:
        """The cleaned values as the rule's parameters."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for p in self.rule.params:
            if p.kind == LIMITS:
                prefix = f"{p.name}__"
                out[p.name] = {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}
            elif p.kind == STEPS:
                out[p.name] = [x.strip() for x in str(data.get(p.name, "")).split(",") if x.strip()]
            else:
                out[p.name] = data.get(p.name)
        return out


class RuleChangeForm(ThresholdForm):
    """A new version: thresholds, severity, a note."""

    def __init__(self, *args: Any, severity: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["severity"] = forms.ChoiceField(
            label=_("Severity"), choices=Severity.choices, initial=severity
        )
        self.fields["note"] = forms.CharField(label=_("Reason for the change"), max_length=500)


class BackTestForm(ThresholdForm):
    """Proposed thresholds and the look-back in days."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            label=_("Last N days"), initial=30, min_value=1, max_value=366
        )
