"""After a batch is applied: the columns no change carries (`records.DERIVED`) recomputed for
the records the batch touched, from the records they derive from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oreledger.quotas.ledger import recompute_balances
from oreledger.quotas.models import QuotaAccount


def touched_accounts(changes: Sequence[dict[str, Any]]) -> set[str]:
    """UUIDs of the quota accounts the changes name: the accounts themselves, and the account
    of each ledger entry."""
    found = set()
    for change in changes:
        if change["model"] == "quotas.quotaaccount":
            found.add(str(change["uuid"]))
        elif change["model"] == "quotas.ledgerentry" and (change.get("data") or {}).get("account"):
            found.add(str(change["data"]["account"]))
    return found


def settle_derived(changes: Sequence[dict[str, Any]]) -> None:
    """Recompute the balances of the accounts the batch touched, set-based, in the batch's
    transaction (a replayed batch recomputes the same sums: nothing counts twice)."""
    wanted = touched_accounts(changes)
    if not wanted:
        return
    ids = QuotaAccount.objects.filter(uuid__in=wanted).values_list("pk", flat=True)
    recompute_balances(list(ids))
