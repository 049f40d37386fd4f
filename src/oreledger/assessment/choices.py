"""Fixed vocabularies of the assessment: periods, indicators, scoring rules, evidence states."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodKind(models.TextChoices):
    """How long one assessment period runs."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class IndicatorKind(models.TextChoices):
    """What an indicator measures, each a rate from the records of one app."""

    FUNDING = "funding", _("Sub-platform funding in place")
    STAFFING = "staffing", _("Sub-platform staffing in place")
    TASKS_ON_TIME = "tasks_on_time", _("Tasks and milestones completed on time")
    REPORTING_RATE = "reporting_rate", _("Weekly data reporting rate")
    ON_TIME_RATE = "on_time_rate", _("Weekly data on-time rate")
    ALERTS_IN_TIME = "alerts_in_time", _("Alerts handled within their deadline")
    ORDERS_ON_TIME = "orders_on_time", _("Rectification orders closed on time")
    APPEALS_IN_TIME = "appeals_in_time", _("Appeal stages done within their limit")
    NODE_IN_STEP = "node_in_step", _("Sub-platform in step with the province (backlog and lag)")


# Indicators entered by the county with evidence and approved by the province.
ENTERED = (IndicatorKind.FUNDING, IndicatorKind.STAFFING)


class ScoringRule(models.TextChoices):
    """How an indicator's rate becomes points."""

    PROPORTIONAL = "proportional", _("Weight × rate")
    THRESHOLD = "threshold", _("Full weight at or above the target, else none")


class EvidenceStatus(models.TextChoices):
    """A county's entry: submitted, then approved or returned by the province."""

    SUBMITTED = "submitted", pgettext_lazy("evidence", "Submitted")
    APPROVED = "approved", pgettext_lazy("evidence", "Approved")
    RETURNED = "returned", pgettext_lazy("evidence", "Returned")
