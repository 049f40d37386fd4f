"""The quota rule "consumed never above allocated plus tolerance", at its boundary, on every path.

Given a mine allocated 1,500 t with a tolerance of 5 t, each path that can move consumed,
allocated or tolerance accepts the state exactly at allocated + tolerance and refuses one
kilogram beyond it.
"""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from openpyxl import Workbook

from oreledger.core.bundle import import_bundle
from oreledger.core.errors import DomainError
from oreledger.core.workbook import write_sheet
from oreledger.quotas.batch import QuotaDraws
from oreledger.quotas.bundle import QUOTAS
from oreledger.quotas.integrity import _compare, _Totals
from oreledger.quotas.models import QuotaAccount, within_allocation
from oreledger.quotas.services import (
    allocate_quota,
    approve_change,
    close_period,
    draw_quota,
    import_allocations,
    request_adjustment,
    request_transfer,
    set_tolerance,
)
from oreledger.quotas.tests.conftest import YEAR, Ledger, T

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC)
KG = 1


@pytest.fixture
def mine(ledger: Ledger) -> QuotaAccount:
    """HC-M-001: allocated 1,500 t, tolerance 5 t, nothing drawn."""
    account = ledger.account(ledger.hc_mine)
    return set_tolerance(actor="test", account=account, tolerance_kg=5 * T, reason="wet season")


def _refused(code: str, call: Any, **kwargs: Any) -> None:
    with pytest.raises(DomainError) as refused:
        call(**kwargs)
    assert refused.value.code == code


def test_the_rule_holds_at_allocated_plus_tolerance_and_not_one_kilogram_above() -> None:
    assert within_allocation(allocated_kg=1_500 * T, consumed_kg=1_505 * T, tolerance_kg=5 * T)
    assert not within_allocation(
        allocated_kg=1_500 * T, consumed_kg=1_505 * T + KG, tolerance_kg=5 * T
    )


def test_a_draw_takes_the_tolerance_to_the_last_kilogram_and_no_more(mine) -> None:
    taken = draw_quota(account=mine, amount_kg=1_505 * T, ref="T-1", at=AT)
    refused = draw_quota(account=mine, amount_kg=KG, ref="T-2", at=AT)
    assert (taken.ok, taken.remaining_kg) == (True, -5 * T)
    assert (refused.ok, refused.code) == (False, "quota_exhausted")
    assert QuotaAccount.objects.get(pk=mine.pk).consumed_kg == 1_505 * T


def test_a_batch_draws_to_the_boundary_and_refuses_one_kilogram_more(mine) -> None:
    with transaction.atomic():
        draws = QuotaDraws()
        draws.lock([mine.pk])
        taken = draws.draw(account=mine, amount_kg=1_505 * T, ref="T-1", at=AT)
        fits_more = draws.fits(account=mine, amount_kg=KG)
        refused = draws.draw(account=mine, amount_kg=KG, ref="T-2", at=AT)
        draws.write()
    assert (taken.ok, fits_more, refused.ok, refused.code) == (
        True,
        False,
        False,
        "quota_exhausted",
    )
    assert QuotaAccount.objects.get(pk=mine.pk).consumed_kg == 1_505 * T


def test_an_allocation_may_drop_to_consumed_minus_tolerance_and_not_below(ledger, mine) -> None:
    draw_quota(account=mine, amount_kg=1_200 * T, ref="T-1", at=AT)
    common = {"actor": "test", "period": YEAR, "mineral": "magnesite", "holder": ledger.hc_mine}
    _refused("below_consumption", allocate_quota, **common, allocated_kg=1_195 * T - KG)
    lowered = allocate_quota(**common, allocated_kg=1_195 * T)
    assert lowered.allocated_kg == 1_195 * T


def test_the_tolerance_may_shrink_to_the_overdraw_and_not_below(mine) -> None:
    draw_quota(account=mine, amount_kg=1_505 * T, ref="T-1", at=AT)
    common = {"actor": "test", "account": mine, "reason": "dry season"}
    _refused("below_consumption", set_tolerance, **common, tolerance_kg=5 * T - KG)
    assert set_tolerance(**common, tolerance_kg=5 * T).tolerance_kg == 5 * T


def test_a_transfer_leaves_the_source_exactly_at_its_boundary(ledger, mine) -> None:
    draw_quota(account=mine, amount_kg=1_200 * T, ref="T-1", at=AT)
    mine.refresh_from_db()
    target = ledger.account(ledger.hc_mine_2)
    common = {"actor": "test", "source": mine, "target": target, "reason": "capacity"}
    _refused("below_consumption", request_transfer, **common, amount_kg=305 * T + KG)
    change = request_transfer(**common, amount_kg=305 * T)
    approve_change(actor="test", change=change)
    assert QuotaAccount.objects.get(pk=mine.pk).allocated_kg == 1_195 * T


