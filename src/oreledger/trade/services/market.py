"""Use cases of the market: floor prices, listings, bids, and accepting bids into contracts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import ADD, CHANGE, PROVINCE_OFFICE, may
from oreledger.grading.models import Grade
from oreledger.registry.models import Enterprise, Site
from oreledger.trade.choices import BidStatus, ListingStatus, NotificationKind, QuotaCheck
from oreledger.trade.errors import conflict, refuse, tonnes
from oreledger.trade.models import Bid, FloorPrice, Listing
from oreledger.trade.policies import ACCEPT, BID, BUYER_KINDS, WITHDRAW
from oreledger.trade.queries import quota_room
from oreledger.trade.services._common import (
    authorise,
    check_grade_in_force,
    is_person,
    money,
    next_number,
    notify,
    person_or_none,
)
from oreledger.trade.services.contracts import new_contract


def quota_check_mode() -> str:
    """OL_TRADE_LISTING_QUOTA_CHECK: "block" (default) or "warn"."""
    mode = str(getattr(settings, "OL_TRADE_LISTING_QUOTA_CHECK", QuotaCheck.BLOCK))
    return mode if mode in QuotaCheck.values else QuotaCheck.BLOCK


@dataclass
class ListingResult:
    """A listing created, with any warning the quota check gave instead of blocking."""

    listing: Listing
    warnings: list[str] = field(default_factory=list)


def set_floor_price(
    *,
    actor: Any,
    grade: Grade,
    valid_from: datetime.date,
    floor_yuan: Decimal,
    note: str = "",
) -> FloorPrice:
    """Set the floor of a grade from a date; the floor before it ends the day before."""
    if is_person(actor) and not (
        actor.is_superuser or getattr(actor, "role", None) in (PROVINCE_OFFICE, "admin")
    ):
        raise refuse("not_allowed", status=403)
    floor_yuan = money(floor_yuan)
    if floor_yuan < 0:
        raise refuse("price_negative")
    with transaction.atomic():
        if FloorPrice.objects.filter(grade__code=grade.code, valid_from=valid_from).exists():
            raise conflict("floor_exists", grade=grade.code, date=valid_from.isoformat())
        previous = (
            FloorPrice.objects.select_for_update()
            .filter(grade__code=grade.code, valid_from__lt=valid_from)
            .order_by("-valid_from")
            .first()
        )
        later = (
            FloorPrice.objects.filter(grade__code=grade.code, valid_from__gt=valid_from)
            .order_by("valid_from")
            .first()
        )
        if previous is not None and (previous.valid_to is None or previous.valid_to >= valid_from):
            before = snapshot(previous)
            previous.valid_to = valid_from - datetime.timedelta(days=1)
            previous.bump_version()
            previous.save(update_fields=["valid_to", "version", "updated_at"])
            record_change(
                actor=actor, obj=previous, action=ObjectChange.Action.UPDATE, before=before
            )
        floor = FloorPrice.objects.create(
            grade=grade,
            valid_from=valid_from,
            valid_to=later.valid_from - datetime.timedelta(days=1) if later else None,
            floor_yuan=floor_yuan,
            set_by=person_or_none(actor),
            note=note[:300],
        )
        record_change(actor=actor, obj=floor, action=ObjectChange.Action.CREATE, reason=note)
    return floor


def _seller_of(actor: Any, site: Site) -> Enterprise:
    if is_person(actor) and getattr(actor, "enterprise_id", None) != site.enterprise_id:
        raise refuse("origin_not_sellers")
    return site.enterprise


def create_listing(
    *,
    actor: Any,
    site: Site,
    grade: Grade,
    quantity_kg: int,
    asking_price: Decimal,
    valid_from: datetime.date,
    valid_to: datetime.date,
    note: str = "",
) -> ListingResult:
    """Offer a grade and tonnage of a mine; never more than its uncommitted quota (by default)."""
    if is_person(actor) and not may(actor, ADD, Listing):
        raise refuse("not_an_enterprise_user", status=403)
    if is_person(actor) and getattr(actor, "enterprise_id", None) is None:
        raise refuse("not_an_enterprise_user", status=403)
    seller = _seller_of(actor, site)
    if site.kind != "mine":
        raise refuse("origin_not_sellers")
    if quantity_kg <= 0:
        raise refuse("quantity_not_positive")
    asking_price = money(asking_price)
    if asking_price < 0:
        raise refuse("price_negative")
    if valid_to < valid_from:
        raise refuse("validity_reversed")
    grade = check_grade_in_force(grade, valid_from)
    warnings: list[str] = []
    with transaction.atomic():
        # Listings of one mine are serialised by locking the mine: two listings created at
        # once must not both pass the quota check.
        Site.objects.select_for_update().filter(pk=site.pk).first()
        room = quota_room(site, valid_from.year)
        if quantity_kg > room.available_kg:
            error = (
                refuse("no_quota", site=site.code, year=valid_from.year)
                if not room.has_account
                else refuse(
                    "over_quota",
                    available=tonnes(room.available_kg),
                    remaining=tonnes(room.remaining_kg),
                    committed=tonnes(room.committed_kg),
                )
            )
            if quota_check_mode() == QuotaCheck.BLOCK:
                raise error
            warnings.append(error.message)
        listing = Listing.objects.create(
            number=_listing_number(valid_from.year),
            seller=seller,
            site=site,
            grade=grade,
            quantity_kg=quantity_kg,
            asking_price=asking_price,
            valid_from=valid_from,
            valid_to=valid_to,
            note=note[:500],
            created_by=person_or_none(actor),
        )
        record_change(
            actor=actor, obj=listing, action=ObjectChange.Action.CREATE, reason="; ".join(warnings)
        )
    return ListingResult(listing, warnings)


def _listing_number(year: int) -> str:
    return f"GP-{year}-{next_number(f'listing-{year}'):05d}"


def withdraw_listing(*, actor: Any, listing: Listing) -> Listing:
    """Take a listing off the market; pending bids on it are declined."""
    with transaction.atomic():
        listing = authorise(Listing.objects.select_for_update(), actor, CHANGE, pk=listing.pk)
        if listing.status != ListingStatus.OPEN:
            raise conflict("listing_not_open", listing=listing.number)
        before = snapshot(listing)
        listing.status = ListingStatus.WITHDRAWN
        listing.bump_version()
        listing.save(update_fields=["status", "version", "updated_at"])
        record_change(actor=actor, obj=listing, action=ObjectChange.Action.UPDATE, before=before)
        for bid in listing.bids.filter(status=BidStatus.PENDING).select_related("listing"):
            _decline(actor, bid)
    return listing


def place_bid(
    *,
    actor: Any,
    listing: Listing,
    destination_site: Site,
    price: Decimal,
    quantity_kg: int,
    note: str = "",
) -> Bid:
    """Bid on an open listing for delivery to one of the bidder's plants."""
    if is_person(actor):
        bidder = getattr(actor, "enterprise", None)
        if bidder is None:
            raise refuse("not_an_enterprise_user", status=403)
        listing = authorise(Listing.objects.all(), actor, "view", pk=listing.pk)
    else:
        bidder = destination_site.enterprise
    if bidder.kind not in BUYER_KINDS:
        raise refuse("not_a_buyer", status=403)
    if bidder.pk == listing.seller_id:
        raise refuse("own_listing")
    if destination_site.enterprise_id != bidder.pk or destination_site.kind not in (
        "plant",
        "yard",
    ):
        raise refuse("destination_not_buyers")
    if quantity_kg <= 0:
        raise refuse("quantity_not_positive")
    price = money(price)
    if price < 0:
        raise refuse("price_negative")
    if listing.status != ListingStatus.OPEN:
        raise conflict("listing_not_open", listing=listing.number)
    if listing.valid_to < timezone.localdate():
        raise conflict("listing_expired", listing=listing.number)
    if quantity_kg > listing.open_kg:
        raise conflict(
            "listing_oversold",
            listing=listing.number,
            open=tonnes(listing.open_kg),
            tonnes=tonnes(quantity_kg),
        )
    if is_person(actor) and not Listing.objects.for_user(actor, BID).filter(pk=listing.pk).exists():
        raise refuse("not_a_buyer", status=403)
    with transaction.atomic():
        bid = Bid.objects.create(
            listing=listing,
            bidder=bidder,
            destination_site=destination_site,
            price=price,
            quantity_kg=quantity_kg,
            note=note[:500],
            created_by=person_or_none(actor),
        )
        record_change(actor=actor, obj=bid, action=ObjectChange.Action.CREATE)
        notify(
            kind=NotificationKind.BID_RECEIVED,
            enterprise=listing.seller,
            params={
                "bidder": bidder.name,
                "price": f"{price:.2f}",
                "tonnes": tonnes(quantity_kg),
                "listing": listing.number,
            },
            link=listing.get_absolute_url(),
        )
    return bid


