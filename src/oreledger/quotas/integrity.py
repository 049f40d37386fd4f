"""Checks of the ledger against its own records: sums, hash chains, parent/children totals,
reversals against what they reverse; and, through `register_cross_check`, against the records
of other apps (weighing checks each consumption against its ticket).

Reads only, in streaming passes, so it also runs on a production-sized ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, Sum

from oreledger.core import checkpoints
from oreledger.quotas.choices import ALLOCATION_KINDS, CONSUMPTION_KINDS, EntryKind
from oreledger.quotas.ledger import hash_of
from oreledger.quotas.models import LedgerEntry, QuotaAccount, within_allocation


@dataclass(frozen=True)
class Discrepancy:
    """One thing in the ledger that does not add up."""

    account_id: int | None
    code: str
    detail: str
    # The first entry concerned (its seq in the account), when the discrepancy has one.
    entry: int | None = None

    def __str__(self) -> str:
        where = "ledger" if self.account_id is None else f"account {self.account_id}"
        return f"{where}: {self.code}: {self.detail}"


# Checks of the ledger against other apps' records, registered by those apps (the ledger
# cannot import them: they draw from it).
_CROSS_CHECKS: list[Callable[[], Iterable[Discrepancy]]] = []


def register_cross_check(check: Callable[[], Iterable[Discrepancy]]) -> None:
    """Have `verify_ledger` also run `check` (another app's records against the ledger)."""
    if check not in _CROSS_CHECKS:
        _CROSS_CHECKS.append(check)


@dataclass
class _Totals:
    allocated: int = 0
    consumed: int = 0
    count: int = 0
    prev_hash: str = ""
    last_hash: str = ""
    keyed: bool = False


def _chain(discrepancies: list[Discrepancy]) -> dict[int, _Totals]:
    totals: dict[int, _Totals] = defaultdict(_Totals)
    allocation, consumption = set(ALLOCATION_KINDS), set(CONSUMPTION_KINDS)
    own = settings.OL_NODE_CODE
    entries = LedgerEntry.objects.order_by("account_id", "seq").iterator(chunk_size=5000)
    for entry in entries:
        sums = totals[entry.account_id]
        sums.count += 1
        where = f"entry #{entry.seq}"
        if entry.seq != sums.count:
            discrepancies.append(
                Discrepancy(
                    entry.account_id,
                    "seq_gap",
                    f"{where} where #{sums.count} was due",
                    entry=entry.seq,
                )
            )
            sums.count = entry.seq
        if entry.prev_hash != sums.last_hash:
            discrepancies.append(
                Discrepancy(
                    entry.account_id,
                    "chain_broken",
                    f"{where} does not follow its predecessor",
                    entry=entry.seq,
                )
            )
        # An entry received from another platform (federation) carries that platform's keyed
        # hash, over its local ids and under its key: this platform cannot recompute it, so it
        # checks the entry's place in the chain (seq, prev_hash) and the sums, not the HMAC.
        if entry.owner_node == own and hash_of(entry) != entry.hash:
            discrepancies.append(
                Discrepancy(
                    entry.account_id,
                    "hash_mismatch",
                    f"{where} was altered after writing",
                    entry=entry.seq,
                )
            )
        if entry.keyed:
            sums.keyed = True
        elif sums.keyed:
            # Only entries from before the ledger was keyed may carry a plain SHA-256.
            discrepancies.append(
                Discrepancy(
                    entry.account_id,
                    "hash_downgraded",
                    f"{where} carries an unkeyed hash after keyed entries",
                    entry=entry.seq,
                )
            )
        sums.prev_hash, sums.last_hash = entry.prev_hash, entry.hash
        if entry.kind in allocation:
            sums.allocated += entry.amount_kg
        elif entry.kind in consumption:
            sums.consumed += entry.amount_kg
    return totals


def _compare(account: QuotaAccount, sums: _Totals) -> Iterator[Discrepancy]:
    pairs = (
        ("allocated_mismatch", account.allocated_kg, sums.allocated),
        ("consumed_mismatch", account.consumed_kg, sums.consumed),
        ("entry_count_mismatch", account.entry_count, sums.count),
    )
    for code, cached, derived in pairs:
        if cached != derived:
            yield Discrepancy(account.pk, code, f"cached {cached}, entries sum to {derived}")
    if account.last_hash != sums.last_hash or account.prev_hash != sums.prev_hash:
        yield Discrepancy(account.pk, "last_hash_mismatch", "the account's chain head differs")
    if not within_allocation(
        allocated_kg=account.allocated_kg,
        consumed_kg=account.consumed_kg,
        tolerance_kg=account.tolerance_kg,
    ):
        yield Discrepancy(
            account.pk,
            "overdrawn",
            f"consumed {account.consumed_kg} > allocated {account.allocated_kg}"
            f" + tolerance {account.tolerance_kg}",
        )


CHAIN = "quota_accounts"


def account_heads() -> checkpoints.Heads:
    """Each account's chain head, for the daily checkpoint: entries in it and the last hash."""
    rows = QuotaAccount.objects.values_list("pk", "entry_count", "last_hash").order_by("pk")
    return {str(pk): (count, head) for pk, count, head in rows.iterator(chunk_size=5000)}


def hashes_at(wanted: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """Each account's hash stored now at each entry number asked for (absent where shorter)."""
    found: dict[str, dict[int, str]] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), 500):
        where = Q(pk__in=[])
        for key in keys[start : start + 500]:
            where |= Q(account_id=int(key), seq__in=sorted(wanted[key]))
        rows = LedgerEntry.objects.filter(where).values_list("account_id", "seq", "hash")
        for account_id, seq, hash_ in rows:
            found.setdefault(str(account_id), {})[seq] = hash_
    return found


