"""The weekly dispatch briefing of a jurisdiction, archived with the figures it reported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.briefings.choices import BriefingStatus
from oreledger.core.models import TimestampedModel
from oreledger.core.permissions import ScopedQuerySet


class Briefing(TimestampedModel):
    """One region's briefing for one ISO week: figures, leader's remarks, next week's work."""

    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    week = models.CharField(_("week"), max_length=8)
    status = models.CharField(
        _("status"), max_length=8, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT
    )
    remarks = models.TextField(_("leader's remarks"), blank=True)
    priorities = models.TextField(_("next week's priorities"), blank=True)
    # Empty while a draft (its figures are read live); frozen at issue, so reopening an
    # issued briefing shows what was reported then, whatever was corrected since.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    issued_at = models.DateTimeField(pgettext_lazy("briefing", "issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("briefing", "issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        ordering = ["-week", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "week"], name="briefing_once_per_week"),
            models.CheckConstraint(
                condition=models.Q(week__regex=r"^[0-9]{4}-W[0-9]{2}$"), name="briefing_week_iso"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.week}"

    def get_absolute_url(self) -> str:
        """The briefing's page."""
        return reverse("briefings:briefing_detail", args=[self.pk])

    @property
    def issued(self) -> bool:
        """Whether the briefing is issued (frozen)."""
        return self.status == BriefingStatus.ISSUED
