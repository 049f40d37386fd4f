"""Corrections of tickets: their own records, approved by the county; the ticket stays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.core.models import FederatedModel
from oreledger.core.permissions import ScopedQuerySet
from oreledger.weighing.choices import CorrectionStatus


class TicketCorrection(FederatedModel):
    """A corrected plate and/or waybill for a stored ticket, with a reason and an approval."""

    ticket = models.ForeignKey(
        "weighing.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    plate = models.CharField(_("corrected plate"), max_length=10, blank=True)
    waybill_number = models.CharField(_("corrected waybill"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    # What the approval did to the ledgers: reversal and new entries, waybills moved.
    effects = models.JSONField(_("effects"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket correction")
        verbose_name_plural = _("ticket corrections")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(plate="", waybill_number=""), name="ticketcorrection_changes_something"
            ),
            # One open request per ticket: the county decides before the next is filed.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status="pending"),
                name="ticketcorrection_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} correction #{self.pk}"
