"""Fixed vocabularies of the quota ledger."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodStatus(models.TextChoices):
    """Whether a quota year still takes allocations."""

    OPEN = "open", pgettext_lazy("quota period", "Open")
    CLOSED = "closed", pgettext_lazy("quota period", "Closed")


class AccountLevel(models.TextChoices):
    """The tier of a quota account: province → county → mine."""

    PROVINCE = "province", _("Province")
    COUNTY = "county", _("County")
    MINE = "mine", _("Mine")


class EntryKind(models.TextChoices):
    """What a ledger entry records."""

    ALLOCATE = "allocate", _("Allocation")
    TRANSFER = "transfer", _("Transfer")
    ADJUST = "adjust", _("Adjustment")
    CONSUME = "consume", _("Consumption")
    REVERSE = "reverse", _("Reversal")


# Entries that move the allocation; the others move consumption.
ALLOCATION_KINDS = (EntryKind.ALLOCATE, EntryKind.TRANSFER, EntryKind.ADJUST)
CONSUMPTION_KINDS = (EntryKind.CONSUME, EntryKind.REVERSE)


class ChangeKind(models.TextChoices):
    """A quota change that needs approval."""

    TRANSFER = "transfer", _("Transfer between mines")
    ADJUST = "adjust", _("Adjustment")


class ChangeStatus(models.TextChoices):
    """Where a change request stands."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
