"""Frozen quota: a shut-down enterprise's mines draw nothing more, their balances kept."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.quotas.choices import AccountLevel, PeriodStatus
from oreledger.quotas.errors import refuse
from oreledger.quotas.ledger import lock_accounts
from oreledger.quotas.models import QuotaAccount


def refuse_frozen(*accounts: QuotaAccount) -> None:
    """Refuse a change that would move a frozen account's quota."""
    for account in accounts:
        if account.frozen_at is not None:
            raise refuse("quota_frozen", holder=account.holder_label, reason=account.frozen_reason)


def _open_mine_accounts(enterprise: Any) -> list[int]:
    return list(
        QuotaAccount.objects.filter(
            level=AccountLevel.MINE,
            holder_site__enterprise=enterprise,
            period__status=PeriodStatus.OPEN,
        ).values_list("pk", flat=True)
    )


def freeze_enterprise_quota(*, actor: Any, enterprise: Any, reason: str) -> list[QuotaAccount]:
    """Freeze the open quota of every mine of a shut-down enterprise, with the decision's reason."""
    reason = reason.strip()
    if not reason:
        raise refuse("reason_required")
    now = timezone.now()
    frozen = []
    with transaction.atomic():
        # The ledger's fixed lock order, so a freeze never deadlocks a station's draws.
        for account in lock_accounts(_open_mine_accounts(enterprise)).values():
            if account.frozen_at is not None:
                continue
            before = snapshot(account)
            account.frozen_at, account.frozen_reason = now, reason[:500]
            # A new version of the account, so the freeze travels (federation skips a version
            # it holds).
            account.bump_version()
            QuotaAccount.objects.filter(pk=account.pk).update(
                frozen_at=now, frozen_reason=reason[:500], version=account.version
            )
            record_change(
                actor=actor,
                obj=account,
                action=ObjectChange.Action.UPDATE,
                before=before,
                reason=reason,
            )
            frozen.append(account)
    return frozen


def unfreeze_enterprise_quota(*, actor: Any, enterprise: Any, reason: str) -> list[QuotaAccount]:
    """Lift the freeze of an enterprise's mines' quota; only a later decision with reason does."""
    reason = reason.strip()
    if not reason:
        raise refuse("reason_required")
    thawed = []
    with transaction.atomic():
        for account in lock_accounts(_open_mine_accounts(enterprise)).values():
            if account.frozen_at is None:
                continue
            before = snapshot(account)
            account.frozen_at, account.frozen_reason = None, ""
            account.bump_version()
            QuotaAccount.objects.filter(pk=account.pk).update(
                frozen_at=None, frozen_reason="", version=account.version
            )
            record_change(
                actor=actor,
                obj=account,
                action=ObjectChange.Action.UPDATE,
                before=before,
                reason=reason,
            )
            thawed.append(account)
    return thawed
