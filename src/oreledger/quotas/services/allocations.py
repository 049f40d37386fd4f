"""Allocations down the tree province → county → mine, and a mine's tolerance.

Invariants (docs/ARCHITECTURE.md): consumed ≤ allocated + tolerance (`models.within_allocation`);
children's allocations never exceed the parent's. Every writer locks accounts in the fixed order
of `ledger.lock_accounts`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oreledger.accounts.models import Region
from oreledger.core.audit import announce_changes, record_change, snapshot
from oreledger.core.localtime import local_year
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import CHANGE
from oreledger.quotas.choices import (
    AccountLevel,
    EntryKind,
    PeriodStatus,
)
from oreledger.quotas.errors import refuse, tonnes
from oreledger.quotas.ledger import (
    build_entry,
    lock_accounts,
    move,
)
from oreledger.quotas.models import (
    LedgerEntry,
    Mineral,
    QuotaAccount,
    QuotaPeriod,
    within_allocation,
)
from oreledger.quotas.services._common import authorise, get_mineral, get_period
from oreledger.registry.models import Site

DEFAULT_MINERAL = "magnesite"


def ancestor(region: Region, level: str) -> Region | None:
    """The region itself or its ancestor at `level` (by the materialised path)."""
    if region.level == level:
        return region
    codes = [code for code in region.path.strip("/").split("/") if code]
    return Region.objects.filter(code__in=codes, level=level).first()


@dataclass(frozen=True)
class HolderSpec:
    """Where a holder sits in the quota tree."""

    level: str
    region: Region
    holder_region: Region | None
    holder_site: Site | None
    parent_region: Region | None


def holder_spec(holder: Region | Site) -> HolderSpec:
    """The account shape of a province, a county or a mine; anything else is refused."""
    if isinstance(holder, Site):
        county = ancestor(holder.region, "county") if holder.kind == "mine" else None
        if county is None:
            raise refuse("holder_not_allocatable")
        return HolderSpec(AccountLevel.MINE, holder.region, None, holder, county)
    if holder.level == "province":
        return HolderSpec(AccountLevel.PROVINCE, holder, holder, None, None)
    if holder.level == "county":
        return HolderSpec(AccountLevel.COUNTY, holder, holder, None, ancestor(holder, "province"))
    raise refuse("holder_not_allocatable")


def account_of(*, period: QuotaPeriod, mineral: Mineral, holder: Region | Site) -> Any:
    """The holder's account for the period and mineral, or None."""
    accounts = QuotaAccount.objects.filter(period=period, mineral=mineral)
    if isinstance(holder, Site):
        return accounts.filter(holder_site=holder).first()
    return accounts.filter(holder_region=holder).first()


def mine_account(
    *, site: Site, at: datetime.datetime, mineral: str = DEFAULT_MINERAL
) -> QuotaAccount | None:
    """The mine's account for the year of `at` (what a mine-exit weighing draws on)."""
    return (
        QuotaAccount.objects.filter(
            holder_site=site, period__year=local_year(at), mineral__code=mineral
        )
        .select_related("period", "mineral")
        .first()
    )


def _ensure_account(
    period: QuotaPeriod, mineral: Mineral, spec: HolderSpec, parent: QuotaAccount | None
) -> QuotaAccount:
    lookup: dict[str, Any] = {"period": period, "mineral": mineral}
    if spec.holder_site is not None:
        lookup["holder_site"] = spec.holder_site
    else:
        lookup["holder_region"] = spec.holder_region
    account, _created = QuotaAccount.objects.get_or_create(
        **lookup, defaults={"level": spec.level, "region": spec.region, "parent": parent}
    )
    return account


def _parent_account(period: QuotaPeriod, mineral: Mineral, spec: HolderSpec) -> Any:
    if spec.parent_region is None:
        return None
    parent = account_of(period=period, mineral=mineral, holder=spec.parent_region)
    if parent is None:
        raise refuse("parent_account_missing", parent=spec.parent_region.name, year=period.year)
    return parent


