"""Vocabularies of the appeals desk (万人助万企): categories, classes, stages, timeline entries."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    """What an enterprise's appeal is about."""

    PERMITS = "permits", _("Permits and procedures")
    LAND = "land", _("Land")
    FINANCE = "finance", _("Finance")
    UTILITIES = "utilities", _("Power and water")
    LOGISTICS = "logistics", _("Logistics and roads")
    POLICY = "policy", pgettext_lazy("appeal category", "Policy")
    MARKET = "market", _("Market and sales")
    OTHER = "other", pgettext_lazy("appeal category", "Other")


class AppealClass(models.TextChoices):
    """Ordinary problems are solved within days, complex ones within a month."""

    ORDINARY = "ordinary", pgettext_lazy("appeal class", "Ordinary")
    COMPLEX = "complex", pgettext_lazy("appeal class", "Complex")


class AppealStatus(models.TextChoices):
    """submitted → routed → in progress → solved → closed (销号)."""

    SUBMITTED = "submitted", pgettext_lazy("appeal status", "Awaiting routing")
    ROUTED = "routed", pgettext_lazy("appeal status", "Awaiting first answer")
    IN_PROGRESS = "in_progress", pgettext_lazy("appeal status", "Being solved")
    SOLVED = "solved", pgettext_lazy("appeal status", "Awaiting confirmation")
    CLOSED = "closed", pgettext_lazy("appeal status", "Closed")


OPEN_STATUSES = (
    AppealStatus.SUBMITTED,
    AppealStatus.ROUTED,
    AppealStatus.IN_PROGRESS,
    AppealStatus.SOLVED,
)


class Stage(models.TextChoices):
    """A stage with a time limit, each running from the end of the previous one."""

    ROUTE = "route", pgettext_lazy("appeal stage", "Routing")
    ANSWER = "answer", pgettext_lazy("appeal stage", "First answer")
    SOLVE = "solve", pgettext_lazy("appeal stage", "Solution")


class Closure(models.TextChoices):
    """How an appeal was closed."""

    CONFIRMED = "confirmed", _("Confirmed by the enterprise")
    OVERRIDDEN = "overridden", _("Closed by the office")


class EntryKind(models.TextChoices):
    """A line of an appeal's timeline, as the enterprise reads it."""

    RAISED = "raised", pgettext_lazy("appeal", "Raised")
    ROUTED = "routed", pgettext_lazy("appeal", "Routed")
    ANSWER = "answer", pgettext_lazy("appeal", "Answer")
    PROGRESS = "progress", pgettext_lazy("appeal", "Progress")
    SOLVED = "solved", pgettext_lazy("appeal", "Solved")
    RECLASS_REQUESTED = "reclass_requested", _("Asked to reclassify as complex")
    RECLASS_APPROVED = "reclass_approved", _("Reclassified as complex")
    RECLASS_REFUSED = "reclass_refused", _("Reclassification refused")
    CONFIRMED = "confirmed", _("Confirmed by the enterprise")
    OVERRIDDEN = "overridden", _("Closed by the office")
    RETURN_VISIT = "return_visit", _("Return visit")
    OVERDUE = "overdue", pgettext_lazy("appeal", "Overdue")
