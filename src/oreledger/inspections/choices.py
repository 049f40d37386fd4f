"""The vocabularies of joint inspections (联合执法) and rectification (整改销号)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    """Whether a campaign (专项行动) is under way."""

    ACTIVE = "active", _("Under way")
    CLOSED = "closed", pgettext_lazy("campaign status", "Ended")


class TargetKind(models.TextChoices):
    """What a campaign target counts; its progress is computed from the records."""

    INSPECTED = "inspected", _("Enterprises in scope inspected")
    FINDINGS_CLOSED = "findings_closed", _("Findings closed")


class Severity(models.TextChoices):
    """How grave a failed checklist item is."""

    LOW = "low", pgettext_lazy("severity", "Minor")
    MEDIUM = "medium", pgettext_lazy("severity", "Serious")
    HIGH = "high", pgettext_lazy("severity", "Grave")


class Outcome(models.TextChoices):
    """An inspector's word on one checklist item."""

    PASS = "pass", _("Passed")
    FAIL = "fail", pgettext_lazy("inspection result", "Failed")
    NOT_APPLICABLE = "na", _("Not applicable")


class OrderStatus(models.TextChoices):
    """Where a rectification order (整改通知书) stands."""

    ISSUED = "issued", pgettext_lazy("order status", "Issued")
    ANSWERED = "answered", pgettext_lazy("order status", "Answered")
    CLOSED = "closed", pgettext_lazy("order status", "Closed (signed off)")
