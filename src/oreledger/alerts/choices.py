"""Fixed vocabularies of alerts and enforcement cases (docs/reference/rules.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    """How urgent an alert is; sets its deadline."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class AlertStatus(models.TextChoices):
    """open → acknowledged → investigating → resolved, or escalated to a case."""

    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert status", "Acknowledged")
    INVESTIGATING = "investigating", pgettext_lazy("alert status", "Investigating")
    RESOLVED = "resolved", pgettext_lazy("alert status", "Resolved")
    ESCALATED = "escalated", pgettext_lazy("alert status", "Escalated")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.INVESTIGATING)


class Resolution(models.TextChoices):
    """How a resolved alert ended."""

    HANDLED = "handled", _("Handled")
    FALSE_POSITIVE = "false_positive", _("False positive")


class SubjectType(models.TextChoices):
    """What an alert is about (docs/reference/rules.md, column "subject")."""

    TICKET = "ticket", _("Ticket")
    SITE = "site", _("Site")
    QUOTA_ACCOUNT = "quota_account", _("Quota account")
    CONTRACT = "contract", _("Contract")
    VEHICLE = "vehicle", _("Vehicle")
    WAYBILL = "waybill", _("Waybill")
    STATION = "station", _("Station")
    PERMIT = "permit", _("Permit")
    APPEAL = "appeal", _("Appeal")
    NODE = "node", _("County node")
    ORDER = "order", _("Rectification order")
    CAMPAIGN = "campaign", _("Campaign")


class RuleMode(models.TextChoices):
    """When a rule runs."""

    SYNC = "sync", _("In the ticket transaction")
    # Decided at the gate; a periodic scan catches the tickets that arrive out of order.
    SYNC_BACKSTOP = "sync_backstop", _("In the ticket transaction, with a backstop scan")
    ASYNC = "async", _("In a background job")
    SCHEDULED = "scheduled", _("Scheduled")


class EventKind(models.TextChoices):
    """A line of an alert's timeline."""

    RAISED = "raised", _("Raised")
    SEEN_AGAIN = "seen_again", _("Seen again")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigation started")
    ASSIGNED = "assigned", _("Assigned")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated to a case")
    NOTE = "note", _("Note")


class CaseStatus(models.TextChoices):
    """An enforcement case: open → investigating → decided → closed."""

    OPEN = "open", pgettext_lazy("case status", "Open")
    INVESTIGATING = "investigating", pgettext_lazy("case status", "Investigating")
    DECIDED = "decided", pgettext_lazy("case status", "Decided")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class DecisionKind(models.TextChoices):
    """What the case decided."""

    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    SUSPENSION = "suspension", _("Suspension of a site")
    REVOCATION_REQUEST = "revocation_request", _("Licence revocation request")
    NO_VIOLATION = "no_violation", _("No violation found")
