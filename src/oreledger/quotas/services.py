"""Use cases of the quota ledger: periods, allocations, transfers, adjustments and draws.

Invariants (docs/ARCHITECTURE.md): consumed ≤ allocated + tolerance; children's allocations never
exceed the parent's; balances are sums of immutable, hash-chained entries. Every writer
locks accounts in the fixed order of `ledger.lock_accounts` or by a conditional UPDATE.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from oreledger.accounts.models import Region
from oreledger.core.audit import record_change, snapshot
from oreledger.core.localtime import local_year
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import APPROVE, CHANGE, VIEW
from oreledger.quotas.choices import (
    AccountLevel,
    ChangeKind,
    ChangeStatus,
    EntryKind,
    PeriodStatus,
)
from oreledger.quotas.errors import refuse, tonnes
from oreledger.quotas.ledger import chain_after_increment, lock_accounts, move, take_consumption
from oreledger.quotas.models import LedgerEntry, Mineral, QuotaAccount, QuotaChange, QuotaPeriod
from oreledger.registry.models import Site

DEFAULT_MINERAL = "magnesite"
# docs/reference/rules.md quota_warning: the shares of the allocation that raise a warning.
WARNING_THRESHOLDS = (80, 90, 100)


@dataclass(frozen=True)
class DrawResult:
    """The outcome of a draw: whether it was taken, what remains, which warnings it crossed."""

    ok: bool
    remaining_kg: int
    thresholds_crossed: list[int] = field(default_factory=list)
    entry: LedgerEntry | None = None
    # "quota_exhausted" when refused; empty when taken.
    code: str = ""
    # True when `ref` had been drawn already: nothing was drawn again.
    duplicate: bool = False
    # The account's allocation the draw was decided against (evidence for alerts).
    allocated_kg: int | None = None


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _authorise(actor: Any, account: QuotaAccount, action: str) -> None:
    """Refuse a person acting outside their jurisdiction (systems act everywhere)."""
    if not _is_person(actor):
        return
    if QuotaAccount.objects.for_user(actor, action).filter(pk=account.pk).exists():
        return
    visible = QuotaAccount.objects.for_user(actor, VIEW).filter(pk=account.pk).exists()
    raise refuse("not_allowed" if visible else "account_unknown")


def get_period(year: int) -> QuotaPeriod:
    """The quota period of `year`; refused with period_unknown when it was never opened."""
    period = QuotaPeriod.objects.filter(year=year).first()
    if period is None:
        raise refuse("period_unknown", year=year)
    return period


def get_mineral(code: str) -> Mineral:
    """The mineral by code; refused with mineral_unknown."""
    mineral = Mineral.objects.filter(code=code).first()
    if mineral is None:
        raise refuse("mineral_unknown", mineral=code)
    return mineral


def open_period(*, actor: Any, year: int) -> QuotaPeriod:
    """Open a quota year (idempotent)."""
    with transaction.atomic():
        period, created = QuotaPeriod.objects.get_or_create(year=year)
        if created:
            record_change(actor=actor, obj=period, action=ObjectChange.Action.CREATE)
    return period


def close_period(*, actor: Any, year: int) -> QuotaPeriod:
    """Close a quota year: no more allocations (draws follow the weighing date)."""
    with transaction.atomic():
        period = get_period(year)
        if period.status != PeriodStatus.CLOSED:
            before = snapshot(period)
            period.status = PeriodStatus.CLOSED
            period.save(update_fields=["status", "updated_at"])
            record_change(actor=actor, obj=period, action=ObjectChange.Action.UPDATE, before=before)
    return period


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
            _authorise(actor, parent, CHANGE)
        children = [(_ensure_account(period_obj, mineral_obj, s, parent), kg) for s, kg in specs]
        if parent is None:
            for child, _kg in children:
                _authorise(actor, child, CHANGE)
        ids = [child.pk for child, _ in children] + ([parent.pk] if parent else [])
        locked = lock_accounts(ids)
        targets = {locked[child.pk].pk: kg for child, kg in children}
        for account_id, kg in targets.items():
            account = locked[account_id]
            if kg < account.allocated_to_children_kg:
                raise refuse(
                    "below_children_allocation", allocated=tonnes(account.allocated_to_children_kg)
                )
            if kg + account.tolerance_kg < account.consumed_kg:
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
        for account_id in sorted(targets):
            delta = targets[account_id] - locked[account_id].allocated_kg
            if delta:
                move(
                    account_id,
                    kind=kind,
                    amount_kg=delta,
                    field="allocated_kg",
                    at=now,
                    created_at=now,
                    actor=actor,
                    reason=reason,
                )
        if parent is not None and delta_total:
            QuotaAccount.objects.filter(pk=parent.pk).update(
                allocated_to_children_kg=F("allocated_to_children_kg") + delta_total
            )
        return list(QuotaAccount.objects.filter(pk__in=targets).order_by("pk"))


def draw_quota(
    *,
    account: QuotaAccount,
    amount_kg: int,
    ref: str,
    at: datetime.datetime,
    actor: Any = None,
    thresholds: Sequence[int] = WARNING_THRESHOLDS,
) -> DrawResult:
    """Draw `amount_kg` from a mine's account, in the caller's transaction if there is one.

    One conditional UPDATE takes the row lock and moves the balance only if the draw fits
    within allocated + tolerance (`ledger.take_consumption`); it is atomic on its own. A
    resent `ref` returns the first draw (duplicate=True) and draws nothing.
    """
    if amount_kg <= 0:
        raise refuse("amount_not_positive")
    db = connections[DEFAULT_DB_ALIAS]
    postgresql = db.vendor == "postgresql"
    try:
        # One statement on PostgreSQL is atomic by itself; SQLite's two need a transaction.
        with nullcontext() if postgresql else transaction.atomic():
            taken = take_consumption(
                account.pk,
                amount_kg=amount_kg,
                ref=ref,
                at=at,
                created_at=timezone.now(),
                actor=actor if actor is not None else "station",
            )
    except IntegrityError:
        # The same ref drawn concurrently by another transaction: its draw stands. Inside a
        # caller's PostgreSQL transaction the failed statement has aborted that transaction,
        # which must then be retried as a whole (weighing's refs are unique per ticket).
        if postgresql and db.in_atomic_block:
            raise
        taken = None
    if taken is None:
        # Refused, unless this ref was drawn before (a resent ticket is not a new draw).
        earlier = _consumption(account.pk, ref)
        if earlier is not None:
            return _duplicate(earlier)
        state = QuotaAccount.objects.values("allocated_kg", "consumed_kg").get(pk=account.pk)
        return DrawResult(
            ok=False,
            remaining_kg=state["allocated_kg"] - state["consumed_kg"],
            code="quota_exhausted",
            allocated_kg=state["allocated_kg"],
        )
    allocated, consumed = taken.allocated_kg, taken.consumed_kg
    return DrawResult(
        ok=True,
        remaining_kg=allocated - consumed,
        thresholds_crossed=crossed(consumed - amount_kg, consumed, allocated, thresholds),
        entry=taken.entry,
        allocated_kg=allocated,
    )


def _consumption(account_id: int, ref: str) -> LedgerEntry | None:
    return (
        LedgerEntry.objects.filter(account_id=account_id, kind=EntryKind.CONSUME, ref=ref)
        .order_by()
        .first()
    )


def _duplicate(entry: LedgerEntry) -> DrawResult:
    state = QuotaAccount.objects.values("allocated_kg", "consumed_kg").get(pk=entry.account_id)
    return DrawResult(
        ok=True,
        remaining_kg=state["allocated_kg"] - state["consumed_kg"],
        entry=entry,
        duplicate=True,
    )


def crossed(before: int, after: int, allocated: int, thresholds: Sequence[int]) -> list[int]:
    """The warning thresholds (percent of allocated) passed going from before to after."""
    if allocated <= 0:
        return list(thresholds) if before <= 0 < after else []
    return [t for t in thresholds if before * 100 < t * allocated <= after * 100]


def reverse_draw(
    *, actor: Any, entry: LedgerEntry, reason: str, at: datetime.datetime | None = None
) -> LedgerEntry:
    """Give back a consumption (a corrected or voided ticket), inside the caller's transaction."""
    if entry.kind != EntryKind.CONSUME:
        raise refuse("not_a_consumption")
    if not reason.strip():
        raise refuse("reason_required")
    now = timezone.now()
    try:
        with transaction.atomic():
            QuotaAccount.objects.filter(pk=entry.account_id).update(
                consumed_kg=F("consumed_kg") - entry.amount_kg, entry_count=F("entry_count") + 1
            )
            reversal, _state = chain_after_increment(
                entry.account_id,
                kind=EntryKind.REVERSE,
                amount_kg=-entry.amount_kg,
                at=at or now,
                created_at=now,
                actor=actor,
                reason=reason,
                ref=entry.ref,
                reverses_id=entry.pk,
            )
    except IntegrityError:
        raise refuse("already_reversed") from None
    return reversal


