"""Forms and filters of the quota pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oreledger.quotas.models import QuotaAccount


def parse_tonnes(text: str | None, *, allow_negative: bool = False) -> int | None:
    """Tonnes as typed ("1,500.25") → integer kilograms; None when blank or not a number."""
    cleaned = (text or "").replace(",", "").replace("，", "").strip()
    if not cleaned:
        return None
    try:
        kg = Decimal(cleaned) * 1000
    except InvalidOperation:
        return None
    if not kg.is_finite() or kg != kg.to_integral_value():
        return None
    if kg < 0 and not allow_negative:
        return int(kg)  # the service refuses it with a clear code
    return int(kg)


class TonnesField(forms.DecimalField):
    """A quantity in tonnes (3 decimals at most), cleaned to integer kilograms."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        tonnes = super().clean(value)
        return None if tonnes is None else int(tonnes * 1000)


class TransferForm(forms.Form):
    """Move quota from one mine of a county to another (capacity replacement)."""

    source = forms.ModelChoiceField(queryset=QuotaAccount.objects.none(), label=_("From mine"))
    target = forms.ModelChoiceField(queryset=QuotaAccount.objects.none(), label=_("To mine"))
    amount = TonnesField(label=_("Tonnes"), min_value=Decimal("0.001"))
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, county: QuotaAccount, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mines = QuotaAccount.objects.filter(parent=county).select_related("holder_site")
        for name in ("source", "target"):
            field = self.fields[name]
            field.queryset = mines  # type: ignore[attr-defined]
            field.label_from_instance = lambda a: a.holder_label  # type: ignore[attr-defined]


class AdjustForm(forms.Form):
    """Correct an allocation by a signed amount, with a reason (approved by someone else)."""

    amount = TonnesField(label=_("Tonnes (+ or −)"))
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    """Approve or reject a pending change."""

    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class PeriodForm(forms.Form):
    """Open a quota year."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
