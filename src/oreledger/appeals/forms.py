"""Page forms of the appeals desk: they parse, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Department
from oreledger.appeals.choices import Category
from oreledger.appeals.models import TimeLimits
from oreledger.core.uploads import EVIDENCE, UploadField

RATINGS = [(n, str(n)) for n in range(5, 0, -1)]


class RaiseForm(forms.Form):
    """An enterprise's appeal."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    attachment = UploadField(label=_("Attachment"), required=False, kinds=EVIDENCE)


class RouteForm(forms.Form):
    """The responsible departments (the office's county and above)."""

    departments = forms.ModelMultipleChoiceField(
        label=_("Responsible departments"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, region: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if region is not None:
            ancestors = [p for p in region.path.split("/") if p]
            field: Any = self.fields["departments"]
            field.queryset = (
                Department.objects.filter(region__code__in=ancestors)
                .select_related("kind", "region")
                .order_by("region__path", "kind__ordering", "pk")
            )


class TextForm(forms.Form):
    """An answer, progress or the solution, with an optional attachment."""

    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = UploadField(label=_("Attachment"), required=False, kinds=EVIDENCE)


class ReasonForm(forms.Form):
    """A written reason (reclassification request, closing by the office)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    """The office's decision on a reclassification request."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: complex")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    """The enterprise's confirmation and rating."""

    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VisitForm(forms.Form):
    """What the return visit found."""

    note = forms.CharField(label=_("Return visit"), widget=forms.Textarea(attrs={"rows": 2}))


class LimitsForm(forms.ModelForm):
    """The province's time limits."""

    class Meta:
        model = TimeLimits
        fields = ["route_hours", "answer_hours", "solve_ordinary_days", "solve_complex_days"]
