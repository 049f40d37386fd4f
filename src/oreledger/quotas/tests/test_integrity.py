"""verify-ledger finds what was changed behind the application's back."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.quotas.services import draw_quota
from oreledger.quotas.tests.conftest import T

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def drawn(ledger):
    """The first Haicheng mine after two draws."""
    account = ledger.account(ledger.hc_mine)
    with transaction.atomic():
        draw_quota(account=account, amount_kg=30 * T, ref="t-1", at=AT)
        draw_quota(account=account, amount_kg=31 * T, ref="t-2", at=AT)
    return account


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_sound_ledger_passes(drawn) -> None:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert out.getvalue() == "The quota ledger is sound.\n"


def test_an_entry_altered_by_raw_sql_is_reported(drawn) -> None:
    # given a consumption edited in the table itself (31 t → 3 t)
    _raw("UPDATE quotas_ledgerentry SET amount_kg = %s WHERE ref = %s", [3 * T, "t-2"])
    # when the ledger is verified
    found = {(d.account_id, d.code) for d in verify_ledger()}
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_ledger", stdout=out)
    # then the altered hash and the broken sum are both reported, and the command fails
    assert found == {(drawn.pk, "hash_mismatch"), (drawn.pk, "consumed_mismatch")}
    assert str(failure.value) == "2 discrepancies in the quota ledger"
    assert f"account {drawn.pk}: hash_mismatch: entry #" in out.getvalue()


def test_a_cached_balance_altered_by_raw_sql_is_reported(drawn) -> None:
    _raw("UPDATE quotas_quotaaccount SET consumed_kg = 0 WHERE id = %s", [drawn.pk])
    assert [(d.code, d.detail) for d in verify_ledger()] == [
        ("consumed_mismatch", f"cached 0, entries sum to {61 * T}")
    ]


def test_an_account_chain_head_altered_by_raw_sql_is_reported(drawn) -> None:
    _raw("UPDATE quotas_quotaaccount SET prev_hash = %s WHERE id = %s", ["0" * 64, drawn.pk])
    assert [(d.account_id, d.code) for d in verify_ledger()] == [(drawn.pk, "last_hash_mismatch")]


def test_a_deleted_entry_breaks_the_chain(drawn) -> None:
    first = LedgerEntry.objects.get(ref="t-1")
    _raw("DELETE FROM quotas_ledgerentry WHERE id = %s", [first.pk])
    codes = sorted(d.code for d in verify_ledger())
    assert codes == ["chain_broken", "consumed_mismatch", "seq_gap"]


def test_a_parent_total_altered_by_raw_sql_is_reported(ledger) -> None:
    county = ledger.account(ledger.world.haicheng)
    _raw("UPDATE quotas_quotaaccount SET allocated_to_children_kg = 1 WHERE id = %s", [county.pk])
    assert [d.code for d in verify_ledger()] == ["children_total_mismatch"]


def test_entries_refuse_changes_through_the_orm(drawn) -> None:
    entry = LedgerEntry.objects.first()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_kg=1)
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()
    assert QuotaAccount.objects.get(pk=drawn.pk).consumed_kg == 61 * T


def test_a_reversal_that_gives_back_another_amount_is_reported(drawn) -> None:
    # given the first draw reversed, then the reversal's amount edited with its hash redone
    from oreledger.quotas.ledger import hash_of
    from oreledger.quotas.services.draws import reverse_draw

    first = LedgerEntry.objects.get(ref="t-1")
    with transaction.atomic():
        reversal = reverse_draw(actor=None, entry=first, reason="作废")
    reversal.amount_kg = -20 * T
    _raw(
        "UPDATE quotas_ledgerentry SET amount_kg = %s, hash = %s WHERE id = %s",
        [-20 * T, hash_of(reversal), reversal.pk],
    )
    # then the reversal is reported against the consumption it names
    found = [(d.code, d.entry, d.detail) for d in verify_ledger() if d.code == "reversal_mismatch"]
    assert found == [
        ("reversal_mismatch", 4, f"entry #4 gives back {20 * T} kg, but entry #2 drew {30 * T} kg")
    ]
