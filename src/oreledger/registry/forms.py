"""Forms of the registry: ModelForms whose validation is the models' own (full_clean)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core.permissions import CHANGE, VIEW
from oreledger.registry.choices import (
    EnterpriseKind,
    OperatingStatus,
    PermitStatus,
    Rectification,
    SiteKind,
)
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitRequirement,
    PermitType,
    Site,
    Station,
    Vehicle,
    parse_hours,
)

UNKNOWN_CHOICE = _("Unknown value, or outside your jurisdiction.")
UNKNOWN_REGION = _("Unknown region, or outside your jurisdiction.")
UNKNOWN_DEPARTMENT = _("Unknown department.")


def _regions(user: Any) -> Any:
    return Region.objects.for_user(user, VIEW).filter(level__in=("county", "town"))


def region_field(user: Any, *, required: bool = True) -> forms.ModelChoiceField[Region]:
    """A choice of county or town in the user's jurisdiction, by name."""
    return forms.ModelChoiceField(
        _regions(user),
        label=_("region"),
        required=required,
        to_field_name="code",
        error_messages={"invalid_choice": UNKNOWN_REGION},
    )


def _scoped(field: Any, queryset: Any, key: str | None = None) -> None:
    field.queryset = queryset
    field.error_messages["invalid_choice"] = UNKNOWN_CHOICE
    if key is not None:
        field.to_field_name = key


class KeyedForm(forms.ModelForm):
    """A ModelForm whose key fields are fixed once the record exists."""

    keys: tuple[str, ...] = ()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            for name in self.keys:
                if name in self.fields:
                    self.fields[name].disabled = True


class EnterpriseForm(KeyedForm):
    """An enterprise's identity."""

    keys = ("uscc",)

    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "kind", "industry", "region", "legal_rep"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"] = region_field(user)
        self.fields["uscc"].help_text = _("18 characters, GB 32100, e.g. 91210381MA0XXXXXXX")
        if self.instance.pk:
            self.initial["region"] = self.instance.region.code


class StatusForm(forms.Form):
    """A change of status, with its reason."""

    status = forms.ChoiceField(label=_("status"), choices=OperatingStatus.choices)
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class EnterpriseStatusForm(StatusForm):
    """An enterprise's status and rectification classification, with the reason."""

    classification = forms.ChoiceField(
        label=_("rectification classification"),
        choices=[("", "—"), *Rectification.choices],
        required=False,
    )
    field_order = ["status", "classification", "reason"]


class PermitStatusForm(StatusForm):
    """Suspend, revoke or reinstate a permit."""

    status = forms.ChoiceField(label=_("status"), choices=PermitStatus.choices)


