"""50 concurrent draws against one account: exactly the ones that fit succeed."""

from __future__ import annotations

import datetime
import threading
from contextlib import nullcontext

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import LedgerEntry
from oreledger.quotas.services import DrawResult, allocate_quota, draw_quota
from oreledger.quotas.tests.conftest import YEAR, T

AT = datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC)
DRAWS = 50
FITTING = 17
TRUCK_KG = 34 * T


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_caller_transaction", [True, False], ids=["in-ticket", "alone"])
def test_fifty_concurrent_draws_take_exactly_what_fits(ledger_tx, in_caller_transaction) -> None:
    # given a mine whose remaining quota holds exactly 17 trucks of 34 t
    allocate_quota(
        actor="test",
        period=YEAR,
        mineral="magnesite",
        holder=ledger_tx.hc_mine,
        allocated_kg=FITTING * TRUCK_KG,
    )
    account = ledger_tx.account(ledger_tx.hc_mine)
    results: list[DrawResult] = []
    errors: list[BaseException] = []
    start = threading.Barrier(DRAWS)

    def truck(number: int) -> None:
        try:
            start.wait()
            with transaction.atomic() if in_caller_transaction else nullcontext():
                results.append(
                    draw_quota(account=account, amount_kg=TRUCK_KG, ref=f"T{number}", at=AT)
                )
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    # when 50 trucks draw at the same instant
    threads = [threading.Thread(target=truck, args=(n,)) for n in range(DRAWS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly 17 draws succeed, the balance is exact and the ledger is sound
    assert errors == []
    assert sum(r.ok for r in results) == FITTING
    assert {r.code for r in results if not r.ok} == {"quota_exhausted"}
    account.refresh_from_db()
    assert (account.consumed_kg, account.allocated_kg) == (FITTING * TRUCK_KG,) * 2
    consumes = LedgerEntry.objects.filter(account=account, kind="consume")
    assert consumes.count() == FITTING
    seqs = list(LedgerEntry.objects.filter(account=account).values_list("seq", flat=True))
    assert seqs == list(range(1, account.entry_count + 1))
    assert sorted(r.thresholds_crossed for r in results if r.thresholds_crossed) == [
        [80],
        [90],
        [100],
    ]
    assert verify_ledger() == []
    call_command("verify_ledger")
