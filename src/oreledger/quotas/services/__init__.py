"""Use cases of the quota ledger: periods, allocations, transfers, adjustments and draws.

Invariants (docs/ARCHITECTURE.md): consumed ≤ allocated + tolerance (`models.within_allocation`);
children's allocations never exceed the parent's; balances are sums of immutable, hash-chained
entries. Every writer locks accounts in the fixed order of `ledger.lock_accounts` or by a
conditional UPDATE.
"""

from oreledger.quotas.services._common import close_period, get_mineral, get_period, open_period
from oreledger.quotas.services.allocations import (
    DEFAULT_MINERAL,
    HolderSpec,
    account_of,
    allocate_children,
    allocate_quota,
    ancestor,
    holder_spec,
    import_allocations,
    mine_account,
    set_tolerance,
)
from oreledger.quotas.services.changes import (
    approve_change,
    reject_change,
    request_adjustment,
    request_transfer,
)
from oreledger.quotas.services.draws import (
    WARNING_THRESHOLDS,
    DrawResult,
    crossed,
    draw_quota,
    reverse_draw,
)
from oreledger.quotas.services.freezes import (
    freeze_enterprise_quota,
    refuse_frozen,
    unfreeze_enterprise_quota,
)

__all__ = [
    "DEFAULT_MINERAL",
    "WARNING_THRESHOLDS",
    "DrawResult",
    "HolderSpec",
    "account_of",
    "allocate_children",
    "allocate_quota",
    "ancestor",
    "approve_change",
    "close_period",
    "crossed",
    "draw_quota",
    "freeze_enterprise_quota",
    "get_mineral",
    "get_period",
    "holder_spec",
    "import_allocations",
    "mine_account",
    "open_period",
    "refuse_frozen",
    "reject_change",
    "request_adjustment",
    "request_transfer",
    "reverse_draw",
    "set_tolerance",
    "unfreeze_enterprise_quota",
]
