"""Enterprises, their sites and stations, trucks, and the permits they hold."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from oreledger.core.distance import haversine_km
from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet
from oreledger.registry.choices import (
    EnterpriseKind,
    Industry,
    OperatingStatus,
    PermitHolder,
    PermitStatus,
    Rectification,
    SiteKind,
    ValidityState,
    VehicleStatus,
)
from oreledger.registry.geometry import parse_boundary, within_radius
from oreledger.registry.identifiers import validate_plate, validate_uscc

LAT_VALIDATORS = [MinValueValidator(-90), MaxValueValidator(90)]
LON_VALIDATORS = [MinValueValidator(-180), MaxValueValidator(180)]


class Enterprise(FederatedModel):
    """A legal person in the chain, identified by its unified social credit code."""

    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        error_messages={
            "unique": _("An enterprise with this unified social credit code is already registered.")
        },
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EnterpriseKind.choices)
    industry = models.CharField(
        _("industry"), max_length=20, choices=Industry.choices, default=Industry.MAGNESITE
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT
    )
    legal_rep = models.CharField(_("legal representative"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
        db_index=True,
    )
    classification = models.CharField(
        _("rectification classification"), max_length=20, choices=Rectification.choices, blank=True
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The enterprise file (一企一档)."""
        return reverse("registry:enterprise_detail", args=[self.uscc])

    def clean(self) -> None:
        """The USCC must carry a valid GB 32100 check character."""
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except ValidationError as exc:
                raise ValidationError({"uscc": exc.error_list}) from None


class Site(FederatedModel):
    """A mine, plant or yard of an enterprise: a place ore leaves or arrives at."""

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        error_messages={"unique": _("A site with this code is already registered.")},
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="sites"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SiteKind.choices)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT
    )
    lat = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=LAT_VALIDATORS
    )
    lon = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=LON_VALIDATORS
    )
    boundary = models.JSONField(_("mining-right boundary"), null=True, blank=True)
    capacity_t = models.PositiveBigIntegerField(_("capacity (t/yr)"), null=True, blank=True)
    # Permitted working hours as minutes after local midnight; 0–1440 means all day.
    hours_from = models.PositiveSmallIntegerField(_("works from (minute)"), default=6 * 60)
    hours_to = models.PositiveSmallIntegerField(_("works until (minute)"), default=22 * 60)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
        db_index=True,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="site_coordinates_range",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_from__lte=1440, hours_to__lte=1440),
                name="site_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def permitted_hours(self) -> str:
        """ "06:00-22:00" as the bundle writes it."""
        return f"{_hhmm(self.hours_from)}-{_hhmm(self.hours_to)}"

    def get_absolute_url(self) -> str:
        """The site's page."""
        return reverse("registry:site_detail", args=[self.code])

    def clean(self) -> None:
        """A boundary must be a valid polygon; the site must lie in its county's area."""
        errors: dict[str, Any] = {}
        if self.boundary in ("", {}):
            self.boundary = None
        if self.boundary is not None:
            try:
                self.boundary = parse_boundary(self.boundary)
            except ValidationError as exc:
                errors["boundary"] = exc.error_list
        centre = plausible_centre(self.region) if self.region_id else None
        if centre is not None and self.lat is not None and self.lon is not None:
            county, lat, lon = centre
            # Lazy, so that the county is named in whichever language the message is read.
            params = {"county": lazy(lambda c=county: c.name, str)(), "km": PLAUSIBLE_RADIUS_KM}
            try:
                far = haversine_km(float(self.lat), float(self.lon), lat, lon) > PLAUSIBLE_RADIUS_KM
            except (TypeError, ValueError):
                far = False
            if far:
                errors["lat"] = ValidationError(
                    OUTSIDE_COUNTY, code="outside_county", params=params
                )
            if (
                "boundary" not in errors
                and self.boundary is not None
                and not within_radius(self.boundary, lat, lon, PLAUSIBLE_RADIUS_KM)
            ):
                errors["boundary"] = ValidationError(
                    BOUNDARY_OUTSIDE_COUNTY, code="outside_county", params=params
                )
        if errors:
            raise ValidationError(errors)


# A site further than this from its county's centre is a typing error, not a mine.
PLAUSIBLE_RADIUS_KM = 60
OUTSIDE_COUNTY = _(
    "These coordinates are more than %(km)s km from the centre of %(county)s: "
    "check latitude and longitude."
)
BOUNDARY_OUTSIDE_COUNTY = _(
    "The boundary reaches more than %(km)s km from the centre of %(county)s: "
    "check the coordinates (GeoJSON puts longitude first)."
)