def accept_bid(*, actor: Any, bid: Bid, quantity_kg: int | None = None) -> Bid:
    """Accept a bid (or part of it): a draft contract; the listing is never oversold.

    The listing row is locked, then its accepted tonnage grows by a conditional UPDATE that
    only succeeds while it stays within the listed tonnage; a lost race changes nothing.
    """
    with transaction.atomic():
        bid = authorise(Bid.objects.select_related("listing"), actor, ACCEPT, pk=bid.pk)
        listing = Listing.objects.select_for_update().get(pk=bid.listing_id)
        amount = bid.quantity_kg if quantity_kg is None else quantity_kg
        if amount <= 0 or amount > bid.quantity_kg:
            raise refuse("quantity_not_positive")
        if listing.status != ListingStatus.OPEN:
            raise conflict("listing_not_open", listing=listing.number)
        claimed = Bid.objects.filter(pk=bid.pk, status=BidStatus.PENDING).update(
            status=BidStatus.ACCEPTED, decided_at=timezone.now()
        )
        if not claimed:
            raise conflict("bid_not_pending")
        grown = Listing.objects.filter(
            pk=listing.pk, status=ListingStatus.OPEN, accepted_kg__lte=F("quantity_kg") - amount
        ).update(accepted_kg=F("accepted_kg") + amount)
        if not grown:
            listing.refresh_from_db(fields=["accepted_kg"])
            raise conflict(
                "listing_oversold",
                listing=listing.number,
                open=tonnes(listing.open_kg),
                tonnes=tonnes(amount),
            )
        Listing.objects.filter(pk=listing.pk, accepted_kg=F("quantity_kg")).update(
            status=ListingStatus.SOLD
        )
        listing.refresh_from_db()
        contract = new_contract(
            actor=actor,
            seller=listing.seller,
            buyer=bid.bidder,
            origin_site=listing.site,
            destination_site=bid.destination_site,
            grade=listing.grade,
            quantity_kg=amount,
            unit_price=bid.price,
            valid_from=max(listing.valid_from, timezone.localdate()),
            valid_to=listing.valid_to,
            listing=listing,
        )
        Bid.objects.filter(pk=bid.pk).update(contract=contract)
        bid.refresh_from_db()
        record_change(
            actor=actor,
            obj=bid,
            action=ObjectChange.Action.UPDATE,
            before={"status": BidStatus.PENDING},
        )
        notify(
            kind=NotificationKind.BID_ACCEPTED,
            enterprise=bid.bidder,
            params={"listing": listing.number, "contract": contract.number},
            link=contract.get_absolute_url(),
        )
    return bid


