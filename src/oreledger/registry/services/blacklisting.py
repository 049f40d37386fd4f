"""Blacklisting a truck, and how a county's blacklisting reaches every county.

On a standalone platform or the hub a blacklisting is the vehicle's status, as ever (the
hub's province register goes down to the nodes with it). On a county node only the owner
changes a record, so a county also keeps its own blacklisting of the plate
(`VehicleBlacklisting`, owned by the node): it goes up with the node's changes and the hub
passes it on to every other county (`federation.services.relay`), where it bars the plate at
the weighbridge and on waybills though the vehicle record is not theirs to change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region
from oreledger.core.permissions import CHANGE
from oreledger.registry.choices import VehicleStatus
from oreledger.registry.errors import field_error
from oreledger.registry.models import Vehicle, VehicleBlacklisting
from oreledger.registry.services._common import (
    _fresh,
    _require_reason,
    _require_role,
    _save,
)

NOTHING_TO_LIFT = _(
    "Vehicle %(value)s is blacklisted by the province or another county: only they can lift it."
)


def _on_node() -> bool:
    return bool(settings.OL_NODE_ROLE == "node")


def blacklist_vehicle(*, actor: Any, vehicle: Vehicle, reason: str) -> Vehicle:
    """Bar a truck from hauling; the reason is kept on the vehicle (or, for a vehicle a county
    node does not own, on its county blacklisting) and in the history."""
    _require_role(actor, CHANGE, Vehicle)
    reason = _require_reason(reason)
    with transaction.atomic():
        vehicle, before = _fresh(vehicle)
        if _on_node():
            _keep_county_blacklisting(actor, vehicle.plate, reason, in_force=True)
            if vehicle.owner_node != settings.OL_NODE_CODE:
                return vehicle
        vehicle.status = VehicleStatus.BLACKLISTED
        vehicle.blacklist_reason = reason[:300]
        return _save(vehicle, actor=actor, before=before, reason=reason)


def reinstate_vehicle(*, actor: Any, vehicle: Vehicle, reason: str) -> Vehicle:
    """Lift a blacklisting (on a node: its own; the province's or another county's stay)."""
    _require_role(actor, CHANGE, Vehicle)
    reason = _require_reason(reason)
    with transaction.atomic():
        vehicle, before = _fresh(vehicle)
        if _on_node():
            lifted = _keep_county_blacklisting(actor, vehicle.plate, reason, in_force=False)
            if vehicle.owner_node != settings.OL_NODE_CODE:
                if not lifted:
                    raise field_error("reason", NOTHING_TO_LIFT, "not_blacklisted_here",
                                      value=vehicle.plate)  # fmt: skip
                return vehicle
        vehicle.status = VehicleStatus.REGISTERED
        vehicle.blacklist_reason = ""
        return _save(vehicle, actor=actor, before=before, reason=reason)


def _keep_county_blacklisting(actor: Any, plate: str, reason: str, *, in_force: bool) -> bool:
    """Put the node's own blacklisting of the plate in or out of force (locked after the
    vehicle); returns whether it changed."""
    own = (
        VehicleBlacklisting.objects.select_for_update()
        .filter(owner_node=settings.OL_NODE_CODE, plate=plate)
        .first()
    )
    if own is None and not in_force:
        return False
    if own is None:
        county = Region.objects.get(code=settings.OL_NODE_CODE)
        own = VehicleBlacklisting(plate=plate, region=county, reason=reason[:300])
        _save(own, actor=actor, before=None, reason=reason)
        return True
    own, before = _fresh(own)
    if own.in_force == in_force and not in_force:
        return False
    own.in_force = in_force
    if in_force:
        own.reason = reason[:300]
    _save(own, actor=actor, before=before, reason=reason)
    return True
