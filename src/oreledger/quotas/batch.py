"""A batch of draws on locked mine accounts, decided one by one and written at once.

A station's batch of exit tickets is recorded in one transaction (weighing's batch path).
Each draw is decided exactly as `draw_quota` decides it — against allocated + tolerance,
in order — but on the locked row held in memory; `write()` then inserts the batch's chained
entries and moves each account's balances with a single UPDATE. One UPDATE per account per
transaction also spares PostgreSQL the foreign-key re-checks it makes when a row already
changed in the same transaction changes again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from oreledger.core.prepared import insert, update
from oreledger.quotas.choices import EntryKind
from oreledger.quotas.ledger import build_entry, lock_accounts
from oreledger.quotas.models import LedgerEntry, QuotaAccount, within_allocation
from oreledger.quotas.services import WARNING_THRESHOLDS, DrawResult, crossed


class QuotaDraws:
    """The draws of one transaction on accounts locked up front (`lock`), written by `write`."""

    def __init__(self) -> None:
        self._accounts: dict[int, QuotaAccount] = {}
        self._entries: list[LedgerEntry] = []
        self._drawn: set[int] = set()

    def lock(self, account_ids: Iterable[int]) -> None:
        """Lock the accounts the batch may draw on, in the ledger's fixed order."""
        wanted = [pk for pk in account_ids if pk not in self._accounts]
        if self._drawn and wanted:
            # Locking after a draw could invert the fixed order against another batch.
            raise RuntimeError("lock every account before the first draw")
        self._accounts.update(lock_accounts(wanted))

    def fits(self, *, account: QuotaAccount, amount_kg: int) -> bool:
        """Whether the draw would be taken now."""
        held = self._accounts[account.pk]
        return held.frozen_at is None and within_allocation(
            allocated_kg=held.allocated_kg,
            consumed_kg=held.consumed_kg + amount_kg,
            tolerance_kg=held.tolerance_kg,
        )

    def draw(
        self,
        *,
        account: QuotaAccount,
        amount_kg: int,
        ref: str,
        at: datetime.datetime,
        actor: Any = "station",
        thresholds: Sequence[int] = WARNING_THRESHOLDS,
    ) -> DrawResult:
        """Decide one draw on a locked account; its entry is written by `write`."""
        if amount_kg <= 0:
            raise ValueError("amount_kg must be positive")
        held = self._accounts[account.pk]
        remaining = held.allocated_kg - held.consumed_kg
        if not self.fits(account=held, amount_kg=amount_kg):
            return DrawResult(
                ok=False,
                remaining_kg=remaining,
                code="quota_frozen" if held.frozen_at is not None else "quota_exhausted",
                allocated_kg=held.allocated_kg,
            )
        entry = build_entry(
            account_id=held.pk,
            owner_node=held.owner_node,
            seq=held.entry_count + 1,
            prev_hash=held.last_hash,
            kind=EntryKind.CONSUME,
            amount_kg=amount_kg,
            at=at,
            created_at=timezone.now(),
            actor=actor,
            ref=ref,
        )
        before = held.consumed_kg
        held.consumed_kg += amount_kg
        held.entry_count, held.prev_hash, held.last_hash = entry.seq, entry.prev_hash, entry.hash
        self._entries.append(entry)
        self._drawn.add(held.pk)
        return DrawResult(
            ok=True,
            remaining_kg=held.allocated_kg - held.consumed_kg,
            thresholds_crossed=crossed(before, held.consumed_kg, held.allocated_kg, thresholds),
            entry=entry,
            allocated_kg=held.allocated_kg,
        )

    def write(self) -> None:
        """Insert the entries (their ids are set on them) and move each drawn account once."""
        if not self._entries:
            return
        insert(self._entries)
        drawn = [self._accounts[pk] for pk in sorted(self._drawn)]
        update(drawn, ["consumed_kg", "entry_count", "prev_hash", "last_hash"])
        self._entries, self._drawn = [], set()