class ReasonForm(forms.Form):
    """Just a reason (blacklisting, disabling)."""

    reason = forms.CharField(
        label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalJSONField(forms.JSONField):
    """A JSON field whose empty value is an empty box (Django's shows "null")."""

    def prepare_value(self, value: Any) -> Any:
        return "" if value is None else super().prepare_value(value)


class SiteForm(KeyedForm):
    """A mine, plant or yard."""

    keys = ("enterprise", "code")
    permitted_hours = forms.CharField(
        label=_("permitted working hours"), initial="06:00-22:00", help_text=_("e.g. 06:00-22:00")
    )

    class Meta:
        model = Site
        fields = [
            "enterprise",
            "code",
            "kind",
            "name",
            "region",
            "lat",
            "lon",
            "boundary",
            "capacity_t",
        ]
        widgets = {"boundary": forms.Textarea(attrs={"rows": 5, "class": "mono"})}
        field_classes = {"boundary": OptionalJSONField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _scoped(self.fields["enterprise"], Enterprise.objects.for_user(user, CHANGE), "uscc")
        self.fields["region"] = region_field(user, required=False)
        self.fields["region"].help_text = _("Leave empty for the enterprise's region.")
        self.fields["boundary"].help_text = _(
            "GeoJSON Polygon or MultiPolygon, longitude first; leave empty if not known."
        )
        if self.instance.pk:
            self.initial["permitted_hours"] = self.instance.permitted_hours
            self.initial["region"] = self.instance.region.code
            self.initial["enterprise"] = self.instance.enterprise.uscc

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("region") and cleaned.get("enterprise"):
            cleaned["region"] = cleaned["enterprise"].region
        hours = cleaned.get("permitted_hours")
        if hours:
            try:
                self.instance.hours_from, self.instance.hours_to = parse_hours(hours)
            except forms.ValidationError as exc:
                self.add_error("permitted_hours", exc)
        return cleaned


class StationForm(KeyedForm):
    """A weighbridge."""

    keys = ("code",)

    class Meta:
        model = Station
        fields = ["code", "name", "site", "region", "lat", "lon"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _scoped(self.fields["site"], Site.objects.for_user(user, CHANGE).order_by("code"), "code")
        self.fields["site"].help_text = _("Leave empty for a public checkpoint.")
        self.fields["region"] = region_field(user, required=False)
        self.fields["region"].help_text = _("Leave empty for the site's region.")
        if self.instance.pk:
            self.initial["region"] = self.instance.region.code
            self.initial["site"] = self.instance.site.code if self.instance.site else None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("region"):
            if cleaned.get("site"):
                cleaned["region"] = cleaned["site"].region
            elif "site" not in self.errors:
                self.add_error("region", _("A checkpoint needs a region."))
        return cleaned


class VehicleForm(KeyedForm):
    """A truck."""

    keys = ("plate",)

    class Meta:
        model = Vehicle
        fields = ["plate", "owner", "axles", "tare_kg"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _scoped(self.fields["owner"], Enterprise.objects.for_user(user, CHANGE), "uscc")
        self.fields["owner"].required = True
        self.fields["plate"].help_text = _("e.g. 辽C12345, or 辽CD12345 for new energy")
        if self.instance.pk and self.instance.owner:
            self.initial["owner"] = self.instance.owner.uscc


class PermitForm(KeyedForm):
    """A permit."""

    keys = ("number", "holder")
    department = forms.ModelChoiceField(
        DepartmentKind.objects.order_by("ordering", "code"),
        label=_("issuing department"),
        required=False,
        to_field_name="code",
        help_text=_("Leave empty for the department that issues this type."),
        error_messages={"invalid_choice": UNKNOWN_DEPARTMENT},
    )

    field_order = ["number", "type", "holder", "site", "department"]

    class Meta:
        model = Permit
        fields = [
            "number",
            "type",
            "holder",
            "site",
            "valid_from",
            "valid_to",
            "scope_t",
            "mineral",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _scoped(self.fields["holder"], Enterprise.objects.for_user(user, VIEW), "uscc")
        _scoped(self.fields["site"], Site.objects.for_user(user, VIEW).order_by("code"), "code")
        _scoped(self.fields["type"], PermitType.objects.all(), "code")
        if self.instance.pk:
            self.initial.update(
                holder=self.instance.holder.uscc,
                site=self.instance.site.code if self.instance.site else None,
                type=self.instance.type.code,
                department=self.instance.department.kind.code,
            )


class PermitTypeForm(KeyedForm):
    """A kind of permit in the catalogue."""

    keys = ("code",)

    field_order = ["number", "type", "holder", "site", "department"]

    class Meta:
        model = PermitType
        fields = ["code", "name_zh", "name_en", "department_kind", "holder", "required_at_gate"]


class RequirementForm(forms.ModelForm):
    """One cell of the required-permit matrix."""

    holder_kind = forms.ChoiceField(
        label=_("holder kind"),
        choices=[
            (_("Enterprise kind"), [("*", _("Every enterprise")), *EnterpriseKind.choices]),
            (_("Site kind"), SiteKind.choices),
        ],
    )

    field_order = ["number", "type", "holder", "site", "department"]

    class Meta:
        model = PermitRequirement
        fields = ["applies_to", "holder_kind", "permit_type"]
