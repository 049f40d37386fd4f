"""Fixed vocabularies of trade."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ContractStatus(models.TextChoices):
    """Where a contract stands (draft → submitted → approved → completed; terminated)."""

    DRAFT = "draft", pgettext_lazy("contract", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("contract", "Submitted")
    APPROVED = "approved", pgettext_lazy("contract", "Approved")
    COMPLETED = "completed", pgettext_lazy("contract", "Completed")
    TERMINATED = "terminated", pgettext_lazy("contract", "Terminated")


# Contracts that still bind the mine to deliver (their undelivered tonnes are committed).
OPEN_CONTRACT_STATUSES = (ContractStatus.DRAFT, ContractStatus.SUBMITTED, ContractStatus.APPROVED)


class ListingStatus(models.TextChoices):
    """Whether a listing takes bids."""

    OPEN = "open", pgettext_lazy("listing", "Open")
    SOLD = "sold", pgettext_lazy("listing", "Sold out")
    WITHDRAWN = "withdrawn", pgettext_lazy("listing", "Withdrawn")


class BidStatus(models.TextChoices):
    """What became of a bid."""

    PENDING = "pending", pgettext_lazy("bid", "Pending")
    ACCEPTED = "accepted", pgettext_lazy("bid", "Accepted")
    REJECTED = "rejected", pgettext_lazy("bid", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("bid", "Withdrawn")


class NotificationKind(models.TextChoices):
    """What a notification tells its recipient."""

    BID_RECEIVED = "bid_received", _("Bid received")
    BID_ACCEPTED = "bid_accepted", _("Bid accepted")
    BID_REJECTED = "bid_rejected", _("Bid rejected")
    CONTRACT_SUBMITTED = "contract_submitted", _("Contract submitted")
    CONTRACT_APPROVED = "contract_approved", _("Contract approved")
    CONTRACT_RETURNED = "contract_returned", _("Contract returned")
    TASK_AT_RISK = "task_at_risk", _("Task at risk")
    TASK_OVERDUE = "task_overdue", _("Task overdue")


class QuotaCheck(models.TextChoices):
    """What happens when a listing exceeds the mine's uncommitted quota (setting)."""

    BLOCK = "block", _("Block")
    WARN = "warn", _("Warn")