def allocate_quota(
    *,
    actor: Any,
    period: int,
    mineral: str,
    holder: Region | Site,
    allocated_kg: int,
    reason: str = "",
) -> QuotaAccount:
    """Set a holder's allocation (the province's annual total, a county's or a mine's)."""
    return allocate_children(
        actor=actor,
        period=period,
        mineral=mineral,
        allocations=[(holder, allocated_kg)],
        reason=reason,
    )[0]


def allocate_children(
    *,
    actor: Any,
    period: int,
    mineral: str,
    allocations: Sequence[tuple[Region | Site, int]],
    reason: str = "",
    kind: str = EntryKind.ALLOCATE,
) -> list[QuotaAccount]:
    """Set the allocations of several children of one parent at once, all or nothing.

    The sum of the parent's children after the change must not exceed its allocation; a
    holder's allocation never drops below what it passed on or what it consumed.
    """
    if not allocations:
        return []
    for _holder, kg in allocations:
        if kg < 0:
            raise refuse("amount_negative")
    period_obj = get_period(period)
    if period_obj.status == PeriodStatus.CLOSED:
        raise refuse("period_closed", year=period)
    mineral_obj = get_mineral(mineral)
    specs = [(holder_spec(holder), kg) for holder, kg in allocations]
    parent_regions = {spec.parent_region.pk if spec.parent_region else None for spec, _ in specs}
    if len(parent_regions) != 1:
        raise refuse("holder_outside_parent", holder=specs[-1][0].region.name, parent="—")
    now = timezone.now()
    with transaction.atomic():
        parent = _parent_account(period_obj, mineral_obj, specs[0][0])
        if parent is not None:
            authorise(actor, parent, CHANGE)
        children = [(_ensure_account(period_obj, mineral_obj, s, parent), kg) for s, kg in specs]
        if parent is None:
            for child, _kg in children:
                authorise(actor, child, CHANGE)
        ids = [child.pk for child, _ in children] + ([parent.pk] if parent else [])
        locked = lock_accounts(ids)
        targets = {locked[child.pk].pk: kg for child, kg in children}
        for account_id, kg in targets.items():
            account = locked[account_id]
            if kg < account.allocated_to_children_kg:
                raise refuse(
                    "below_children_allocation", allocated=tonnes(account.allocated_to_children_kg)
                )
            if not within_allocation(
                allocated_kg=kg,
                consumed_kg=account.consumed_kg,
                tolerance_kg=account.tolerance_kg,
            ):
                raise refuse("below_consumption", consumed=tonnes(account.consumed_kg))
        delta_total = sum(kg - locked[pk].allocated_kg for pk, kg in targets.items())
        if parent is not None:
            head = locked[parent.pk]
            requested = head.allocated_to_children_kg + delta_total
            if requested > head.allocated_kg:
                raise refuse(
                    "over_parent_allocation",
                    requested=tonnes(requested),
                    parent=head.holder_label,
                    available=tonnes(head.allocated_kg),
                )
        entries = []
        for account_id in sorted(targets):
            delta = targets[account_id] - locked[account_id].allocated_kg
            if delta:
                entry = move(
                    account_id,
                    kind=kind,
                    amount_kg=delta,
                    field="allocated_kg",
                    at=now,
                    created_at=now,
                    actor=actor,
                    reason=reason,
                )
                entries.append(entry)
        if parent is not None and delta_total:
            QuotaAccount.objects.filter(pk=parent.pk).update(
                allocated_to_children_kg=F("allocated_to_children_kg") + delta_total
            )
        _announce_allocation([*targets, *([parent.pk] if parent is not None else [])])
        announce_changes(entries, ObjectChange.Action.CREATE)
        return list(QuotaAccount.objects.filter(pk__in=targets).order_by("pk"))


