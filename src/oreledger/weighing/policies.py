"""Who may see weighing records: by the station's or site's region, or one's own enterprise.

An enterprise sees waybills and tickets where it is the seller or the buyer, and the tickets
of its own weighbridges; a station device is not a user and sees nothing through here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.core.display import ReferenceKind, register_field_text, register_reference, term
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
    Policy,
    register,
)
from oreledger.weighing.models import (
    BlockingSet,
    StationState,
    Ticket,
    TicketConflict,
    TicketCorrection,
    TicketRejection,
    Waybill,
)

_OPERATORS = {PROVINCE_OFFICE, COUNTY_OPERATOR}


@dataclass(frozen=True)
class EitherSidePolicy(Policy):
    """Rows reached through any of several region paths, or any of several enterprises."""

    region_paths: tuple[str, ...]
    enterprises: tuple[str, ...]
    roles: dict[str, Collection[str]]

    def scope(self, queryset: models.QuerySet[Any], user: Any, action: str) -> Any:
        """Filter to rows under the user's region (any path) or of their enterprise."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        role = getattr(user, "role", None)
        if user.is_superuser or role == ADMIN:
            return queryset
        if role not in self.roles.get(action, ()):
            return queryset.none()
        condition = Q()
        if role == ENTERPRISE_USER:
            enterprise_id = getattr(user, "enterprise_id", None)
            if enterprise_id is None or not self.enterprises:
                return queryset.none()
            for lookup in self.enterprises:
                condition |= Q(**{lookup: enterprise_id})
        else:
            region = getattr(user, "region", None)
            if region is None:
                return queryset.none()
            for lookup in self.region_paths:
                condition |= Q(**{f"{lookup}__startswith": region.path})
        return queryset.filter(condition)


register(
    Waybill,
    EitherSidePolicy(
        region_paths=("region__path", "destination_site__region__path"),
        enterprises=("seller_id", "buyer_id"),
        roles={
            VIEW: ALL_ROLES,
            ADD: _OPERATORS | {ENTERPRISE_USER},
            CHANGE: _OPERATORS | {ENTERPRISE_USER},
        },
    ),
)
register(
    Ticket,
    EitherSidePolicy(
        region_paths=("region__path",),
        enterprises=("site__enterprise_id", "seller_id", "buyer_id"),
        roles={VIEW: ALL_ROLES},
    ),
)
for _model, _enterprises in (
    (TicketRejection, ("station__site__enterprise_id",)),
    (TicketConflict, ("station__site__enterprise_id",)),
    (StationState, ("station__site__enterprise_id",)),
):
    register(
        _model,
        EitherSidePolicy(
            region_paths=("station__region__path",),
            enterprises=_enterprises,
            roles={VIEW: ALL_ROLES},
        ),
    )
register(
    TicketCorrection,
    EitherSidePolicy(
        region_paths=("region__path",),
        enterprises=("ticket__site__enterprise_id",),
        roles={
            VIEW: ALL_ROLES,
            ADD: _OPERATORS | {ENTERPRISE_USER},
            APPROVE: _OPERATORS,
        },
    ),
)
register(
    BlockingSet,
    EitherSidePolicy(
        region_paths=("region__path",),
        enterprises=(),
        # A county operator sets the blocking set of their own county (and below it).
        roles={VIEW: GOVERNMENT_ROLES, CHANGE: _OPERATORS},
    ),
)


def _ticket_lookup(value: str) -> dict[str, Any] | None:
    """A ticket named as "station#seq" (alert references) or by its id (ledger references)."""
    code, sep, seq = value.rpartition("#")
    if sep:
        return {"station__code": code, "seq": int(seq)} if seq.isdigit() else None
    try:
        return {"pk": uuid.UUID(value)}
    except ValueError:
        return None


def _correction_lookup(value: str) -> dict[str, Any] | None:
    return {"pk": int(value)} if value.isdigit() else None


# How other records (alerts, ledger entries) name these: a waybill by number, a ticket by
# its station and seq or its id, a correction by its id.
register_reference("waybill", ReferenceKind(_("Waybill"), Waybill, "number"))
register_reference(
    "ticket",
    ReferenceKind(
        _("Ticket"), Ticket, "pk", lookup=_ticket_lookup,
        text=lambda t: f"{t.station.code} #{t.seq}",
    ),
)  # fmt: skip
register_reference(
    "correction",
    ReferenceKind(
        _("Ticket correction"), TicketCorrection, "pk", lookup=_correction_lookup,
        text=lambda c: f"{c.ticket.station.code} #{c.ticket.seq}",
        url=lambda c: c.ticket.get_absolute_url(),
    ),
)  # fmt: skip
# A blocking set's codes read in its history as the rules' names.
register_field_text(
    BlockingSet, "codes", lambda codes: "、".join(term("rule", code) for code in codes or [])
)
