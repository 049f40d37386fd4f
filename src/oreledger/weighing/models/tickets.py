"""Station tickets: immutable, unique per (station, seq), hash-chained per station."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.core.models import TimestampedModel
from oreledger.core.permissions import ScopedQuerySet
from oreledger.weighing.choices import Cargo, Direction, TicketKind


class StationState(models.Model):
    """A station's protocol state; its row lock serialises the station's seq and hash chain."""

    station = models.OneToOneField(
        "registry.Station",
        verbose_name=_("station"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="state",
    )
    last_seq = models.BigIntegerField(_("last seq"), default=0)
    chain_length = models.BigIntegerField(_("tickets in chain"), default=0)
    last_hash = models.CharField(_("chain head"), max_length=64, blank=True, default="")
    last_seen_at = models.DateTimeField(
        pgettext_lazy("station", "last seen"), null=True, blank=True
    )
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    drift_seconds = models.IntegerField(_("clock drift (s)"), null=True, blank=True)
    device_status = models.CharField(_("device status"), max_length=40, blank=True)
    rejects_total = models.PositiveIntegerField(_("rejected tickets"), default=0)
    conflicts_total = models.PositiveIntegerField(_("conflicts"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("station state")
        verbose_name_plural = _("station states")

    def __str__(self) -> str:
        return f"{self.station_id} @ {self.last_seq}"


class TicketQuerySet(ScopedQuerySet["Ticket"]):
    """Tickets are never edited or deleted by the application."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("tickets are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("tickets are immutable")


class Ticket(models.Model):
    """One weighing as the station sent it, with the platform's decision, stored once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own on station or site: the composite indexes below lead with each
    # (station, seq), (station, received_at), (site, gross_at), and every index is one more
    # write for each of the platform's most frequent INSERTs.
    station = models.ForeignKey(
        "registry.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    seq = models.BigIntegerField(_("seq"))
    # Position in the station's hash chain (arrival order; seqs may arrive out of order).
    chain_index = models.BigIntegerField(_("chain position"))
    site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TicketKind.choices)
    ticket_no = models.CharField(_("ticket number"), max_length=40)
    plate = models.CharField(_("plate"), max_length=10)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    waybill_number = models.CharField(_("waybill number (as read)"), max_length=40, blank=True)
    cargo = models.CharField(_("cargo"), max_length=30, choices=Cargo.choices)
    declared_grade = models.CharField(_("declared grade"), max_length=64, blank=True)
    gross_kg = models.PositiveIntegerField(_("gross (kg)"))
    tare_kg = models.PositiveIntegerField(_("tare (kg)"))
    net_kg = models.PositiveIntegerField(_("net (kg)"))
    gross_at = models.DateTimeField(_("gross weighed at"))
    tare_at = models.DateTimeField(_("tare weighed at"))
    operator = models.CharField(_("operator"), max_length=40, blank=True)
    photos = models.JSONField(_("photos"), default=list, blank=True)
    received_at = models.DateTimeField(_("received at"))
    release = models.BooleanField(_("released"))
    # Every finding of the synchronous rules: [{"code", "message", "blocking"}].
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    waybill = models.ForeignKey(
        "weighing.Waybill",
        verbose_name=_("waybill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    contract = models.ForeignKey(
        "trade.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The waybill's parties, copied so that an enterprise's scope needs no join.
    seller = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    buyer = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quota_entry = models.OneToOneField(
        "quotas.LedgerEntry",
        verbose_name=_("quota entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_kg = models.PositiveIntegerField(_("drawn (kg)"), default=0)
    held_kg = models.PositiveIntegerField(_("held (kg)"), default=0)
    discrepancy_kg = models.IntegerField(_("discrepancy (kg)"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)
    # HMAC-SHA256 under the chain key (weighing.chain); False for the plain SHA-256 tickets
    # stored before the chain was keyed (migration 0006), which stay as they were.
    keyed = models.BooleanField(_("keyed hash"), default=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-gross_at"]
        constraints = [
            models.UniqueConstraint(fields=["station", "seq"], name="ticket_once_per_station_seq"),
            models.UniqueConstraint(
                fields=["station", "chain_index"], name="ticket_chain_position_once"
            ),
            models.CheckConstraint(
                condition=Q(tare_kg__gt=0, gross_kg__gt=models.F("tare_kg"), gross_kg__lte=100000),
                name="ticket_weights_range",
            ),
            models.CheckConstraint(
                condition=Q(net_kg=models.F("gross_kg") - models.F("tare_kg")),
                name="ticket_net_is_gross_minus_tare",
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="ticket_seq_positive"),
            models.CheckConstraint(
                condition=Q(drawn_kg=0) | Q(release=True), name="ticket_held_draws_nothing"
            ),
        ]
        indexes = [
            models.Index(fields=["plate", "-gross_at"]),
            models.Index(fields=["station", "-received_at"]),
            models.Index(fields=["-gross_at"]),
            models.Index(fields=["waybill_number"]),
            # Rollup and alert jobs scan what arrived since their watermark.
            models.Index(fields=["received_at"]),
            # An enterprise's live feed: its sites' newest weighings.
            models.Index(fields=["site", "-gross_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}#{self.seq} {self.plate}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("tickets are immutable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The ticket's page."""
        return reverse("weighing:ticket_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("tickets are immutable")

    @property
    def blocking_reasons(self) -> list[dict[str, Any]]:
        """The findings that held the truck."""
        return [r for r in self.reasons if r.get("blocking")]


class TicketRejection(models.Model):
    """A ticket refused for breaking a field rule: nothing stored but this record of it."""

    station = models.ForeignKey(
        "registry.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="ticket_rejections",
    )
    seq = models.BigIntegerField(_("seq"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # The item as sent (bounded), for the station's maintainers.
    payload = models.JSONField(_("as sent"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rejected ticket")
        verbose_name_plural = _("rejected tickets")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["station", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.station_id}#{self.seq} rejected"


class TicketConflict(models.Model):
    """A resend of a stored (station, seq) whose content differs: both contents kept."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="conflicts"
    )
    station = models.ForeignKey(
        "registry.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    seq = models.BigIntegerField(_("seq"))
    received_at = models.DateTimeField(_("received at"))
    stored = models.JSONField(_("stored content"))
    resent = models.JSONField(_("resent content"))
    # SHA-256 of the resent content: the same differing resend is recorded once.
    resent_hash = models.CharField(max_length=64)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket conflict")
        verbose_name_plural = _("ticket conflicts")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "resent_hash"], name="ticketconflict_once_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id}#{self.seq} conflict"


class BlockingSet(TimestampedModel):
    """The codes that hold a truck in a region (and below it); data, not code."""

    region = models.OneToOneField(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    codes = models.JSONField(_("blocking codes"), default=list)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocking rule set")
        verbose_name_plural = _("blocking rule sets")

    def __str__(self) -> str:
        return f"{self.region_id}: {', '.join(self.codes)}"
