"""Floor prices, listings, bids, contracts registered with the county, and notifications."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet
from oreledger.trade.choices import BidStatus, ContractStatus, ListingStatus, NotificationKind

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


def ceiling_of(*, quantity_kg: int, tolerance_pct: Decimal) -> int:
    """Quantity plus tolerance: the most a contract may ever deliver."""
    return quantity_kg + int(quantity_kg * tolerance_pct / 100)


def within_ceiling(*, delivered_kg: int, ceiling_kg: int) -> bool:
    """The contract rule: delivered never above quantity plus tolerance (the one Python home)."""
    return delivered_kg <= ceiling_kg


# The same rule for the hot path's conditional UPDATE on trade_contract: a delivery of
# %(net)s fits under the stored ceiling (written as subtraction, the row's columns on the left).
DELIVERY_WITHIN_CEILING = "delivered_kg <= max_delivery_kg - %(net)s"

# The same rule as the database keeps it (CHECK contract_not_overdelivered).
DELIVERED_WITHIN_CEILING = Q(delivered_kg__lte=F("max_delivery_kg"))


def _named(record: models.Model, name: str) -> Any:
    """What a foreign key names: the related row's id, or the unsaved record that a province
    bundle plans in the same workbook (an unsaved record equals only itself)."""
    value = getattr(record, record._meta.get_field(name).attname)  # type: ignore[union-attr]
    return value if value is not None else record._state.fields_cache.get(name)


class Contract(FederatedModel):
    """A sale of graded ore from a mine to a plant; trucks weigh against it."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    seller = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="contracts_sold",
    )
    buyer = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="contracts_bought",
    )
    origin_site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("origin site"),
        on_delete=models.PROTECT,
        related_name="contracts_out",
    )
    destination_site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("destination site"),
        on_delete=models.PROTECT,
        related_name="contracts_in",
    )
    grade = models.ForeignKey("grading.Grade", verbose_name=_("grade"), on_delete=models.PROTECT)
    quantity_kg = models.BigIntegerField(_("quantity (kg)"))
    # Maintained only by trade.delivery under a conditional UPDATE from the weighing path.
    delivered_kg = models.BigIntegerField(_("delivered (kg)"), default=0, editable=False)
    unit_price = models.DecimalField(_("unit price (yuan/t)"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        db_index=True,
    )
    # docs/reference/rules.md contract_exceeded: delivered may exceed quantity by this share
    # (default 2 %).
    tolerance_pct = models.DecimalField(
        _("delivery tolerance (%)"), max_digits=5, decimal_places=2, default=Decimal("2.00")
    )
    # quantity + tolerance, kept by save(): the ceiling the weighing path's UPDATE checks.
    max_delivery_kg = models.BigIntegerField(_("delivery ceiling (kg)"), editable=False)
    # The county that registers (approves) the contract: the origin site's county.
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where the contract came from: an accepted bid on a listing, or registered directly.
    listing = models.ForeignKey(
        "trade.Listing",
        verbose_name=_("listing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    # An amendment is a new version that replaces the contract it supersedes on approval.
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The county's note when it returned the contract to its parties.
    return_note = models.CharField(_("return note"), max_length=500, blank=True)
    # The floor in force when the contract was approved, and the province's override of it.
    floor_price = models.DecimalField(_("floor price (yuan/t)"), null=True, blank=True, **MONEY)
    override_reason = models.CharField(_("override reason"), max_length=500, blank=True)
    override_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("overridden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_kg__gt=0), name="contract_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(delivered_kg__gte=0), name="contract_delivered_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="contract_validity_ordered"
            ),
            models.CheckConstraint(condition=~Q(seller=F("buyer")), name="contract_two_parties"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="contract_price_nonneg"),
            models.CheckConstraint(
                condition=DELIVERED_WITHIN_CEILING, name="contract_not_overdelivered"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        """The contract's page."""
        return reverse("trade:contract_detail", args=[self.number])

    def clean(self) -> None:
        """Two parties; a mine of the seller ships to a plant of the buyer; forward validity."""
        errors: dict[str, Any] = {}
        if self.quantity_kg is not None and self.quantity_kg <= 0:
            errors["quantity_kg"] = ValidationError(QUANTITY_POSITIVE, code="quantity_not_positive")
        if self.unit_price is not None and self.unit_price < 0:
            errors["unit_price"] = ValidationError(PRICE_NEGATIVE, code="price_negative")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = ValidationError(VALIDITY_REVERSED, code="validity_reversed")
        seller, buyer = _named(self, "seller"), _named(self, "buyer")
        if seller is not None and seller == buyer:
            errors["buyer"] = ValidationError(SAME_PARTY, code="buyer_is_seller")
        if _named(self, "origin_site") is not None and seller is not None:
            site = self.origin_site
            if _named(site, "enterprise") != seller or site.kind != "mine":
                errors["origin_site"] = ValidationError(
                    ORIGIN_NOT_SELLERS, code="origin_not_sellers"
                )
        if _named(self, "destination_site") is not None and buyer is not None:
            site = self.destination_site
            if _named(site, "enterprise") != buyer or site.kind not in ("plant", "yard"):
                errors["destination_site"] = ValidationError(
                    DESTINATION_NOT_BUYERS, code="destination_not_buyers"
                )
        if errors:
            raise ValidationError(errors)

    @property
    def price_below_floor(self) -> bool:
        """Whether the recorded floor at approval was above the unit price."""
        return self.floor_price is not None and self.unit_price < self.floor_price

    @property
    def amount(self) -> Decimal:
        """Quantity × unit price in yuan."""
        return (Decimal(self.quantity_kg) / 1000 * self.unit_price).quantize(Decimal("0.01"))

    @property
    def tolerance_kg(self) -> int:
        """How far deliveries may exceed the quantity before trucks are held."""
        return self.ceiling_kg - self.quantity_kg

    @property
    def ceiling_kg(self) -> int:
        """Quantity plus tolerance (`ceiling_of`); `max_delivery_kg` stores it for the hot path."""
        return ceiling_of(quantity_kg=self.quantity_kg, tolerance_pct=self.tolerance_pct)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.max_delivery_kg = self.ceiling_kg
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"quantity_kg", "tolerance_pct"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "max_delivery_kg"}
        super().save(*args, **kwargs)

    @property
    def remaining_kg(self) -> int:
        """Quantity not yet delivered (never negative)."""
        return max(0, self.quantity_kg - self.delivered_kg)

    def is_valid_on(self, day: datetime.date) -> bool:
        """Approved and inside its validity on `day` (trucks may load against it)."""
        return self.status == ContractStatus.APPROVED and self.valid_from <= day <= self.valid_to


QUANTITY_POSITIVE = _("The tonnage must be more than zero.")
PRICE_NEGATIVE = _("The price cannot be negative.")
VALIDITY_REVERSED = _("The end of validity is before its start.")
SAME_PARTY = _("Buyer and seller must be different enterprises.")
ORIGIN_NOT_SELLERS = _("The origin must be a mine of the seller.")
DESTINATION_NOT_BUYERS = _("The destination must be a plant or yard of the buyer.")


class FloorPrice(FederatedModel):
    """The province's lowest admissible price of a grade from a date (history kept)."""

    grade = models.ForeignKey(
        "grading.Grade",
        verbose_name=_("grade"),
        on_delete=models.PROTECT,
        related_name="floor_prices",
    )
    valid_from = models.DateField(_("valid from"))
    # Empty while the price holds until further notice.
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    floor_yuan = models.DecimalField(_("floor (yuan/t)"), **MONEY)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("floor price")
        verbose_name_plural = _("floor prices")
        ordering = ["grade__rank", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "valid_from"], name="floorprice_once_per_day"),
            models.CheckConstraint(condition=Q(floor_yuan__gte=0), name="floorprice_nonneg"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="floorprice_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade.code} ≥ {self.floor_yuan} ({self.valid_from:%Y-%m-%d})"


class Listing(FederatedModel):
    """A mine's offer of a grade and tonnage for a period at an asking price (挂牌)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    seller = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    site = models.ForeignKey(
        "registry.Site", verbose_name=_("mine"), on_delete=models.PROTECT, related_name="listings"
    )
    grade = models.ForeignKey("grading.Grade", verbose_name=_("grade"), on_delete=models.PROTECT)
    quantity_kg = models.BigIntegerField(_("quantity (kg)"))
    # Grown only by accept_bid's conditional UPDATE: never above quantity_kg.
    accepted_kg = models.BigIntegerField(_("accepted (kg)"), default=0, editable=False)
    asking_price = models.DecimalField(_("asking price (yuan/t)"), **MONEY)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ListingStatus.choices,
        default=ListingStatus.OPEN,
        db_index=True,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_kg__gt=0), name="listing_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(accepted_kg__gte=0, accepted_kg__lte=F("quantity_kg")),
                name="listing_not_oversold",
            ),
            models.CheckConstraint(condition=Q(asking_price__gte=0), name="listing_price_nonneg"),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="listing_validity_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        """The listing's page."""
        return reverse("trade:listing_detail", args=[self.number])

    @property
    def open_kg(self) -> int:
        """Tonnage not yet promised to an accepted bid."""
        return self.quantity_kg - self.accepted_kg


class Bid(FederatedModel):
    """A processor's or trader's offer on a listing: price, tonnage and where it goes."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.PROTECT, related_name="bids"
    )
    bidder = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("bidder"),
        on_delete=models.PROTECT,
        related_name="bids",
    )
    destination_site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("destination site"),
        on_delete=models.PROTECT,
        related_name="bids_in",
    )
    price = models.DecimalField(_("price (yuan/t)"), **MONEY)
    quantity_kg = models.BigIntegerField(_("quantity (kg)"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=BidStatus.choices,
        default=BidStatus.PENDING,
        db_index=True,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    contract = models.OneToOneField(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bid",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["-price", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gt=0), name="bid_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="bid_price_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.listing.number} · {self.bidder}"


class Delivery(models.Model):
    """One change of a contract's delivered tonnage, with when it happened (price index)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # Positive for a delivery, negative for a taking back.
    net_kg = models.BigIntegerField(_("net (kg)"))
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.net_kg:+d} kg"


class Sequence(models.Model):
    """The last number issued under one key (e.g. contracts of a year)."""

    key = models.CharField(_("key"), max_length=40, unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Notification(TimestampedModel):
    """An in-app message to an enterprise (all its users) or to one person."""

    recipient_enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("recipient enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    # Values of the message template of `kind` (numbers, names): text is rendered when read,
    # in the reader's language.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_enterprise__isnull=False) | Q(recipient_user__isnull=False),
                name="notification_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language."""
        template = NOTIFICATION_TEXT.get(self.kind)
        if template is None:
            return str(self.get_kind_display())
        try:
            return str(template) % self.params
        except (KeyError, TypeError, ValueError):
            return str(self.get_kind_display())


NOTIFICATION_TEXT: dict[str, Any] = {
    NotificationKind.BID_RECEIVED: _(
        "%(bidder)s bid %(price)s yuan/t for %(tonnes)s t on listing %(listing)s."
    ),
    NotificationKind.BID_ACCEPTED: _(
        "Your bid on listing %(listing)s was accepted: contract %(contract)s is in draft."
    ),
    NotificationKind.BID_REJECTED: _("Your bid on listing %(listing)s was declined."),
    NotificationKind.CONTRACT_SUBMITTED: _(
        "Contract %(contract)s was submitted to the county for registration."
    ),
    NotificationKind.CONTRACT_APPROVED: _("Contract %(contract)s was approved by the county."),
    NotificationKind.CONTRACT_RETURNED: _(
        "Contract %(contract)s was returned by the county: %(note)s"
    ),
    NotificationKind.TASK_AT_RISK: _("Task %(task)s %(title)s is at risk (due %(due)s)."),
    NotificationKind.TASK_OVERDUE: _("Task %(task)s %(title)s is overdue (was due %(due)s)."),
}
