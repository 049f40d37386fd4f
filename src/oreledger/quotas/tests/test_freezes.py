"""Frozen quota: a shut-down enterprise's mines draw nothing more and keep their balances."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from oreledger.core.errors import DomainError
from oreledger.core.models import ObjectChange
from oreledger.quotas.batch import QuotaDraws
from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import LedgerEntry
from oreledger.quotas.services import (
    draw_quota,
    freeze_enterprise_quota,
    request_adjustment,
    request_transfer,
    unfreeze_enterprise_quota,
)
from oreledger.quotas.tests.conftest import T, build_ledger

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC)


def _draw(account, kg, ref):
    with transaction.atomic():
        return draw_quota(account=account, amount_kg=kg, ref=ref, at=AT)


def test_a_freeze_covers_every_mine_of_the_enterprise_and_keeps_the_balance(ledger) -> None:
    # given two Haicheng mines of one enterprise, one with 100 t drawn
    enterprise = ledger.hc_mine.enterprise
    assert _draw(ledger.account(ledger.hc_mine), 100 * T, "t-1").ok
    # when the enterprise's quota is frozen
    frozen = freeze_enterprise_quota(actor="inspections", enterprise=enterprise, reason="关停取缔")
    # then both mines are frozen with the reason, balances untouched, the other county's not
    assert sorted(a.holder_site.code for a in frozen) == ["HC-M-001", "HC-M-002"]
    mine = ledger.account(ledger.hc_mine)
    assert (mine.frozen, mine.frozen_reason) == (True, "关停取缔")
    assert (mine.allocated_kg, mine.consumed_kg) == (1_500 * T, 100 * T)
    assert ledger.account(ledger.dsq_mine).frozen is False
    assert ObjectChange.objects.filter(object_id=str(mine.pk), reason="关停取缔").count() == 1
    assert verify_ledger() == []


def test_a_frozen_account_refuses_the_draw_and_writes_nothing(ledger) -> None:
    freeze_enterprise_quota(
        actor="inspections", enterprise=ledger.hc_mine.enterprise, reason="关停"
    )
    entries = LedgerEntry.objects.count()
    refused = _draw(ledger.account(ledger.hc_mine), 1 * T, "t-2")
    assert (refused.ok, refused.code, refused.remaining_kg) == (False, "quota_frozen", 1_500 * T)
    assert LedgerEntry.objects.count() == entries
    assert ledger.account(ledger.hc_mine).consumed_kg == 0


def test_a_batch_refuses_a_frozen_account_too(ledger) -> None:
    freeze_enterprise_quota(
        actor="inspections", enterprise=ledger.hc_mine.enterprise, reason="关停"
    )
    account = ledger.account(ledger.hc_mine)
    with transaction.atomic():
        draws = QuotaDraws()
        draws.lock([account.pk])
        refused = draws.draw(account=account, amount_kg=1 * T, ref="t-3", at=AT)
        draws.write()
    assert (refused.ok, refused.code) == (False, "quota_frozen")
    assert ledger.account(ledger.hc_mine).consumed_kg == 0


def test_a_frozen_account_takes_no_transfer_or_adjustment(ledger) -> None:
    freeze_enterprise_quota(
        actor="inspections", enterprise=ledger.hc_mine.enterprise, reason="关停"
    )
    officer = ledger.world.user("haicheng_operator")
    frozen, other = ledger.account(ledger.hc_mine), ledger.account(ledger.hc_mine_2)
    with pytest.raises(DomainError) as refusal:
        request_transfer(actor=officer, source=frozen, target=other, amount_kg=T, reason="产能置换")
    assert refusal.value.code == "quota_frozen"
    with pytest.raises(DomainError) as refusal:
        request_adjustment(actor=officer, account=other, amount_kg=T, reason="更正")
    assert refusal.value.code == "quota_frozen"


def test_only_a_reasoned_unfreeze_lifts_the_freeze_and_draws_resume(ledger) -> None:
    enterprise = ledger.hc_mine.enterprise
    freeze_enterprise_quota(actor="inspections", enterprise=enterprise, reason="关停")
    with pytest.raises(DomainError) as refusal:
        unfreeze_enterprise_quota(actor="inspections", enterprise=enterprise, reason=" ")
    assert refusal.value.code == "reason_required"
    assert ledger.account(ledger.hc_mine).frozen is True
    thawed = unfreeze_enterprise_quota(actor="inspections", enterprise=enterprise, reason="复议")
    assert len(thawed) == 2
    assert ledger.account(ledger.hc_mine).frozen_reason == ""
    assert _draw(ledger.account(ledger.hc_mine), 1 * T, "t-4").ok


def test_the_account_page_and_the_enterprise_file_show_the_freeze_in_chinese(world) -> None:
    # given the Haicheng enterprise's quota of this year frozen by a shut-down
    ledger = build_ledger(world, year=timezone.localdate().year)
    enterprise = ledger.hc_mine.enterprise
    freeze_enterprise_quota(actor="inspections", enterprise=enterprise, reason="依法关停取缔")
    client = ledger.world.client("haicheng_operator")
    # when the county reads the mine's account and the enterprise's file
    account = client.get(f"/quotas/accounts/{ledger.account(ledger.hc_mine).pk}/")
    dossier = client.get(enterprise.get_absolute_url())
    # then both say it is frozen, the account page with the reason and the kept balance
    page = account.content.decode()
    assert account.status_code == 200
    assert "起冻结：依法关停取缔。在后续决定解除冻结前，不得消耗或调剂；余额保留。" in page
    assert dossier.status_code == 200
    assert dossier.content.decode().count('data-testid="frozen"') == 2
