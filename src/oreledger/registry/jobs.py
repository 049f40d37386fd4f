"""Periodic work of the registry: the daily permit-expiry marking."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule
from oreledger.registry.choices import PermitStatus, ValidityState
from oreledger.registry.models import EXPIRING_DAYS, Permit


def _day(period: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(period[:10])
    except ValueError:
        return timezone.localdate()


def mark_permit_states(today: datetime.date) -> dict[str, int]:
    """Bring every permit's validity_state up to date for `today`; returns changes per state."""
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    valid = Q(status=PermitStatus.VALID)
    rules = {
        ValidityState.SUSPENDED_REVOKED: ~valid,
        ValidityState.PENDING: valid & Q(valid_from__gt=today),
        ValidityState.EXPIRED: valid & Q(valid_to__lt=today),
        ValidityState.EXPIRING: valid
        & Q(valid_from__lte=today, valid_to__gte=today)
        & Q(valid_to__lte=soon),
        ValidityState.VALID: valid & Q(valid_from__lte=today, valid_to__gt=soon),
    }
    changed = {}
    with transaction.atomic():
        for state, condition in rules.items():
            # Set-based and idempotent: only rows whose state differs are touched.
            changed[state.value] = (
                Permit.objects.filter(condition)
                .exclude(validity_state=state)
                .update(validity_state=state, updated_at=timezone.now())
            )
    return changed


@task(queue_name="scheduled")
def mark_permit_expiry(period: str) -> dict[str, int]:
    """Mark permits expiring within 30 days, expired, or back to valid, for the period's day."""
    return mark_permit_states(_day(period))


schedule(
    "registry.mark_permit_expiry",
    "oreledger.registry.jobs.mark_permit_expiry",
    every=datetime.timedelta(days=1),
)

# The jobs page names each job (core.display vocabulary "job").
register_terms(
    "job",
    {
        "oreledger.registry.jobs.mark_permit_expiry": _("Marking of expiring permits"),
    },
)
