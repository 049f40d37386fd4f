"""Forms and filters of trade: people type tonnes and yuan; services take kg and Decimal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError
from oreledger.grading.models import Grade
from oreledger.grading.services import standard_in_force
from oreledger.registry.models import Enterprise, Site
from oreledger.trade.errors import refuse

# Which form field a service's refusal code is about.
FIELD_OF_CODE = {
    "quantity_not_positive": "quantity_t",
    "price_negative": "price",
    "validity_reversed": "valid_to",
    "unknown_grade": "grade",
    "no_grading_standard": "valid_from",
    "buyer_is_seller": "buyer",
    "origin_not_sellers": "origin_site",
    "destination_not_buyers": "destination_site",
    "over_quota": "quantity_t",
    "no_quota": "site",
    "listing_oversold": "quantity_t",
    "override_needs_reason": "override_reason",
    "return_needs_reason": "note",
}


def show_refusal(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the field it concerns (or on the whole form)."""
    name = FIELD_OF_CODE.get(error.code)
    if name == "price" and "unit_price" in form.fields:
        name = "unit_price"
    if name == "price" and "asking_price" in form.fields:
        name = "asking_price"
    form.add_error(name if name in form.fields else None, error.message)


def to_kg(tonnes: Decimal) -> int:
    """Tonnes typed by a person as integer kilograms."""
    return int((tonnes * 1000).to_integral_value())


def _tonnes_field(label: Any = None) -> forms.DecimalField:
    # No minimum here: the service refuses tonnage ≤ 0 with the platform's own sentence.
    return forms.DecimalField(label=label or _("Tonnes"), max_digits=14, decimal_places=3)


def _price_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2)


class DateInput(forms.DateInput):
    """A browser date picker."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        # The browser's date input only takes ISO dates, whatever the active language.
        super().__init__(attrs, format or "%Y-%m-%d")


def grade_choices(day: datetime.date | None = None) -> list[tuple[str, str]]:
    """Grades of the standard in force, best first, as (code, "code name")."""
    standard = standard_in_force(day or timezone.localdate())
    if standard is None:
        return []
    return [(g.code, f"{g.code} {g.name}") for g in standard.grades.order_by("rank")]


class ListingForm(forms.Form):
    """A mine offers a grade and tonnage."""

    site = forms.ModelChoiceField(label=_("Mine"), queryset=Site.objects.none(), empty_label=None)
    grade = forms.ChoiceField(label=_("Grade"))
    quantity_t = _tonnes_field()
    asking_price = _price_field(_("Asking price (yuan/t)"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(  # type: ignore[attr-defined]
            enterprise_id=getattr(user, "enterprise_id", None) or 0, kind="mine"
        ).order_by("code")
        self.fields["grade"].choices = grade_choices()  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.initial.setdefault("valid_from", today)
        self.initial.setdefault("valid_to", today + datetime.timedelta(days=30))


class BidForm(forms.Form):
    """A buyer's offer on a listing."""

    destination_site = forms.ModelChoiceField(
        label=_("Deliver to"), queryset=Site.objects.none(), empty_label=None
    )
    price = _price_field(_("Price (yuan/t)"))
    quantity_t = _tonnes_field()
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination_site"].queryset = Site.objects.filter(  # type: ignore[attr-defined]
            enterprise_id=getattr(user, "enterprise_id", None) or 0, kind__in=("plant", "yard")
        ).order_by("code")


class ContractForm(forms.Form):
    """A contract negotiated elsewhere, registered on the platform."""

    seller = forms.ModelChoiceField(label=_("Seller"), queryset=Enterprise.objects.none())
    buyer = forms.ModelChoiceField(label=_("Buyer"), queryset=Enterprise.objects.none())
    origin_site = forms.ModelChoiceField(label=_("Origin mine"), queryset=Site.objects.none())
    destination_site = forms.ModelChoiceField(
        label=_("Destination plant"), queryset=Site.objects.none()
    )
    grade = forms.ChoiceField(label=_("Grade"))
    quantity_t = _tonnes_field()
    unit_price = _price_field(_("Unit price (yuan/t)"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sellers = Enterprise.objects.filter(kind="mine_operator")
        mines = Site.objects.filter(kind="mine")
        if getattr(user, "enterprise_id", None) is None and getattr(user, "region", None):
            sellers = sellers.filter(region__path__startswith=user.region.path)
            mines = mines.filter(region__path__startswith=user.region.path)
        # Market participants are named to each other: a mine must be able to pick its buyer.
        self.fields["seller"].queryset = sellers.order_by("name")  # type: ignore[attr-defined]
        self.fields["buyer"].queryset = Enterprise.objects.filter(  # type: ignore[attr-defined]
            kind__in=("processor", "trader")
        ).order_by("name")
        self.fields["origin_site"].queryset = mines.order_by("code")  # type: ignore[attr-defined]
        self.fields["destination_site"].queryset = Site.objects.filter(  # type: ignore[attr-defined]
            kind__in=("plant", "yard")
        ).order_by("code")
        self.fields["grade"].choices = grade_choices()  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.initial.setdefault("valid_from", today)
        self.initial.setdefault("valid_to", datetime.date(today.year, 12, 31))
        if getattr(user, "enterprise_id", None) is not None:
            self.initial.setdefault("seller", user.enterprise_id)


class FloorPriceForm(forms.Form):
    """The province sets a grade's floor from a date."""

    grade = forms.ChoiceField(label=_("Grade"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    floor_yuan = _price_field(_("Floor (yuan/t)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = grade_choices()  # type: ignore[attr-defined]
        self.initial.setdefault("valid_from", timezone.localdate())


def grade_of_code(code: str) -> Grade:
    """A grade of any standard by code (the service maps it to the one in force)."""
    grade = Grade.objects.filter(code=code).order_by("-standard__effective_from").first()
    if grade is None:
        raise refuse("unknown_grade", grade=code)
    return grade