def request_transfer(
    *, actor: Any, source: QuotaAccount, target: QuotaAccount, amount_kg: int, reason: str
) -> QuotaChange:
    """Ask to move quota from one mine to another of the same county (capacity replacement)."""
    if amount_kg <= 0:
        raise refuse("amount_not_positive")
    if source.pk == target.pk:
        raise refuse("transfer_same_account")
    if (
        source.level != AccountLevel.MINE
        or target.level != AccountLevel.MINE
        or source.parent_id != target.parent_id
    ):
        raise refuse("transfer_not_siblings")
    if not reason.strip():
        raise refuse("reason_required")
    assert source.parent is not None
    _authorise(actor, source.parent, CHANGE)
    if source.allocated_kg - amount_kg + source.tolerance_kg < source.consumed_kg:
        raise refuse("below_consumption", consumed=tonnes(source.consumed_kg))
    return _create_change(
        actor, kind=ChangeKind.TRANSFER, account=target, source=source, amount=amount_kg, why=reason
    )


def request_adjustment(
    *, actor: Any, account: QuotaAccount, amount_kg: int, reason: str
) -> QuotaChange:
    """Ask to correct an account's allocation by a signed amount, with a reason."""
    if amount_kg == 0:
        raise refuse("amount_not_positive")
    if not reason.strip():
        raise refuse("reason_required")
    _authorise(actor, account.parent or account, CHANGE)
    return _create_change(
        actor, kind=ChangeKind.ADJUST, account=account, source=None, amount=amount_kg, why=reason
    )