def plausible_centre(region: Any) -> tuple[Any, float, float] | None:
    """(county, lat, lon) of the county a region belongs to, if its centre is known."""
    node = region
    while node is not None and node.level == "town":
        node = node.parent
    if node is None or node.lat is None or node.lon is None:
        return None
    return node, float(node.lat), float(node.lon)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(text: str) -> tuple[int, int]:
    """ "06:00-22:00" → (360, 1320); "00:00-24:00" means all day."""
    try:
        start, end = (part.strip() for part in text.split("-"))
        values = []
        for part in (start, end):
            hh, mm = part.split(":")
            minutes = int(hh) * 60 + int(mm)
            if not 0 <= minutes <= 1440 or not 0 <= int(mm) < 60:
                raise ValueError(part)
            values.append(minutes)
    except ValueError:
        raise ValidationError(
            _("Working hours look like 06:00-22:00."), code="hours_format"
        ) from None
    return values[0], values[1]


class Station(FederatedModel):
    """A weighbridge (计量站) at a mine exit, a plant gate, or a public checkpoint."""

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        error_messages={"unique": _("A station with this code is already registered.")},
    )
    name = models.CharField(_("name"), max_length=200)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site guarded"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT
    )
    lat = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=LAT_VALIDATORS
    )
    lon = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=LON_VALIDATORS
    )
    # The HMAC key must be recoverable to verify signatures, so it is stored encrypted
    # (registry.secrets), never in clear, and never logged.
    secret_encrypted = models.TextField(_("secret (encrypted)"), blank=True, editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_checkpoint(self) -> bool:
        """A public checkpoint guards no site."""
        return self.site_id is None

    @property
    def has_secret(self) -> bool:
        """Whether a signing secret has been issued."""
        return bool(self.secret_encrypted)

    def get_absolute_url(self) -> str:
        """The station's page."""
        return reverse("registry:station_detail", args=[self.code])

    def clean(self) -> None:
        """A station guarding a site stands in the site's jurisdiction."""
        site = self.site if self.site_id else None
        if site is None or not self.region_id:
            return
        if not (self.region.contains(site.region) or site.region.contains(self.region)):
            raise ValidationError(
                {
                    "site": ValidationError(
                        _("The site lies outside the station's region."),
                        code="site_outside_region",
                    )
                }
            )


class Vehicle(FederatedModel):
    """A registered truck, by plate, with its registered tare."""

    plate = models.CharField(
        _("plate"),
        max_length=10,
        unique=True,
        error_messages={"unique": _("A vehicle with this plate is already registered.")},
    )
    owner = models.ForeignKey(
        Enterprise,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
    )
    axles = models.PositiveSmallIntegerField(
        _("axles"), validators=[MinValueValidator(2), MaxValueValidator(6)]
    )
    tare_kg = models.PositiveIntegerField(
        _("registered tare (kg)"), validators=[MinValueValidator(1), MaxValueValidator(99_999)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VehicleStatus.choices, default=VehicleStatus.REGISTERED
    )
    blacklist_reason = models.CharField(_("blacklist reason"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["plate"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(axles__gte=2, axles__lte=6), name="vehicle_axles_2_to_6"
            ),
            models.CheckConstraint(
                condition=models.Q(tare_kg__gt=0, tare_kg__lt=100000), name="vehicle_tare_range"
            ),
        ]

    def __str__(self) -> str:
        return self.plate

    def get_absolute_url(self) -> str:
        """The vehicle's page."""
        return reverse("registry:vehicle_detail", args=[self.plate])

    def clean(self) -> None:
        """Plates follow the mainland format; a blacklisting needs a reason."""
        errors: dict[str, Any] = {}
        if self.plate:
            try:
                self.plate = validate_plate(self.plate)
            except ValidationError as exc:
                errors["plate"] = exc.error_list
        if self.status == VehicleStatus.BLACKLISTED and not self.blacklist_reason:
            errors["blacklist_reason"] = ValidationError(
                _("Say why the vehicle is blacklisted."), code="required"
            )
        if errors:
            raise ValidationError(errors)


class VehicleBlacklisting(FederatedModel):
    """A county's blacklisting of a plate: owned by that county, it bars the truck in every
    county (the hub passes it on to the others, docs/ARCHITECTURE.md "Deployment modes")."""

    plate = models.CharField(_("plate"), max_length=10)
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("blacklisted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    in_force = models.BooleanField(_("in force"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("county blacklisting")
        verbose_name_plural = _("county blacklistings")
        ordering = ["plate", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_node", "plate"], name="blacklisting_one_per_platform_and_plate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plate} · {self.region}"


class PermitType(TimestampedModel):
    """A kind of permit and the department kind that issues it (configuration)."""

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("A permit type with this code already exists.")},
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    department_kind = models.ForeignKey(
        "accounts.DepartmentKind", verbose_name=_("issuing department"), on_delete=models.PROTECT
    )
    holder = models.CharField(_("held by"), max_length=12, choices=PermitHolder.choices)
    # Blocking at the gate (docs/reference/rules.md permit_invalid): mining, safety, pollutant
    # discharge.
    required_at_gate = models.BooleanField(_("checked at the gate"), default=False)

    class Meta:
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")
        ordering = ["code"]

    def __str__(self) -> str:
        if (get_language() or "zh-hans").startswith("en"):
            return self.name_en
        return self.name_zh


class PermitRequirement(TimestampedModel):
    """One cell of the required-permit matrix: this kind of holder needs this permit type."""

    class AppliesTo(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise kind")
        SITE = "site", _("Site kind")

    applies_to = models.CharField(_("applies to"), max_length=12, choices=AppliesTo.choices)
    # An enterprise kind, a site kind, or "*" for every enterprise.
    holder_kind = models.CharField(_("holder kind"), max_length=20)
    permit_type = models.ForeignKey(
        PermitType, verbose_name=_("permit type"), on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("permit requirement")
        verbose_name_plural = _("permit requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["applies_to", "holder_kind", "permit_type"],
                name="permit_requirement_once",
                violation_error_code="duplicate",
                violation_error_message=_("This requirement is already in the matrix."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder_kind_label} → {self.permit_type}"

    @property
    def holder_kind_label(self) -> str:
        """The kind of holder in the reader's language ("*" is every enterprise)."""
        if self.holder_kind == "*":
            return str(_("Every enterprise"))
        kinds = EnterpriseKind if self.applies_to == self.AppliesTo.ENTERPRISE else SiteKind
        try:
            return str(kinds(self.holder_kind).label)
        except ValueError:
            return self.holder_kind


class Permit(FederatedModel):
    """A permit issued by a department to an enterprise, or to one of its sites."""

    number = models.CharField(
        pgettext_lazy("permit", "number"),
        max_length=60,
        unique=True,
        error_messages={"unique": _("A permit with this number is already registered.")},
    )
    type = models.ForeignKey(PermitType, verbose_name=_("type"), on_delete=models.PROTECT)
    holder = models.ForeignKey(
        Enterprise, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="permits"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="permits",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("issuing department"), on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PermitStatus.choices, default=PermitStatus.VALID
    )
    scope_t = models.PositiveBigIntegerField(_("scope (t/yr)"), null=True, blank=True)
    mineral = models.CharField(_("mineral"), max_length=30, blank=True)
    # Derived from status and dates; kept by services and the daily job so lists can filter.
    validity_state = models.CharField(
        _("validity"),
        max_length=20,
        choices=ValidityState.choices,
        default=ValidityState.VALID,
        db_index=True,
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        ordering = ["valid_to", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="permit_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.number}"

    def get_absolute_url(self) -> str:
        """The permit's page."""
        return reverse("registry:permit_detail", args=[self.number])

    def clean(self) -> None:
        """Validity runs forwards; a site permit's site belongs to the holder."""
        errors: dict[str, Any] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = ValidationError(
                _("The end of validity is before its start."), code="validity_reversed"
            )
        site = self.site if self.site_id else None
        if site is not None and self.holder_id and site.enterprise_id != self.holder_id:
            errors["site"] = ValidationError(
                _("The site does not belong to the permit holder."), code="site_not_holders"
            )
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: datetime.date) -> bool:
        """docs/reference/permits.md: valid status and the day inside [valid_from, valid_to]."""
        return self.status == PermitStatus.VALID and self.valid_from <= day <= self.valid_to

    def state_on(self, day: datetime.date) -> str:
        """The permit's ValidityState on a day."""
        return validity_state(self.status, self.valid_from, self.valid_to, day)


# A permit this many days or fewer from its end is "expiring" (docs/reference/permits.md).
EXPIRING_DAYS = 30


def validity_state(
    status: str, valid_from: datetime.date, valid_to: datetime.date, day: datetime.date
) -> str:
    """suspended_revoked, pending, expired, expiring or valid, in that order of precedence."""
    if status != PermitStatus.VALID:
        return ValidityState.SUSPENDED_REVOKED
    if day < valid_from:
        return ValidityState.PENDING
    if day > valid_to:
        return ValidityState.EXPIRED
    if (valid_to - day).days <= EXPIRING_DAYS:
        return ValidityState.EXPIRING
    return ValidityState.VALID
