"""Grading standards (versioned configuration), their grades, and assays of ore lots."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oreledger.core.models import FederatedModel
from oreledger.core.permissions import ScopedQuerySet

# docs/reference/grades.md: the theoretical MgO content of pure magnesite (MgCO3).
MGO_THEORETICAL_MAX = Decimal("47.81")
# The components a grade may limit, in the order screens show them.
LIMITED_COMPONENTS = ("cao", "sio2", "fe2o3", "al2o3")


class GradingStandard(FederatedModel):
    """One version of the province's grading table, in force from its effective date."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    notes = models.TextField(_("notes"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grading standard")
        verbose_name_plural = _("grading standards")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        """The standard's page."""
        return reverse("grading:standard_detail", args=[self.code])


class Grade(models.Model):
    """A grade of a standard: its rank (1 = best) and the limits an assay must meet."""

    standard = models.ForeignKey(
        GradingStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="grades",
    )
    code = models.CharField(_("code"), max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"))
    mgo_min = models.DecimalField(
        _("MgO min %"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    cao_max = models.DecimalField(
        _("CaO max %"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    sio2_max = models.DecimalField(
        _("SiO2 max %"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    fe2o3_max = models.DecimalField(
        _("Fe2O3 max %"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    al2o3_max = models.DecimalField(
        _("Al2O3 max %"), null=True, blank=True, max_digits=5, decimal_places=2
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["standard", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="grade_code_once"),
            models.UniqueConstraint(fields=["standard", "rank"], name="grade_rank_once"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="grade_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language."""
        if (get_language() or "zh-hans").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def limits(self) -> dict[str, Decimal | None]:
        """MgO floor and component ceilings (None = no limit)."""
        return {
            "mgo_min": self.mgo_min,
            **{f"{c}_max": getattr(self, f"{c}_max") for c in LIMITED_COMPONENTS},
        }

    def admits(self, components: dict[str, Decimal | None]) -> bool:
        """Whether an assay with these components meets every limit of this grade."""
        mgo = components.get("mgo")
        if self.mgo_min is not None and (mgo is None or mgo < self.mgo_min):
            return False
        for component in LIMITED_COMPONENTS:
            ceiling = getattr(self, f"{component}_max")
            value = components.get(component)
            if ceiling is not None and (value is None or value > ceiling):
                return False
        return True


def _percent_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__gte": 0, f"{name}__lte": 100})
        | models.Q(**{f"{name}__isnull": True}),
        name=f"assay_{name}_percent",
    )


class Assay(FederatedModel):
    """A laboratory analysis of one lot of ore from a site, with the grade it earns."""

    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="assays"
    )
    lot = models.CharField(_("lot"), max_length=64)
    sampled_on = models.DateField(_("sampled on"), db_index=True)
    mgo = models.DecimalField(_("MgO %"), max_digits=5, decimal_places=2)
    cao = models.DecimalField(_("CaO %"), max_digits=5, decimal_places=2)
    sio2 = models.DecimalField(_("SiO2 %"), max_digits=5, decimal_places=2)
    fe2o3 = models.DecimalField(_("Fe2O3 %"), null=True, blank=True, max_digits=5, decimal_places=2)
    al2o3 = models.DecimalField(_("Al2O3 %"), null=True, blank=True, max_digits=5, decimal_places=2)
    loi = models.DecimalField(
        _("loss on ignition %"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    lab = models.CharField(_("laboratory"), max_length=200, blank=True)
    # The grade under the standard in force on `sampled_on` (standards never change behind it).
    grade = models.ForeignKey(
        Grade,
        verbose_name=_("grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assays",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assay")
        verbose_name_plural = _("assays")
        ordering = ["-sampled_on", "site", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["site", "lot"], name="assay_lot_once_per_site"),
            _percent_range("mgo"),
            _percent_range("cao"),
            _percent_range("sio2"),
            _percent_range("fe2o3"),
            _percent_range("al2o3"),
            _percent_range("loi"),
            models.CheckConstraint(
                condition=models.Q(mgo__lte=MGO_THEORETICAL_MAX), name="assay_mgo_possible"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    models.F("mgo")
                    + models.F("cao")
                    + models.F("sio2")
                    + Coalesce("fe2o3", Decimal(0))
                    + Coalesce("al2o3", Decimal(0))
                    + Coalesce("loi", Decimal(0)),
                    Decimal(100),
                ),
                name="assay_total_possible",
            ),
        ]
        indexes = [models.Index(fields=["site", "-sampled_on"])]

    def __str__(self) -> str:
        return f"{self.site.code} {self.lot}"

    def components(self) -> dict[str, Decimal | None]:
        """The measured components by name."""
        return {name: getattr(self, name) for name in COMPONENTS}

    def clean(self) -> None:
        """Refuse compositions that cannot exist (docs/reference/grades.md)."""
        problem = impossibility(self.components())
        if problem:
            raise ValidationError({"mgo": problem}, code="assay_impossible")


COMPONENTS = ("mgo", "cao", "sio2", "fe2o3", "al2o3", "loi")


def impossibility(components: dict[str, Any]) -> str | None:
    """Why a composition is impossible, or None when it could exist."""
    values = {k: v for k, v in components.items() if v is not None}
    if any(v < 0 or v > 100 for v in values.values()):
        return str(_("Each component is a percentage between 0 and 100."))
    mgo = values.get("mgo")
    if mgo is not None and mgo > MGO_THEORETICAL_MAX:
        return str(
            _("MgO above %(max)s %% is impossible: pure magnesite holds no more.")
            % {"max": MGO_THEORETICAL_MAX}
        )
    if sum(values.values(), Decimal(0)) > 100:
        return str(_("The components (with loss on ignition) add up to more than 100 %."))
    return None
