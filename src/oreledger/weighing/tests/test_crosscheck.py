"""verify-ledger holds each consumption against the ticket that drew it (the probe's forgery)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from oreledger.core.checkpoints import CheckpointForged, read_checkpoint, write_checkpoint
from oreledger.quotas.integrity import Discrepancy, verify_ledger
from oreledger.quotas.ledger import hash_of
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.weighing.chain import ticket_hash, verify_chain
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


def _forge(weighed, *, downgrade: bool = True) -> LedgerEntry:
    """The probe's forgery (25,940 → 24,940 kg, SHA-256 recomputed, account adjusted)."""
    entry = LedgerEntry.objects.get(pk=weighed.quota_entry_id)
    entry.amount_kg, entry.keyed = 24_940, False
    forged = hash_of(entry)  # the plain SHA-256 anyone can compute
    _sql(
        "UPDATE quotas_ledgerentry SET amount_kg = %s, hash = %s, keyed = %s WHERE id = %s",
        [24_940, forged, not downgrade, entry.pk],
    )
    _sql(
        "UPDATE quotas_quotaaccount SET consumed_kg = consumed_kg - 1000, last_hash = %s"
        " WHERE id = %s",
        [forged, entry.account_id],
    )
    return entry


def test_a_sound_ledger_agrees_with_its_tickets(weighed) -> None:
    assert verify_ledger() == []


def test_the_probes_forgery_is_reported_by_account_and_entry(weighed) -> None:
    # given the probe's forgery, without the ledger key: the consumption changed
    # 25,940 → 24,940 kg with a recomputed SHA-256 (marked unkeyed, as the entries from
    # before the key were), the account's consumed_kg and chain head adjusted, all in SQL
    entry = _forge(weighed)
    # when the ledger is verified
    found = verify_ledger()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ledger", stdout=out)
    # then the entry is reported by account and entry: an unkeyed hash where only keyed ones
    # may follow, and a draw that its ticket contradicts, from both sides
    account = QuotaAccount.objects.get(pk=entry.account_id)
    assert found == [
        Discrepancy(
            account.pk,
            "hash_downgraded",
            f"entry #{entry.seq} carries an unkeyed hash after keyed entries",
            entry=entry.seq,
        ),
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


def test_a_forged_sha256_on_a_keyed_entry_does_not_verify(weighed) -> None:
    # given the same forgery, the entry left marked keyed
    entry = _forge(weighed, downgrade=False)
    # then its hash is reported: only the ledger key could have made it
    assert [(d.code, d.entry) for d in verify_ledger() if d.code == "hash_mismatch"] == [
        ("hash_mismatch", entry.seq)
    ]


def test_a_contract_whose_delivered_tonnage_was_edited_is_reported(weighed) -> None:
    _sql("UPDATE trade_contract SET delivered_kg = 0 WHERE id = %s", [weighed.contract_id])
    number = weighed.contract.number
    assert [(d.code, d.detail) for d in verify_ledger()] == [
        (
            "delivery_mismatch",
            f"contract {number} says 0 kg delivered, its deliveries sum to 25940 kg",
        )
    ]


def test_a_signed_checkpoint_names_the_entry_that_departs_from_it(weighed) -> None:
    # given the day's checkpoint of every chain head, then the probe's forgery
    path = write_checkpoint()
    day = path.stem
    entry = _forge(weighed)
    # when the ledger is verified
    found = [d for d in verify_ledger() if d.code == "checkpoint_mismatch"]
    # then the account departs from the signed head at the forged entry
    assert found == [
        Discrepancy(
            entry.account_id,
            "checkpoint_mismatch",
            f"entry #{entry.seq} differs from the checkpoint of {day}; the first changed entry"
            f" lies after #0 and at or before #{entry.seq}",
            entry=entry.seq,
        )
    ]


def test_a_station_chain_rewritten_with_its_head_departs_from_the_checkpoint(weighed) -> None:
    # given the checkpoint, then the ticket rewritten with its hash and the station's head
    write_checkpoint()
    weighed.net_kg, weighed.gross_kg = 24_940, weighed.gross_kg - 1000
    rewritten = ticket_hash(weighed)
    _sql(
        "UPDATE weighing_ticket SET net_kg = %s, gross_kg = %s, hash = %s WHERE id = %s",
        [weighed.net_kg, weighed.gross_kg, rewritten, weighed.pk.hex],
    )
    _sql(
        "UPDATE weighing_stationstate SET last_hash = %s WHERE station_id = %s",
        [rewritten, weighed.station_id],
    )
    # then verify-chain sees nothing in the chain itself, but names the departure
    links = list(verify_chain())
    assert [(link.station, link.chain_index, link.code) for link in links] == [
        (weighed.station.code, 1, "checkpoint_mismatch")
    ]


def test_a_checkpoint_edited_on_disk_is_refused(weighed) -> None:
    path = write_checkpoint()
    stored = json.loads(path.read_text(encoding="utf-8"))
    accounts = stored["checkpoint"]["chains"]["quota_accounts"]
    account, (length, _head) = next(iter(accounts.items()))
    accounts[account] = [length, "0" * 64]
    path.write_text(json.dumps(stored), encoding="utf-8")
    with pytest.raises(CheckpointForged, match="the signature does not verify"):
        read_checkpoint(path)
