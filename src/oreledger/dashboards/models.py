"""Daily rollups of weighings: the figures dashboards read instead of scanning tickets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from oreledger.core.permissions import ScopedQuerySet


class DailyRollup(models.Model):
    """Tickets of one local day at one station, by grade, ticket kind and barrier decision.

    Derived data: each day's rows are replaced as a whole by `dashboards.rollups`, and
    `oreledger rebuild-rollups --check` proves them equal to the raw tickets.
    """

    day = models.DateField(_("day"))
    station = models.ForeignKey(
        "registry.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The site's enterprise, copied so that an enterprise's scope needs no join.
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    county = models.ForeignKey(
        "accounts.Region", verbose_name=_("county"), on_delete=models.CASCADE, related_name="+"
    )
    # The ticket's own region path (county or below): scoping is a prefix test, no join.
    region_path = models.CharField(_("region path"), max_length=120)
    grade = models.CharField(_("grade"), max_length=64, blank=True)
    # The ticket's kind (weighing.choices.TicketKind): what a figure counts is decided by it
    # (out = mine exits, in = plant-gate entries; checkpoint passages are neither).
    kind = models.CharField(_("kind"), max_length=12)
    released = models.BooleanField(_("released"))
    trucks = models.PositiveIntegerField(_("trucks"), default=0)
    net_kg = models.BigIntegerField(_("net (kg)"), default=0)
    gross_kg = models.BigIntegerField(_("gross (kg)"), default=0)
    tare_kg = models.BigIntegerField(_("tare (kg)"), default=0)
    drawn_kg = models.BigIntegerField(_("quota drawn (kg)"), default=0)
    # Tickets counted against a waybill after approved corrections.
    waybilled = models.PositiveIntegerField(_("with waybill"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "station", "site", "region_path", "grade", "kind", "released"],
                name="dailyrollup_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["day", "region_path"]),
            models.Index(fields=["site", "day"]),
            models.Index(fields=["enterprise", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.station_id} {self.grade} {self.kind} {self.net_kg} kg"


class RollupWatermark(models.Model):
    """How far the rollup job has read the tickets; its row lock serialises the job."""

    name = models.CharField(max_length=40, unique=True)
    until = models.DateTimeField(_("read until"))

    class Meta:
        verbose_name = _("rollup watermark")
        verbose_name_plural = _("rollup watermarks")

    def __str__(self) -> str:
        return f"{self.name} @ {self.until:%Y-%m-%d %H:%M:%S}"