def _announce_allocation(account_ids: list[int]) -> None:
    """A new version of each account this platform owns that the allocation changed, for the
    federation outbox, announced before the entries on them (a new account reaches the other
    side before its first entry; its balances do not travel, they are sums of its entries).
    Accounts another platform owns keep their version: only their owner's changes count."""
    own = QuotaAccount.objects.filter(pk__in=account_ids, owner_node=settings.OL_NODE_CODE)
    own.update(version=F("version") + 1)
    announce_changes(list(own.order_by("pk")), ObjectChange.Action.UPDATE)


def set_tolerance(
    *, actor: Any, account: QuotaAccount, tolerance_kg: int, reason: str
) -> QuotaAccount:
    """Set how far a mine may draw beyond its allocation (docs/reference/rules.md default 0 t)."""
    if tolerance_kg < 0:
        raise refuse("amount_negative")
    if not reason.strip():
        raise refuse("reason_required")
    authorise(actor, account.parent or account, CHANGE)
    with transaction.atomic():
        locked = lock_accounts([account.pk])[account.pk]
        before = snapshot(locked)
        if not within_allocation(
            allocated_kg=locked.allocated_kg,
            consumed_kg=locked.consumed_kg,
            tolerance_kg=tolerance_kg,
        ):
            raise refuse("below_consumption", consumed=tonnes(locked.consumed_kg))
        # A new version of the account, so the tolerance travels like any change of it.
        QuotaAccount.objects.filter(pk=account.pk).update(
            tolerance_kg=tolerance_kg, version=F("version") + 1
        )
        locked.refresh_from_db()
        record_change(
            actor=actor, obj=locked, action=ObjectChange.Action.UPDATE, before=before, reason=reason
        )
    return locked


# (year, mineral code, holder code): a row of the province workbook's quotas sheet.
AllocationKey = tuple[int, str, str]
IMPORT_REASON = "province bundle import"


