"""The blocking set of a region: which findings hold a truck at the gate there (and below).

A region without its own set takes its nearest ancestor's, else the protocol's defaults
(`weighing.rules.blocking_codes`). The ledger codes (`rules.ALWAYS_BLOCKING`) are in every
set; a county operator sets their own county's, the province office any region's. The set
is reference data: its trigger (weighing 0003) makes every process read it afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from oreledger.accounts.models import Region
from oreledger.core.audit import ObjectChange, record_change, snapshot
from oreledger.core.permissions import ADMIN, CHANGE, VIEW, get_for_user, policy_for
from oreledger.weighing.choices import BLOCKABLE_CODES, DEFAULT_BLOCKING_CODES
from oreledger.weighing.errors import WeighingError
from oreledger.weighing.models import BlockingSet
from oreledger.weighing.rules import ALWAYS_BLOCKING

# The option the issue names: hold the truck when its plate cannot have driven here.
HOLD_ON_TRAVEL = "impossible_travel"


@dataclass(frozen=True)
class EffectiveBlocking:
    """A region's blocking codes as the gate applies them, and where they come from."""

    region: Region
    codes: tuple[str, ...]
    # The region whose set applies (the region itself, an ancestor), None for the defaults.
    source: Region | None
    own: BlockingSet | None

    def get_absolute_url(self) -> str:
        """The region's blocking set page."""
        return reverse("weighing:blocking_edit", args=[self.region.code])

    @property
    def holds_on_travel(self) -> bool:
        """Whether a truck whose plate cannot have driven here is held."""
        return HOLD_ON_TRAVEL in self.codes


def _ordered(codes: Iterable[str]) -> tuple[str, ...]:
    chosen = set(codes) | ALWAYS_BLOCKING
    return tuple(code for code in BLOCKABLE_CODES if code in chosen)


def effective_blocking(regions: list[Region]) -> list[EffectiveBlocking]:
    """Each region's applied blocking set, reading every set of their ancestors at once."""
    chains = {r.pk: [c for c in r.path.strip("/").split("/") if c] for r in regions}
    codes = {c for chain in chains.values() for c in chain}
    sets = {
        s.region.code: s
        for s in BlockingSet.objects.filter(region__code__in=codes).select_related("region")
    }
    found = []
    for region in regions:
        source = next((sets[c] for c in reversed(chains[region.pk]) if c in sets), None)
        applied = DEFAULT_BLOCKING_CODES if source is None else source.codes
        found.append(
            EffectiveBlocking(
                region,
                _ordered(applied),
                source.region if source is not None else None,
                sets.get(region.code),
            )
        )
    return found


def blocking_region(*, user: Any, code: str, action: str = VIEW) -> Region:
    """The region by its code: 404 outside the user's view, 403 if they may not set its set."""
    region = get_for_user(Region.objects.all(), user, VIEW, code=code)
    if action != VIEW and not may_set_blocking(user, region):
        raise PermissionDenied
    return region


def may_set_blocking(user: Any, region: Region) -> bool:
    """Whether the user may set the region's blocking set (BlockingSet's CHANGE roles).

    The region is one they may see, so it lies within theirs: a county operator sets their
    own county's set, never a neighbour's.
    """
    role = getattr(user, "role", None)
    if user.is_superuser or role == ADMIN:
        return True
    policy: Any = policy_for(BlockingSet)
    own = getattr(user, "region", None)
    return (
        role in policy.roles.get(CHANGE, ())
        and own is not None
        and region.path.startswith(own.path)
    )


def set_blocking_codes(*, actor: Any, region: Region, codes: Iterable[str]) -> BlockingSet:
    """Set the region's blocking set (the ledger codes are kept whatever is asked)."""
    wanted = set(codes)
    unknown = sorted(wanted - set(BLOCKABLE_CODES))
    if unknown:
        raise WeighingError("blocking_code_unknown", field="codes", value=unknown[0])
    dropped = sorted(ALWAYS_BLOCKING - wanted)
    if dropped:
        raise WeighingError("blocking_code_required", field="codes", value=dropped[0])
    with transaction.atomic():
        current = BlockingSet.objects.select_for_update().filter(region=region).first()
        ordered = list(_ordered(wanted))
        if current is None:
            current = BlockingSet.objects.create(region=region, codes=ordered, changed_by=actor)
            record_change(actor=actor, obj=current, action=ObjectChange.Action.CREATE)
            return current
        if list(current.codes) == ordered:
            return current
        before = snapshot(current)
        current.codes, current.changed_by = ordered, actor
        current.save(update_fields=["codes", "changed_by", "updated_at"])
        record_change(actor=actor, obj=current, action=ObjectChange.Action.UPDATE, before=before)
    return current
