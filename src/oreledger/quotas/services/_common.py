"""What the quota use cases share: who may act on an account, periods and minerals by key."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from oreledger.core.audit import record_change, snapshot
from oreledger.core.models import ObjectChange
from oreledger.core.permissions import VIEW
from oreledger.quotas.choices import (
    PeriodStatus,
)
from oreledger.quotas.errors import refuse
from oreledger.quotas.models import (
    Mineral,
    QuotaAccount,
    QuotaPeriod,
)


def is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def authorise(actor: Any, account: QuotaAccount, action: str) -> None:
    """Refuse a person acting outside their jurisdiction (systems act everywhere)."""
    if not is_person(actor):
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