def _create_change(
    actor: Any,
    *,
    kind: str,
    account: QuotaAccount,
    source: QuotaAccount | None,
    amount: int,
    why: str,
) -> QuotaChange:
    with transaction.atomic():
        change = QuotaChange.objects.create(
            kind=kind,
            account=account,
            source=source,
            amount_kg=amount,
            reason=why[:500],
            requested_by=actor if _is_person(actor) else None,
        )
        record_change(actor=actor, obj=change, action=ObjectChange.Action.CREATE, reason=why)
    return change


def _decide(actor: Any, change: QuotaChange, status: str, note: str) -> None:
    authority = change.account.parent or change.account
    _authorise(actor, authority, APPROVE)
    if _is_person(actor) and change.requested_by_id == actor.pk:
        raise refuse("self_approval")
    decided = QuotaChange.objects.filter(pk=change.pk, status=ChangeStatus.PENDING).update(
        status=status,
        decided_by=actor if _is_person(actor) else None,
        decided_at=timezone.now(),
        decision_note=note[:500],
    )
    if not decided:
        raise refuse("change_decided")


def approve_change(*, actor: Any, change: QuotaChange, note: str = "") -> QuotaChange:
    """Approve a pending transfer or adjustment and write its entries."""
    now = timezone.now()
    with transaction.atomic():
        before = snapshot(change)
        _decide(actor, change, ChangeStatus.APPROVED, note)
        account = change.account
        ids = [account.pk] + [i for i in (change.source_id, account.parent_id) if i]
        locked = lock_accounts(ids)
        entry_fields = {"actor": actor, "reason": change.reason, "change_id": change.pk}
        target = locked[account.pk]
        if change.kind == ChangeKind.TRANSFER:
            assert change.source_id is not None
            source = locked[change.source_id]
            if source.allocated_kg - change.amount_kg + source.tolerance_kg < source.consumed_kg:
                raise refuse("below_consumption", consumed=tonnes(source.consumed_kg))
            for account_id, amount in sorted(
                [(source.pk, -change.amount_kg), (target.pk, change.amount_kg)]
            ):
                move(
                    account_id,
                    kind=EntryKind.TRANSFER,
                    amount_kg=amount,
                    field="allocated_kg",
                    at=now,
                    created_at=now,
                    **entry_fields,
                )
        else:
            new = target.allocated_kg + change.amount_kg
            if new < 0:
                raise refuse("amount_negative")
            if new < target.allocated_to_children_kg:
                raise refuse(
                    "below_children_allocation", allocated=tonnes(target.allocated_to_children_kg)
                )
            if new + target.tolerance_kg < target.consumed_kg:
                raise refuse("below_consumption", consumed=tonnes(target.consumed_kg))
            if account.parent_id:
                head = locked[account.parent_id]
                requested = head.allocated_to_children_kg + change.amount_kg
                if requested > head.allocated_kg:
                    raise refuse(
                        "over_parent_allocation",
                        requested=tonnes(requested),
                        parent=head.holder_label,
                        available=tonnes(head.allocated_kg),
                    )
                QuotaAccount.objects.filter(pk=head.pk).update(
                    allocated_to_children_kg=F("allocated_to_children_kg") + change.amount_kg
                )
            move(
                target.pk,
                kind=EntryKind.ADJUST,
                amount_kg=change.amount_kg,
                field="allocated_kg",
                at=now,
                created_at=now,
                **entry_fields,
            )
        change.refresh_from_db()
        record_change(actor=actor, obj=change, action=ObjectChange.Action.UPDATE, before=before)
    return change


