"""verify-ledger holds each consumption against the ticket that drew it (the probe's forgery)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from oreledger.quotas.integrity import Discrepancy, verify_ledger
from oreledger.quotas.ledger import hash_of
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.weighing.models import Ticket
from oreledger.weighing.tests.support import (
    body,
    build_chain,
    exit_gate,
    on_shift,
    plate,
    post,
    ticket,
    waybills_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def weighed(world):
    """One truck out of the mine, 25,940 kg net drawn from its quota."""
    chain = build_chain(world, quota_kg=100_000, contract_kg=80_000)
    mine, code, secret = exit_gate(chain)
    waybills_for(mine, [plate(1)])
    item = ticket(1, plate(1), net=25_940, at=on_shift())
    answer = post(Client(), code, secret, body([item])).json()["results"][0]
    assert (answer["status"], answer["release"]) == ("accepted", True)
    return Ticket.objects.get(pk=answer["ticket_id"])


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_sound_ledger_agrees_with_its_tickets(weighed) -> None:
    assert verify_ledger() == []


def test_the_probes_forgery_is_reported_by_account_and_entry(weighed) -> None:
    # given the probe's forgery: the consumption changed 25,940 → 24,940 kg, its SHA-256
    # recomputed, the account's consumed_kg and chain head adjusted to match, all in SQL
    entry = LedgerEntry.objects.get(pk=weighed.quota_entry_id)
    entry.amount_kg = 24_940
    forged = hash_of(entry)
    _sql(
        "UPDATE quotas_ledgerentry SET amount_kg = %s, hash = %s WHERE id = %s",
        [24_940, forged, entry.pk],
    )
    _sql(
        "UPDATE quotas_quotaaccount SET consumed_kg = consumed_kg - 1000, last_hash = %s"
        " WHERE id = %s",
        [forged, entry.account_id],
    )
    # when the ledger is verified
    found = verify_ledger()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ledger", stdout=out)
    # then the entry is reported against its ticket, from both sides, by account and entry
    account = QuotaAccount.objects.get(pk=entry.account_id)
    assert found == [
        Discrepancy(
            account.pk,
            "ticket_mismatch",
            f"entry #{entry.seq} draws 24940 kg, but ticket T-1 weighed 25940 kg net",
            entry=entry.seq,
        ),
        Discrepancy(
            account.pk,
            "ticket_mismatch",
            f"ticket T-1 drew 25940 kg, but entry #{entry.seq} records 24940 kg",
            entry=entry.seq,
        ),
    ]
    assert f"account {account.pk}: ticket_mismatch: entry #{entry.seq} draws" in out.getvalue()


def test_a_contract_whose_delivered_tonnage_was_edited_is_reported(weighed) -> None:
    _sql("UPDATE trade_contract SET delivered_kg = 0 WHERE id = %s", [weighed.contract_id])
    number = weighed.contract.number
    assert [(d.code, d.detail) for d in verify_ledger()] == [
        (
            "delivery_mismatch",
            f"contract {number} says 0 kg delivered, its deliveries sum to 25940 kg",
        )
    ]