def _checkpointed() -> Iterator[Discrepancy]:
    """Each account whose chain departs from a head signed in a checkpoint."""
    for departure in checkpoints.compare(CHAIN, hashes_at):
        yield Discrepancy(
            int(departure.key), "checkpoint_mismatch", departure.detail, entry=departure.entry
        )


def _reversals() -> Iterator[Discrepancy]:
    """Each reversal gives back exactly the consumption it names, on the same account."""
    wrong = (
        LedgerEntry.objects.filter(kind=EntryKind.REVERSE)
        .filter(
            Q(reverses__isnull=True)
            | ~Q(reverses__kind=EntryKind.CONSUME)
            | ~Q(reverses__account_id=F("account_id"))
            | ~Q(amount_kg=-F("reverses__amount_kg"))
        )
        .values_list("account_id", "seq", "amount_kg", "reverses__seq", "reverses__amount_kg")
        .order_by("account_id", "seq")
    )
    for account_id, seq, amount, reversed_seq, reversed_amount in wrong.iterator():
        yield Discrepancy(
            account_id,
            "reversal_mismatch",
            f"entry #{seq} gives back {-amount} kg, but entry #{reversed_seq} drew"
            f" {reversed_amount} kg",
            entry=seq,
        )


def verify_ledger() -> list[Discrepancy]:
    """Every discrepancy in the ledger; an empty list means it is sound."""
    discrepancies: list[Discrepancy] = []
    totals = _chain(discrepancies)
    children = dict(
        QuotaAccount.objects.filter(parent__isnull=False)
        .values_list("parent_id")
        .annotate(total=Sum("allocated_kg"))
        .values_list("parent_id", "total")
    )
    accounts = QuotaAccount.objects.order_by("pk").iterator(chunk_size=5000)
    for account in accounts:
        discrepancies.extend(_compare(account, totals.pop(account.pk, _Totals())))
        given = children.get(account.pk, 0) or 0
        if account.allocated_to_children_kg != given:
            discrepancies.append(
                Discrepancy(
                    account.pk,
                    "children_total_mismatch",
                    f"cached {account.allocated_to_children_kg}, children hold {given}",
                )
            )
        if given > account.allocated_kg:
            discrepancies.append(
                Discrepancy(
                    account.pk,
                    "children_over_parent",
                    f"children hold {given} > allocated {account.allocated_kg}",
                )
            )
    for account_id in sorted(totals):
        discrepancies.append(Discrepancy(account_id, "orphan_entries", "entries of no account"))
    discrepancies.extend(_reversals())
    discrepancies.extend(_checkpointed())
    for check in _CROSS_CHECKS:
        discrepancies.extend(check())
    return discrepancies