def _decline(actor: Any, bid: Bid) -> None:
    if Bid.objects.filter(pk=bid.pk, status=BidStatus.PENDING).update(
        status=BidStatus.REJECTED, decided_at=timezone.now()
    ):
        bid.refresh_from_db()
        record_change(
            actor=actor,
            obj=bid,
            action=ObjectChange.Action.UPDATE,
            before={"status": BidStatus.PENDING},
        )
        notify(
            kind=NotificationKind.BID_REJECTED,
            enterprise=bid.bidder,
            params={"listing": bid.listing.number},
            link=bid.listing.get_absolute_url(),
        )


def reject_bid(*, actor: Any, bid: Bid) -> Bid:
    """Decline a pending bid (the seller)."""
    with transaction.atomic():
        bid = authorise(Bid.objects.select_related("listing"), actor, ACCEPT, pk=bid.pk)
        if bid.status != BidStatus.PENDING:
            raise conflict("bid_not_pending")
        _decline(actor, bid)
        bid.refresh_from_db()
    return bid


def withdraw_bid(*, actor: Any, bid: Bid) -> Bid:
    """Take back one's own pending bid."""
    with transaction.atomic():
        bid = authorise(Bid.objects.all(), actor, WITHDRAW, pk=bid.pk)
        if not Bid.objects.filter(pk=bid.pk, status=BidStatus.PENDING).update(
            status=BidStatus.WITHDRAWN, decided_at=timezone.now()
        ):
            raise conflict("bid_not_pending")
        bid.refresh_from_db()
        record_change(
            actor=actor,
            obj=bid,
            action=ObjectChange.Action.UPDATE,
            before={"status": BidStatus.PENDING},
        )
    return bid


__all__ = [
    "ListingResult",
    "accept_bid",
    "create_listing",
    "place_bid",
    "quota_check_mode",
    "reject_bid",
    "set_floor_price",
    "withdraw_bid",
    "withdraw_listing",
]
