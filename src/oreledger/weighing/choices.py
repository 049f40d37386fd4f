"""Fixed vocabularies of weighing (docs/specs/station-protocol.md, docs/specs/api-essentials.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WaybillStatus(models.TextChoices):
    """Where a waybill stands: issued → departed → arrived → closed, or expired / void."""

    ISSUED = "issued", _("Issued")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    CLOSED = "closed", pgettext_lazy("waybill", "Closed")
    EXPIRED = "expired", _("Expired")
    VOID = "void", _("Void")


class Direction(models.TextChoices):
    """Whether the truck leaves or arrives at the station's site."""

    OUT = "out", pgettext_lazy("direction", "Out")
    IN = "in", pgettext_lazy("direction", "In")


class TicketKind(models.TextChoices):
    """What a weighing means, from where it was made (decided when it is stored)."""

    EXIT = "exit", _("Mine exit")
    ENTRY = "entry", _("Plant gate")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    OTHER = "other", _("Other site movement")


class Cargo(models.TextChoices):
    """The platform's cargo list: codes a station may send in `cargo`."""

    MAGNESITE_ORE = "magnesite_ore", _("Magnesite ore")
    LOW_GRADE_ORE = "low_grade_ore", _("Low-grade ore")
    CAUSTIC_MAGNESIA = "caustic_magnesia", _("Caustic calcined magnesia")
    DEAD_BURNED_MAGNESIA = "dead_burned_magnesia", _("Dead-burned magnesia")
    FUSED_MAGNESIA = "fused_magnesia", _("Fused magnesia")
    WASTE_ROCK = "waste_rock", _("Waste rock")
    OTHER = "other", _("Other")


class CorrectionStatus(models.TextChoices):
    """A correction waits for the county's decision."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ResultStatus(models.TextChoices):
    """The per-ticket answer of the station protocol."""

    ACCEPTED = "accepted", pgettext_lazy("ticket", "Accepted")
    DUPLICATE = "duplicate", _("Duplicate")
    REJECTED = "rejected", _("Rejected")


# docs/specs/station-protocol.md: the blocking codes (release = false) unless a region says
# otherwise.
DEFAULT_BLOCKING_CODES = (
    "no_waybill",
    "permit_invalid",
    "site_suspended",
    "quota_exhausted",
    "contract_exceeded",
    "vehicle_blacklisted",
    "waybill_reused",
)
# Codes a region may add to or remove from its blocking set (the synchronous rules).
BLOCKABLE_CODES = (
    *DEFAULT_BLOCKING_CODES,
    "vehicle_unregistered",
    "overload",
    "tare_deviation",
    "off_hours",
    "duplicate_weighing",
    "entry_without_exit",
    # "Hold the truck on impossible travel": off by default, a mistyped plate triggers it too.
    "impossible_travel",
)
