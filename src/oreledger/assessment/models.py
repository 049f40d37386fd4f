"""Tables of the assessment: schemes, their indicators, and counties' entered evidence."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.assessment.choices import (
    EvidenceStatus,
    IndicatorKind,
    PeriodKind,
    ScoringRule,
)
from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet


class Scheme(FederatedModel):
    """An assessment scheme set by the province: its indicators, weights and period."""

    # Province-owned reference data: it goes down to the county nodes with its indicators
    # inside its state (federation.records.NESTED), read-only there.

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    period = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-active", "code"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One indicator of a scheme: what it measures, its weight and scoring rule."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="indicators"
    )
    kind = models.CharField(_("indicator"), max_length=20, choices=IndicatorKind.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    rule = models.CharField(
        _("scoring rule"), max_length=12, choices=ScoringRule.choices, default="proportional"
    )
    # The rate that earns the full weight under the threshold rule.
    target = models.DecimalField(_("target"), max_digits=5, decimal_places=4, default=Decimal(1))
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["ordering", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind"], name="indicator_once_per_scheme"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=Q(target__gte=0, target__lte=1), name="indicator_target_rate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.weight})"


class Evidence(TimestampedModel):
    """A county's entry of funding or staffing in place for a period, with its evidence."""

    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("indicator"), max_length=20, choices=IndicatorKind.choices)
    # The first day of the period the entry is for (a month's, quarter's or year's).
    period_start = models.DateField(_("period start"))
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2)
    actual = models.DecimalField(_("in place"), max_digits=14, decimal_places=2)
    evidence = models.TextField(_("evidence"))
    # The document behind the entry (budget approval, payment slip, appointments).
    attachment = models.FileField(_("attachment"), upload_to="assessment/%Y/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EvidenceStatus.choices, default="submitted"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
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
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment evidence")
        verbose_name_plural = _("assessment evidence")
        ordering = ["-period_start", "region__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "period_start"], name="evidence_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(planned__gt=0) & Q(actual__gte=0), name="evidence_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_kind_display()} {self.period_start}"