def test_an_approval_refuses_a_transfer_that_a_later_draw_made_one_kilogram_too_big(
    ledger, mine
) -> None:
    draw_quota(account=mine, amount_kg=1_200 * T, ref="T-1", at=AT)
    mine.refresh_from_db()
    target = ledger.account(ledger.hc_mine_2)
    change = request_transfer(
        actor="test", source=mine, target=target, amount_kg=305 * T, reason="capacity"
    )
    draw_quota(account=mine, amount_kg=KG, ref="T-2", at=AT)
    _refused("below_consumption", approve_change, actor="test", change=change)
    assert QuotaAccount.objects.get(pk=mine.pk).allocated_kg == 1_500 * T


def test_an_adjustment_may_take_the_allocation_to_the_boundary_and_not_beyond(mine) -> None:
    draw_quota(account=mine, amount_kg=1_200 * T, ref="T-1", at=AT)
    beyond = request_adjustment(actor="test", account=mine, amount_kg=-305 * T - KG, reason="x")
    _refused("below_consumption", approve_change, actor="test", change=beyond)
    exact = request_adjustment(actor="test", account=mine, amount_kg=-305 * T, reason="x")
    approve_change(actor="test", change=exact)
    assert QuotaAccount.objects.get(pk=mine.pk).allocated_kg == 1_195 * T


def _sheet(ledger: Ledger, allocated_t: float) -> Any:
    wb = Workbook()
    row = {"period": YEAR, "holder": ledger.hc_mine.code, "mineral": "magnesite"}
    write_sheet(wb, QUOTAS, [{**row, "allocated_t": allocated_t}])
    return wb


def _import(ledger: Ledger, allocated_t: float) -> Any:
    buffer = BytesIO()
    _sheet(ledger, allocated_t).save(buffer)
    buffer.seek(0)
    return import_bundle(buffer, actor=None)


def test_the_bundle_reports_an_allocation_one_kilogram_below_the_boundary(ledger, mine) -> None:
    draw_quota(account=mine, amount_kg=1_200 * T, ref="T-1", at=AT)
    refused = _import(ledger, 1_194.999)
    assert [(e.row, e.column, e.code) for e in refused.errors] == [
        (2, "allocated_t", "below_consumption")
    ]
    accepted = _import(ledger, 1_195)
    assert (accepted.ok, accepted.outcomes["quotas"].updated) == (True, 1)
    assert QuotaAccount.objects.get(pk=mine.pk).allocated_kg == 1_195 * T


def test_the_import_service_checks_the_rule_itself(ledger, mine) -> None:
    draw_quota(account=mine, amount_kg=1_200 * T, ref="T-1", at=AT)
    key = (YEAR, "magnesite", ledger.hc_mine.code)
    _refused(
        "below_consumption", import_allocations, actor="test", allocations={key: 1_195 * T - KG}
    )
    assert QuotaAccount.objects.get(pk=mine.pk).allocated_kg == 1_500 * T
    done = import_allocations(actor="test", allocations={key: 1_195 * T})
    assert (done.updated, QuotaAccount.objects.get(pk=mine.pk).allocated_kg) == (1, 1_195 * T)


def test_the_import_refuses_a_closed_year_on_the_row_and_in_the_service(ledger, mine) -> None:
    close_period(actor="test", year=YEAR)
    report = _import(ledger, 1_400)
    key = (YEAR, "magnesite", ledger.hc_mine.code)
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, "period", "period_closed")]
    _refused("period_closed", import_allocations, actor="test", allocations={key: 1_400 * T})
    assert QuotaAccount.objects.get(pk=mine.pk).allocated_kg == 1_500 * T


def test_the_integrity_check_flags_one_kilogram_above_and_not_the_boundary(mine) -> None:
    held = QuotaAccount.objects.get(pk=mine.pk)
    sums = _Totals(held.allocated_kg, 1_505 * T, held.entry_count, held.prev_hash, held.last_hash)
    held.consumed_kg = 1_505 * T
    assert [d.code for d in _compare(held, sums)] == []
    held.consumed_kg = sums.consumed = 1_505 * T + KG
    assert [d.code for d in _compare(held, sums)] == ["overdrawn"]


def test_the_database_keeps_the_rule_to_the_kilogram(mine) -> None:
    at_boundary = F("allocated_kg") + F("tolerance_kg")
    QuotaAccount.objects.filter(pk=mine.pk).update(consumed_kg=at_boundary)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaAccount.objects.filter(pk=mine.pk).update(consumed_kg=at_boundary + KG)
    assert QuotaAccount.objects.get(pk=mine.pk).consumed_kg == 1_505 * T
