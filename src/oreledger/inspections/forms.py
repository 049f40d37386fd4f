"""Page forms of inspections: they parse, the services decide."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.accounts.models import DepartmentKind, Region, User
from oreledger.core.permissions import GOVERNMENT_ROLES
from oreledger.core.uploads import EVIDENCE, PHOTO, UploadField, check_upload
from oreledger.inspections.choices import Outcome, TargetKind
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.models import Campaign, ChecklistItem
from oreledger.registry.choices import EnterpriseKind, Rectification


class SiteForm(forms.Form):
    """Which site the group is at."""

    site = forms.CharField(label=_("Site code"), max_length=30)


class OrderForm(forms.Form):
    """A rectification order for the open findings of one inspection."""

    target = forms.CharField(label=_("Rectification target"), max_length=500)
    measures = forms.CharField(
        label=_("Required measures"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(
        label=pgettext_lazy("rectification", "Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=100)


class AnswerForm(forms.Form):
    """The enterprise's answer, with evidence."""

    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = UploadField(label=_("Evidence (photo or file)"), required=False, kinds=EVIDENCE)


class SignForm(forms.Form):
    """A department's acceptance signature."""

    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DecisionForm(forms.Form):
    """A classification decision on an enterprise."""

    classification = forms.ChoiceField(label=_("Classification"), choices=Rectification.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


def _photos(files: Any, name: str) -> list[Any]:
    photos = files.getlist(name) if files else []
    for photo in photos:
        try:
            check_upload(photo, kinds=PHOTO)
        except forms.ValidationError as refused:
            if refused.code == "too_large":
                limit = (refused.params or {})["limit"]
                raise InspectionError(
                    "photo_too_large", field=name, name=photo.name, limit=limit
                ) from None
            raise InspectionError("photo_not_image", field=name, name=photo.name) from None
    return photos


def parse_results(
    data: Mapping[str, Any], files: Any, items: Iterable[ChecklistItem]
) -> tuple[uuid.UUID | None, list[dict[str, Any]]]:
    """The submission key and each item's outcome, note and photos from the field form.

    InspectionError when a photo is not an image (by its content) or is too large.
    """
    try:
        key: uuid.UUID | None = uuid.UUID(str(data.get("submission_key", "")))
    except ValueError:
        key = None
    results = []
    for item in items:
        outcome = data.get(f"outcome_{item.pk}", "")
        results.append(
            {
                "item": item.pk,
                "outcome": outcome if outcome in Outcome.values else "",
                "note": str(data.get(f"note_{item.pk}", "")),
                "photos": _photos(files, f"photo_{item.pk}"),
            }
        )
    return key, results


class _Named(forms.ModelChoiceField):
    """A region or department by its Chinese name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name_zh)


class _ManyNamed(forms.ModelMultipleChoiceField):
    """Regions or departments by their Chinese names."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name_zh)


class _People(forms.ModelMultipleChoiceField):
    """Officers by name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class _Person(forms.ModelChoiceField):
    """An officer by name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


def _below(user: Any) -> Any:
    """The regions at or below the user's own (all of them for staff without a region)."""
    own = getattr(user, "region", None)
    rows = Region.objects.all() if own is None else Region.objects.filter(path__startswith=own.path)
    return rows.order_by("path")


def _officers(user: Any) -> Any:
    own = getattr(user, "region", None)
    rows = User.objects.filter(is_active=True, role__in=sorted(GOVERNMENT_ROLES))
    if own is not None:
        rows = rows.filter(region__path__startswith=own.path)
    return rows.order_by("region__path", "username")


# A date input's value must be ISO whatever the language's date format.
ISO_DAY = "%Y-%m-%d"


class CampaignForm(forms.Form):
    """A campaign's plan: what, on what basis, when, where, which kinds, which departments."""

    name = forms.CharField(label=pgettext_lazy("campaign", "Name"), max_length=200)
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    region = _Named(label=_("Organising region"), queryset=Region.objects.none())
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DAY)
    )
    ends_on = forms.DateField(
        label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DAY)
    )
    regions = _ManyNamed(
        label=_("Regions in scope"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("None chosen: the whole organising region."),
    )
    enterprise_kinds = forms.MultipleChoiceField(
        label=_("Enterprise kinds in scope"),
        choices=EnterpriseKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every kind."),
    )
    departments = _ManyNamed(
        label=_("Participating departments"),
        queryset=DepartmentKind.objects.order_by("ordering"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, campaign: Campaign | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        below = _below(user)
        fields: Any = self.fields
        fields["region"].queryset = below.exclude(level="town")
        fields["regions"].queryset = below.exclude(level="province")
        if campaign is not None:
            # The organising region is who owns the campaign: it does not move.
            del fields["region"]
            fields["regions"].queryset = (
                Region.objects.filter(path__startswith=campaign.region.path)
                .exclude(pk=campaign.region_id)
                .order_by("path")
            )


class GroupForm(forms.Form):
    """One inspection group: name, leader, members, assigned towns (a blank row is skipped)."""

    name = forms.CharField(label=pgettext_lazy("group", "Name"), max_length=100)
    leader = _Person(label=_("Leader"), queryset=User.objects.none())
    members = _People(label=_("Members"), queryset=User.objects.none(), required=False)
    towns = _ManyNamed(label=_("Assigned towns"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["leader"].queryset = _officers(user)
        fields["members"].queryset = _officers(user)
        fields["towns"].queryset = _below(user).filter(level="town")


class TargetForm(forms.Form):
    """A time node: a share of a kind of progress to reach by a day (progress is computed)."""

    # A blank first choice, so that an empty row is an unchanged row (PlanRows skips it).
    kind = forms.ChoiceField(label=_("Target"), choices=[("", "—"), *TargetKind.choices])
    goal_pct = forms.IntegerField(label=_("Goal (%)"), min_value=1, max_value=100)
    due_on = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DAY)
    )


class PlanRows(forms.BaseFormSet):
    """Rows of a plan where any row may be left blank: a blank row is no row (so clearing a
    row removes it), a filled one is validated in full."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        kwargs["empty_permitted"] = True
        kwargs["use_required_attribute"] = False
        form: forms.Form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        return form


GroupFormSet = forms.formset_factory(GroupForm, formset=PlanRows, extra=2)
TargetFormSet = forms.formset_factory(TargetForm, formset=PlanRows, extra=2)


def plan_initial(campaign: Campaign) -> dict[str, Any]:
    """The campaign's plan as the forms' initial values."""
    groups = campaign.groups.select_related("leader").prefetch_related("members", "towns")
    return {
        "campaign": {
            "name": campaign.name,
            "legal_basis": campaign.legal_basis,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "regions": list(campaign.regions.all()),
            "enterprise_kinds": list(campaign.enterprise_kinds),
            "departments": list(campaign.departments.all()),
        },
        "groups": [
            {
                "name": g.name,
                "leader": g.leader,
                "members": list(g.members.all()),
                "towns": list(g.towns.all()),
            }
            for g in groups
        ],
        "targets": [
            {"kind": t.kind, "goal_pct": t.goal_pct, "due_on": t.due_on}
            for t in campaign.targets.all()
        ],
    }