@dataclass
class ImportedAllocations:
    """What a bulk import of allocations did: accounts created, allocations changed or kept."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_allocations(
    *, actor: Any, allocations: Mapping[AllocationKey, int], reason: str = IMPORT_REASON
) -> ImportedAllocations:
    """Set many holders' allocations at once (a province workbook), all or nothing.

    Missing periods and accounts are created top-down; each changed allocation gets one entry
    (allocate for a new account, adjust afterwards). Holder codes were checked by the caller;
    the tree's rules are checked here on the locked final state.
    """
    outcome = ImportedAllocations()
    years = {key[0] for key in allocations}
    closed = (
        QuotaPeriod.objects.filter(year__in=years, status=PeriodStatus.CLOSED)
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )
    if closed is not None:
        raise refuse("period_closed", year=closed)
    mineral_codes = {key[1] for key in allocations}
    with transaction.atomic():
        periods = {year: QuotaPeriod.objects.get_or_create(year=year)[0] for year in years}
        minerals = {m.code: m for m in Mineral.objects.filter(code__in=mineral_codes)}
        sites = {
            s.code: s
            for s in Site.objects.filter(code__in={k[2] for k in allocations}).select_related(
                "region"
            )
        }
        regions = {r.code: r for r in Region.objects.filter(level__in=("province", "county"))}
        accounts = _accounts_by_key(years, mineral_codes)
        for level in (AccountLevel.PROVINCE, AccountLevel.COUNTY, AccountLevel.MINE):
            fresh = [
                _new_account(key, level, periods, minerals, sites, regions, accounts)
                for key in sorted(allocations)
                if key not in accounts and _level(key[2], sites, regions) == level
            ]
            QuotaAccount.objects.bulk_create(fresh)
            for account in fresh:
                accounts[(account.period.year, account.mineral.code, account.holder_code)] = account
            outcome.created += len(fresh)
        entries = _write_allocations(actor, reason, allocations, accounts, outcome)
        # Top-down (a county's account refers to the province's): the order they were made.
        _announce_allocation([accounts[key].pk for key in allocations if key in accounts])
        announce_changes(entries, ObjectChange.Action.CREATE)
    return outcome


def _accounts_by_key(years: set[int], minerals: set[str]) -> dict[AllocationKey, QuotaAccount]:
    found = QuotaAccount.objects.filter(
        period__year__in=years, mineral__code__in=minerals
    ).select_related("period", "mineral", "holder_region", "holder_site")
    return {(a.period.year, a.mineral.code, a.holder_code): a for a in found}


def _level(code: str, sites: dict[str, Site], regions: dict[str, Region]) -> str:
    if code in sites:
        return AccountLevel.MINE
    return AccountLevel.PROVINCE if regions[code].level == "province" else AccountLevel.COUNTY


def _new_account(
    key: AllocationKey,
    level: str,
    periods: dict[int, QuotaPeriod],
    minerals: dict[str, Mineral],
    sites: dict[str, Site],
    regions: dict[str, Region],
    accounts: dict[AllocationKey, QuotaAccount],
) -> QuotaAccount:
    year, mineral, code = key
    account = QuotaAccount(period=periods[year], mineral=minerals[mineral], level=level)
    if level == AccountLevel.MINE:
        site = sites[code]
        account.holder_site, account.region = site, site.region
        parent_level = "county"
        path = site.region.path
    else:
        account.holder_region = account.region = regions[code]
        parent_level = "province"
        path = regions[code].path
    if level != AccountLevel.PROVINCE:
        parent_code = next(
            c
            for c in path.strip("/").split("/")
            if c in regions and regions[c].level == parent_level
        )
        account.parent = accounts[(year, mineral, parent_code)]
    return account


def _write_allocations(
    actor: Any,
    reason: str,
    allocations: Mapping[AllocationKey, int],
    accounts: dict[AllocationKey, QuotaAccount],
    outcome: ImportedAllocations,
) -> list[LedgerEntry]:
    """Lock the trees, chain one entry per changed allocation, check, then write in bulk;
    returns the entries written."""
    locked = lock_accounts(a.pk for a in accounts.values())
    now = timezone.now()
    entries, changed = [], set()
    for key in sorted(allocations):
        account = locked[accounts[key].pk]
        kg = allocations[key]
        delta = kg - account.allocated_kg
        if not delta:
            outcome.unchanged += 1
            continue
        kind = EntryKind.ALLOCATE if account.entry_count == 0 else EntryKind.ADJUST
        entry = build_entry(
            account_id=account.pk,
            owner_node=account.owner_node,
            seq=account.entry_count + 1,
            prev_hash=account.last_hash,
            kind=kind,
            amount_kg=delta,
            at=now,
            created_at=now,
            actor=actor or "bundle import",
            reason=reason,
        )
        entries.append(entry)
        account.entry_count, account.allocated_kg = entry.seq, kg
        account.prev_hash, account.last_hash = entry.prev_hash, entry.hash
        changed.add(account.pk)
        if kind == EntryKind.ADJUST:
            outcome.updated += 1
    given: dict[int, int] = defaultdict(int)
    for account in locked.values():
        if account.parent_id:
            given[account.parent_id] += account.allocated_kg
    for account in locked.values():
        if account.allocated_to_children_kg != given[account.pk]:
            account.allocated_to_children_kg = given[account.pk]
            changed.add(account.pk)
        if given[account.pk] > account.allocated_kg:
            raise refuse(
                "over_parent_allocation",
                requested=tonnes(given[account.pk]),
                parent=account.holder_code,
                available=tonnes(account.allocated_kg),
            )
        if not within_allocation(
            allocated_kg=account.allocated_kg,
            consumed_kg=account.consumed_kg,
            tolerance_kg=account.tolerance_kg,
        ):
            raise refuse("below_consumption", consumed=tonnes(account.consumed_kg))
    LedgerEntry.objects.bulk_create(entries, batch_size=1000)
    QuotaAccount.objects.bulk_update(
        [locked[pk] for pk in sorted(changed)],
        ["allocated_kg", "allocated_to_children_kg", "entry_count", "prev_hash", "last_hash"],
        batch_size=500,
    )
    return entries
