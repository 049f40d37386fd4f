"""Filters of the alerts API's lists: alerts and enforcement cases."""

from __future__ import annotations

import django_filters

from oreledger.alerts.choices import AlertStatus, CaseStatus, DecisionKind, Severity
from oreledger.alerts.models import RULE_CHOICES, Alert, Case
from oreledger.core.api.filtering import RegionFilter, since_until

_SINCE_SEEN, _UNTIL_SEEN = since_until("first_seen", "First seen")
_SINCE_OPENED, _UNTIL_OPENED = since_until("created_at", "Opened")


def _ref(key: str, what: str) -> django_filters.CharFilter:
    """An alert whose references name this record (the alert's `refs`)."""
    return django_filters.CharFilter(field_name=f"refs__{key}", help_text=what)


class AlertApiFilter(django_filters.FilterSet):
    """rule, status, severity, region, since (docs/specs/api-essentials.md); the records named."""

    rule = django_filters.ChoiceFilter(choices=RULE_CHOICES)
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    region = RegionFilter()
    since = _SINCE_SEEN
    until = _UNTIL_SEEN
    site = django_filters.CharFilter(field_name="site__code", help_text="Site code.")
    enterprise = django_filters.CharFilter(
        field_name="enterprise__uscc", help_text="Enterprise USCC."
    )
    station = _ref("station", "Station code the alert refers to.")
    plate = _ref("plate", "Plate the alert refers to.")
    waybill = _ref("waybill", "Waybill number the alert refers to.")
    contract = _ref("contract", "Contract number the alert refers to.")
    case = django_filters.CharFilter(
        field_name="case__number", help_text="Number of the case the alert was escalated to."
    )

    class Meta:
        model = Alert
        fields: list[str] = []


class CaseApiFilter(django_filters.FilterSet):
    """status, decision, region, enterprise, site, opening time."""

    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    decision = django_filters.ChoiceFilter(choices=DecisionKind.choices)
    region = RegionFilter()
    enterprise = django_filters.CharFilter(
        field_name="enterprise__uscc", help_text="Enterprise USCC."
    )
    site = django_filters.CharFilter(field_name="site__code", help_text="Site code.")
    since = _SINCE_OPENED
    until = _UNTIL_OPENED

    class Meta:
        model = Case
        fields: list[str] = []
