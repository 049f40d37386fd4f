"""The waybill: one truck, one trip, one document (一车一趟一单)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oreledger.core.models import FederatedModel
from oreledger.core.permissions import ScopedQuerySet
from oreledger.weighing.choices import WaybillStatus


class WaybillQuerySet(ScopedQuerySet["Waybill"]):
    """Waybills, and the one rule that ends an unused one: its expiry passes."""

    def expire_lapsed(self, now: datetime.datetime) -> int:
        """Mark the issued waybills among these whose expiry has passed expired; how many."""
        return self.filter(status=WaybillStatus.ISSUED, expires_at__lt=now).update(
            status=WaybillStatus.EXPIRED, version=models.F("version") + 1, updated_at=now
        )


class Waybill(FederatedModel):
    """Issued by the seller against an approved contract for one plate and one trip."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    contract = models.ForeignKey(
        "trade.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="waybills",
    )
    # Copied from the contract when issued, so lists and scopes need no join through it.
    seller = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    buyer = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("origin site"),
        on_delete=models.PROTECT,
        related_name="waybills_out",
    )
    destination_site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("destination site"),
        on_delete=models.PROTECT,
        related_name="waybills_in",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    plate = models.CharField(_("plate"), max_length=10, db_index=True)
    planned_net_kg = models.PositiveIntegerField(_("planned net (kg)"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=WaybillStatus.choices,
        default=WaybillStatus.ISSUED,
        db_index=True,
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exit_ticket = models.OneToOneField(
        "weighing.Ticket",
        verbose_name=_("exit ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exit_of",
    )
    entry_ticket = models.OneToOneField(
        "weighing.Ticket",
        verbose_name=_("entry ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entry_of",
    )
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    exit_net_kg = models.PositiveIntegerField(_("exit net (kg)"), null=True, blank=True)
    entry_net_kg = models.PositiveIntegerField(_("entry net (kg)"), null=True, blank=True)
    # entry net − exit net: positive when the plant received more than the mine shipped.
    discrepancy_kg = models.IntegerField(_("discrepancy (kg)"), null=True, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=300, blank=True)

    objects = WaybillQuerySet.as_manager()

    class Meta:
        verbose_name = _("waybill")
        verbose_name_plural = _("waybills")
        ordering = ["-issued_at"]
        constraints = [
            # docs/specs/api-essentials.md: a plate holds at most one open waybill from one origin.
            models.UniqueConstraint(
                fields=["plate", "origin_site"],
                condition=Q(status="issued"),
                name="waybill_one_open_per_plate_origin",
            ),
            models.CheckConstraint(
                condition=Q(planned_net_kg__gt=0, planned_net_kg__lte=100000),
                name="waybill_planned_net_range",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="waybill_expiry_after_issue"
            ),
        ]
        indexes = [models.Index(fields=["origin_site", "plate", "status"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        """The waybill's timeline."""
        return reverse("weighing:waybill_detail", args=[self.number])

    @property
    def is_open(self) -> bool:
        """Issued and not yet used (a truck may load against it)."""
        return self.status == WaybillStatus.ISSUED

    def discrepancy_share(self) -> Any:
        """The discrepancy as a percentage of the exit net, for display."""
        if self.discrepancy_kg is None or not self.exit_net_kg:
            return None
        return round(100 * self.discrepancy_kg / self.exit_net_kg, 2)