def reject_change(*, actor: Any, change: QuotaChange, note: str) -> QuotaChange:
    """Refuse a pending transfer or adjustment; nothing moves."""
    if not note.strip():
        raise refuse("reason_required")
    with transaction.atomic():
        before = snapshot(change)
        _decide(actor, change, ChangeStatus.REJECTED, note)
        change.refresh_from_db()
        record_change(actor=actor, obj=change, action=ObjectChange.Action.UPDATE, before=before)
    return change


def set_tolerance(
    *, actor: Any, account: QuotaAccount, tolerance_kg: int, reason: str
) -> QuotaAccount:
    """Set how far a mine may draw beyond its allocation (docs/reference/rules.md default 0 t)."""
    if tolerance_kg < 0:
        raise refuse("amount_negative")
    if not reason.strip():
        raise refuse("reason_required")
    _authorise(actor, account.parent or account, CHANGE)
    with transaction.atomic():
        locked = lock_accounts([account.pk])[account.pk]
        before = snapshot(locked)
        if locked.allocated_kg + tolerance_kg < locked.consumed_kg:
            raise refuse("below_consumption", consumed=tonnes(locked.consumed_kg))
        QuotaAccount.objects.filter(pk=account.pk).update(tolerance_kg=tolerance_kg)
        locked.refresh_from_db()
        record_change(
            actor=actor, obj=locked, action=ObjectChange.Action.UPDATE, before=before, reason=reason
        )
    return locked
