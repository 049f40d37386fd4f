"""Background work of weighing: expiring waybills, and the asynchronous ticket rules."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule
from oreledger.weighing.models import Ticket, Waybill

# Dotted paths of callables `rule(tickets: QuerySet[Ticket]) -> None` (grade_mismatch,
# impossible_travel, …) that a later app registers; they run in one job per batch.
_ASYNC_RULES: list[str] = []


def register_async_ticket_rule(path: str) -> None:
    """Run `path(tickets)` after each accepted batch, in a background job."""
    if path not in _ASYNC_RULES:
        _ASYNC_RULES.append(path)


def enqueue_async_rules(ticket_ids: list[str]) -> None:
    """One job per batch, and none at all while no asynchronous rule is registered."""
    if _ASYNC_RULES and ticket_ids:
        run_async_ticket_rules.enqueue(ticket_ids=ticket_ids)


@task()
def run_async_ticket_rules(ticket_ids: list[str]) -> int:
    """Run every registered asynchronous rule over the batch's tickets."""
    tickets = Ticket.objects.filter(pk__in=ticket_ids)
    for path in _ASYNC_RULES:
        rule: Callable[..., object] = import_string(path)
        rule(tickets)
    return len(ticket_ids)


@task(queue_name="scheduled")
def expire_open_waybills(period: str) -> int:
    """Mark issued waybills past their expiry as expired; how many."""
    # The model's rule, not a service: the recording services enqueue this module's jobs,
    # so jobs must not import them back.
    return Waybill.objects.all().expire_lapsed(timezone.now())


schedule(
    "weighing.expire_open_waybills",
    "oreledger.weighing.jobs.expire_open_waybills",
    every=datetime.timedelta(minutes=15),
)

# The jobs page names each job (core.display vocabulary "job").
register_terms(
    "job",
    {
        "oreledger.weighing.jobs.run_async_ticket_rules": _("Background rules over new tickets"),
        "oreledger.weighing.jobs.expire_open_waybills": _("Expiry of unused waybills"),
    },
)
