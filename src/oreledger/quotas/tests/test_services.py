"""The quota services: allocations within parents, draws within allocations, approvals."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from oreledger.core.errors import DomainError
from oreledger.quotas.choices import ChangeStatus, EntryKind
from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.ledger import hash_of
from oreledger.quotas.models import LedgerEntry, QuotaAccount, QuotaChange
from oreledger.quotas.services import (
    allocate_children,
    allocate_quota,
    approve_change,
    crossed,
    draw_quota,
    mine_account,
    reject_change,
    request_adjustment,
    request_transfer,
    reverse_draw,
    set_tolerance,
)
from oreledger.quotas.tests.conftest import YEAR, T

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC)


def _state():
    return (
        list(QuotaAccount.objects.order_by("pk").values()),
        LedgerEntry.objects.count(),
    )


def _draw(account, kg, ref):
    with transaction.atomic():
        return draw_quota(account=account, amount_kg=kg, ref=ref, at=AT)


def test_allocations_build_the_tree_and_the_ledger_is_sound(ledger) -> None:
    province = ledger.account(ledger.world.province)
    haicheng = ledger.account(ledger.world.haicheng)
    assert (province.allocated_kg, province.allocated_to_children_kg) == (10_000 * T, 7_000 * T)
    assert (haicheng.allocated_kg, haicheng.allocated_to_children_kg) == (4_000 * T, 2_500 * T)
    assert ledger.account(ledger.hc_mine).parent_id == haicheng.pk
    assert verify_ledger() == []


def test_allocation_over_the_parent_is_refused_and_changes_nothing(ledger) -> None:
    before = _state()
    with pytest.raises(DomainError) as refusal:
        allocate_quota(
            actor="test",
            period=YEAR,
            mineral="magnesite",
            holder=ledger.hc_mine,
            allocated_kg=3_001 * T,
        )
    assert refusal.value.code == "over_parent_allocation"
    assert refusal.value.message_in("en").startswith("This allocation would hand out 4,001.00 t")
    assert _state() == before


def test_batch_allocation_checks_the_final_sum(ledger) -> None:
    # given Haicheng 4,000 t with 1,500 + 1,000 handed out
    # when one mine drops by 1,000 and the other rises by 2,000 in one batch
    allocate_children(
        actor="test",
        period=YEAR,
        mineral="magnesite",
        allocations=[(ledger.hc_mine, 500 * T), (ledger.hc_mine_2, 3_000 * T)],
    )
    # then the final sum (3,500 t) fits and the county's cache follows
    assert ledger.account(ledger.world.haicheng).allocated_to_children_kg == 3_500 * T
    assert verify_ledger() == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"allocated_kg": -1}, "amount_negative"),
        ({"period": 2031}, "period_unknown"),
        ({"mineral": "gold"}, "mineral_unknown"),
    ],
)
def test_bad_allocations_are_refused_and_change_nothing(ledger, kwargs, code) -> None:
    before = _state()
    args = {
        "actor": "test",
        "period": YEAR,
        "mineral": "magnesite",
        "holder": ledger.hc_mine,
        "allocated_kg": 100 * T,
        **kwargs,
    }
    with pytest.raises(DomainError) as refusal:
        allocate_quota(**args)
    assert refusal.value.code == code
    assert _state() == before


def test_unknown_period_message_is_bilingual(ledger) -> None:
    with pytest.raises(DomainError) as refusal:
        allocate_quota(
            actor="test", period=2031, mineral="magnesite", holder=ledger.hc_mine, allocated_kg=1
        )
    assert refusal.value.message_in("en") == (
        "There is no quota period 2031; the province opens periods."
    )
    assert refusal.value.message_in("zh-hans") == "不存在2031年度的指标期；年度由省里开启。"


def test_allocation_cannot_drop_below_what_was_passed_on_or_consumed(ledger) -> None:
    _draw(ledger.account(ledger.hc_mine), 900 * T, "t-1")
    with pytest.raises(DomainError) as below_children:
        allocate_quota(
            actor="test",
            period=YEAR,
            mineral="magnesite",
            holder=ledger.world.haicheng,
            allocated_kg=2_000 * T,
        )
    with pytest.raises(DomainError) as below_consumed:
        allocate_quota(
            actor="test",
            period=YEAR,
            mineral="magnesite",
            holder=ledger.hc_mine,
            allocated_kg=800 * T,
        )
    assert below_children.value.code == "below_children_allocation"
    assert below_consumed.value.code == "below_consumption"


def test_a_county_operator_cannot_allocate_in_another_county(ledger) -> None:
    before = _state()
    with pytest.raises(DomainError) as refusal:
        allocate_quota(
            actor=ledger.world.user("haicheng_operator"),
            period=YEAR,
            mineral="magnesite",
            holder=ledger.dsq_mine,
            allocated_kg=1 * T,
        )
    assert (refusal.value.code, refusal.value.status) == ("account_unknown", 404)
    assert _state() == before


def test_a_county_operator_cannot_raise_their_own_county(ledger) -> None:
    with pytest.raises(DomainError) as refusal:
        allocate_quota(
            actor=ledger.world.user("haicheng_operator"),
            period=YEAR,
            mineral="magnesite",
            holder=ledger.world.haicheng,
            allocated_kg=9 * T,
        )
    assert refusal.value.code == "account_unknown"


def test_draws_report_thresholds_and_stop_at_the_allocation(ledger) -> None:
    mine = ledger.account(ledger.hc_mine)  # 1,500 t
    first = _draw(mine, 1_200 * T, "t-1")  # 80 %
    second = _draw(mine, 300 * T, "t-2")  # 100 %
    refused = _draw(mine, 1, "t-3")
    assert (first.ok, first.remaining_kg, first.thresholds_crossed) == (True, 300 * T, [80])
    assert (second.ok, second.remaining_kg, second.thresholds_crossed) == (True, 0, [90, 100])
    assert (refused.ok, refused.code, refused.remaining_kg, refused.entry) == (
        False,
        "quota_exhausted",
        0,
        None,
    )
    mine.refresh_from_db()
    assert (mine.consumed_kg, mine.entry_count) == (1_500 * T, 3)
    assert verify_ledger() == []


def test_a_resent_ticket_does_not_draw_twice(ledger) -> None:
    mine = ledger.account(ledger.hc_mine)
    first = _draw(mine, 30 * T, "ST-1#42")
    again = _draw(mine, 30 * T, "ST-1#42")
    assert again.duplicate and again.entry == first.entry
    mine.refresh_from_db()
    assert mine.consumed_kg == 30 * T


def test_a_draw_chained_by_the_database_is_the_entry_python_recomputes(ledger) -> None:
    # given a ref with characters the canonical payload must carry exactly (CJK, separator)
    mine = ledger.account(ledger.hc_mine)
    first = _draw(mine, 30 * T, "辽C·12345\x1f#1")
    second = _draw(mine, 31 * T, "辽C·12345#2")
    # then each returned entry is the stored row, and its hash is the one Python computes
    stored = list(LedgerEntry.objects.filter(kind=EntryKind.CONSUME).order_by("seq"))
    assert [(e.pk, e.seq, e.prev_hash, e.hash) for e in stored] == [
        (d.entry.pk, d.entry.seq, d.entry.prev_hash, d.entry.hash) for d in (first, second)
    ]
    assert [hash_of(e) for e in stored] == [e.hash for e in stored]
    assert stored[1].prev_hash == stored[0].hash
    mine.refresh_from_db()
    assert (mine.prev_hash, mine.last_hash) == (stored[0].hash, stored[1].hash)
    assert verify_ledger() == []


def test_a_draw_of_nothing_is_refused(ledger) -> None:
    with pytest.raises(DomainError) as refusal:
        _draw(ledger.account(ledger.hc_mine), -5 * T, "t-neg")
    assert refusal.value.code == "amount_not_positive"
    assert LedgerEntry.objects.filter(kind=EntryKind.CONSUME).count() == 0


def test_tolerance_lets_a_draw_pass_the_allocation_by_that_much(ledger) -> None:
    mine = ledger.account(ledger.hc_mine)
    set_tolerance(actor="test", account=mine, tolerance_kg=2 * T, reason="rounding at the scale")
    assert _draw(mine, 1_502 * T, "t-1").ok
    assert _draw(mine, 1, "t-2").code == "quota_exhausted"


def test_a_draw_rolls_back_with_the_callers_transaction(ledger) -> None:
    mine = ledger.account(ledger.hc_mine)
    with pytest.raises(RuntimeError), transaction.atomic():
        draw_quota(account=mine, amount_kg=10 * T, ref="t-1", at=AT)
        raise RuntimeError("the ticket failed to store")
    mine.refresh_from_db()
    assert (mine.consumed_kg, mine.entry_count, LedgerEntry.objects.filter(ref="t-1").count()) == (
        0,
        1,
        0,
    )


def test_reversal_gives_back_the_draw_once(ledger) -> None:
    mine = ledger.account(ledger.hc_mine)
    drawn = _draw(mine, 40 * T, "t-1")
    reversal = reverse_draw(actor="test", entry=drawn.entry, reason="ticket voided")
    with pytest.raises(DomainError) as twice:
        reverse_draw(actor="test", entry=drawn.entry, reason="again")
    mine.refresh_from_db()
    assert (reversal.kind, reversal.amount_kg, mine.consumed_kg) == ("reverse", -40 * T, 0)
    assert twice.value.code == "already_reversed"
    assert verify_ledger() == []


def test_mine_account_is_found_by_the_local_year(ledger) -> None:
    new_year_eve_utc = datetime.datetime(2024, 12, 31, 17, 0, tzinfo=datetime.UTC)  # 01:00 local
    assert mine_account(site=ledger.hc_mine, at=new_year_eve_utc) == ledger.account(ledger.hc_mine)


def test_transfer_between_mines_needs_another_persons_approval(ledger) -> None:
    world = ledger.world
    source, target = ledger.account(ledger.hc_mine), ledger.account(ledger.hc_mine_2)
    change = request_transfer(
        actor=world.user("haicheng_operator"),
        source=source,
        target=target,
        amount_kg=200 * T,
        reason="产能置换",
    )
    with pytest.raises(DomainError) as own:
        approve_change(actor=world.user("haicheng_operator"), change=change)
    with pytest.raises(DomainError) as outsider:
        approve_change(actor=world.user("dashiqiao_operator"), change=change)
    approve_change(actor=world.user("province_officer"), change=change)
    source.refresh_from_db()
    target.refresh_from_db()
    assert (own.value.code, outsider.value.code) == ("self_approval", "account_unknown")
    assert (source.allocated_kg, target.allocated_kg) == (1_300 * T, 1_200 * T)
    assert QuotaChange.objects.get().status == ChangeStatus.APPROVED
    assert list(LedgerEntry.objects.filter(change=change).values_list("kind", "amount_kg")) == [
        ("transfer", -200 * T),
        ("transfer", 200 * T),
    ]
    assert verify_ledger() == []


def test_transfer_across_counties_is_refused(ledger) -> None:
    with pytest.raises(DomainError) as refusal:
        request_transfer(
            actor="test",
            source=ledger.account(ledger.hc_mine),
            target=ledger.account(ledger.dsq_mine),
            amount_kg=T,
            reason="x",
        )
    assert refusal.value.code == "transfer_not_siblings"


def test_adjustment_over_the_parent_is_refused_at_approval(ledger) -> None:
    world = ledger.world
    change = request_adjustment(
        actor=world.user("haicheng_operator"),
        account=ledger.account(ledger.hc_mine),
        amount_kg=1_501 * T,
        reason="复核",
    )
    with pytest.raises(DomainError) as refusal:
        approve_change(actor=world.user("province_officer"), change=change)
    assert refusal.value.code == "over_parent_allocation"
    assert QuotaChange.objects.get().status == ChangeStatus.PENDING


def test_rejection_needs_a_note_and_moves_nothing(ledger) -> None:
    world = ledger.world
    change = request_adjustment(
        actor=world.user("haicheng_operator"),
        account=ledger.account(ledger.hc_mine),
        amount_kg=-100 * T,
        reason="复核",
    )
    reject_change(actor=world.user("province_officer"), change=change, note="依据不足")
    assert QuotaChange.objects.get().status == ChangeStatus.REJECTED
    assert ledger.account(ledger.hc_mine).allocated_kg == 1_500 * T


@pytest.mark.parametrize(
    ("before", "after", "allocated", "expected"),
    [
        (0, 79, 100, []),
        (79, 80, 100, [80]),
        (0, 100, 100, [80, 90, 100]),
        (100, 101, 100, []),
        (0, 1, 0, [80, 90, 100]),
    ],
)
def test_crossed_thresholds(before, after, allocated, expected) -> None:
    assert crossed(before, after, allocated, (80, 90, 100)) == expected


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_the_draw_is_planned_once_per_connection(ledger) -> None:
    # given two draws on one connection
    mine = ledger.account(ledger.hc_mine)
    _draw(mine, 30 * T, "t-1")
    _draw(mine, 30 * T, "t-2")
    # then the server holds the draw as one prepared statement, executed without replanning
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["WITH drawn AS ( UPDATE quotas_quotaaccount%"],
        )
        assert cursor.fetchone() == (1,)
