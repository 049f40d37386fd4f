"""Who may see and act on floor prices, listings, bids, contracts and notifications.

Trade rows belong to two enterprises at once (seller and buyer) and to two regions (origin
and destination), which a single-path JurisdictionPolicy cannot say; hence these policies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.core.display import ReferenceKind, register_reference
from oreledger.core.permissions import (
    ADD,
    ADMIN,
    ALL_ROLES,
    APPROVE,
    CHANGE,
    COUNTY_OPERATOR,
    ENTERPRISE_USER,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    Policy,
    register,
)
from oreledger.trade.choices import ListingStatus
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing, Notification

# Actions beyond the core four.
ACCEPT = "accept"  # the seller decides on a bid
WITHDRAW = "withdraw"  # the bidder takes back a bid
BID = "bid"  # a buyer bids on a listing
OVERRIDE = "override"  # the province approves a price under the floor
BUYER_KINDS = ("processor", "trader")


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _superuser(user: Any) -> bool:
    return bool(user.is_superuser or getattr(user, "role", None) == ADMIN)


def _region_path(user: Any) -> str | None:
    region = getattr(user, "region", None)
    return region.path if region is not None else None


def is_buyer(user: Any) -> bool:
    """An enterprise user whose enterprise may buy ore (processor or trader)."""
    enterprise = getattr(user, "enterprise", None)
    return (
        getattr(user, "role", None) == ENTERPRISE_USER
        and enterprise is not None
        and enterprise.kind in BUYER_KINDS
    )


@dataclass(frozen=True)
class ContractPolicy(Policy):
    """Parties see their contracts; governments see those touching their region."""

    def scope(self, queryset: models.QuerySet[Any], user: Any, action: str) -> Any:
        """Seller or buyer; origin or destination in region; approval by the county."""
        if not _active(user):
            return queryset.none()
        if _superuser(user):
            return queryset
        role = getattr(user, "role", None)
        if role == ENTERPRISE_USER:
            enterprise_id = getattr(user, "enterprise_id", None)
            if enterprise_id is None or action not in (VIEW, ADD, CHANGE):
                return queryset.none()
            return queryset.filter(Q(seller_id=enterprise_id) | Q(buyer_id=enterprise_id))
        path = _region_path(user)
        if role not in GOVERNMENT_ROLES or path is None:
            return queryset.none()
        if action == VIEW:
            return queryset.filter(
                Q(origin_site__region__path__startswith=path)
                | Q(destination_site__region__path__startswith=path)
            )
        if action in (APPROVE, ADD, CHANGE) and role in (COUNTY_OPERATOR, PROVINCE_OFFICE):
            return queryset.filter(region__path__startswith=path)
        if action == OVERRIDE and role == PROVINCE_OFFICE:
            return queryset.filter(region__path__startswith=path)
        return queryset.none()


@dataclass(frozen=True)
class ListingPolicy(Policy):
    """Sellers see theirs; buyers see open listings; governments those of their mines."""

    def scope(self, queryset: models.QuerySet[Any], user: Any, action: str) -> Any:
        """Own listings for the seller, open ones for buyers, by mine region for governments."""
        if not _active(user):
            return queryset.none()
        if _superuser(user):
            return queryset
        role = getattr(user, "role", None)
        if role == ENTERPRISE_USER:
            enterprise_id = getattr(user, "enterprise_id", None)
            if enterprise_id is None:
                return queryset.none()
            own = Q(seller_id=enterprise_id)
            if action == VIEW:
                if is_buyer(user):
                    return queryset.filter(own | Q(status=ListingStatus.OPEN))
                return queryset.filter(own)
            if action == BID and is_buyer(user):
                return queryset.filter(status=ListingStatus.OPEN).exclude(own)
            if action in (ADD, CHANGE):
                return queryset.filter(own)
            return queryset.none()
        path = _region_path(user)
        if role in GOVERNMENT_ROLES and path is not None and action == VIEW:
            return queryset.filter(site__region__path__startswith=path)
        return queryset.none()


@dataclass(frozen=True)
class BidPolicy(Policy):
    """Bidders see their bids, sellers every bid on their listings, governments by region."""

    def scope(self, queryset: models.QuerySet[Any], user: Any, action: str) -> Any:
        """The bidder withdraws, the seller accepts or declines."""
        if not _active(user):
            return queryset.none()
        if _superuser(user):
            return queryset
        role = getattr(user, "role", None)
        if role == ENTERPRISE_USER:
            enterprise_id = getattr(user, "enterprise_id", None)
            if enterprise_id is None:
                return queryset.none()
            mine, sellers = Q(bidder_id=enterprise_id), Q(listing__seller_id=enterprise_id)
            if action == VIEW:
                return queryset.filter(mine | sellers)
            if action == ACCEPT:
                return queryset.filter(sellers)
            if action == WITHDRAW:
                return queryset.filter(mine)
            return queryset.none()
        path = _region_path(user)
        if role in GOVERNMENT_ROLES and path is not None and action == VIEW:
            return queryset.filter(listing__site__region__path__startswith=path)
        return queryset.none()


@dataclass(frozen=True)
class NotificationPolicy(Policy):
    """A person's own notifications and those of their enterprise."""

    def scope(self, queryset: models.QuerySet[Any], user: Any, action: str) -> Any:
        """Addressed to the user, or to the user's enterprise."""
        if not _active(user):
            return queryset.none()
        mine = Q(recipient_user_id=user.pk)
        enterprise_id = getattr(user, "enterprise_id", None)
        if enterprise_id is not None and getattr(user, "role", None) == ENTERPRISE_USER:
            mine |= Q(recipient_enterprise_id=enterprise_id)
        return queryset.filter(mine)


register(Contract, ContractPolicy())
register(Listing, ListingPolicy())
register(Bid, BidPolicy())
register(Notification, NotificationPolicy())
register(
    FloorPrice,
    ConfigurationPolicy(roles={VIEW: ALL_ROLES, ADD: {PROVINCE_OFFICE}, CHANGE: {PROVINCE_OFFICE}}),
)

# Alerts and tickets name a contract by its number.
register_reference("contract", ReferenceKind(_("Contract"), Contract, "number"))
