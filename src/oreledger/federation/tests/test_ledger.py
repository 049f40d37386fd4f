"""Quota ledger entries federate: a node's draws reach the hub, the hub's allocations reach the
node, and each side's balances are the sums of the entries it holds.

One database plays both platforms: what one side writes is taken off its outbox and rolled
back (`_sent_by`), so it reaches the other side only over the wire, as between two instances.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from oreledger.core.audit import announce_changes
from oreledger.core.models import ObjectChange
from oreledger.federation.errors import FederationError
from oreledger.federation.models import OutboxChange
from oreledger.federation.records import encode
from oreledger.federation.services import hub
from oreledger.federation.services.apply import apply_changes, check_owner
from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import LedgerEntry, QuotaAccount, QuotaPeriod
from oreledger.quotas.services import allocate_quota, draw_quota, reverse_draw, set_tolerance
from oreledger.quotas.services.freezes import freeze_enterprise_quota
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory

pytestmark = pytest.mark.django_db
YEAR = 2026
HUB, NODE = "210000", "210381"
BALANCES = ("allocated_kg", "consumed_kg", "entry_count", "last_hash", "prev_hash")


class _Undone(Exception):
    """Raised to roll back one side's work once its outbox rows were read."""


def _sent_by(settings: Any, role: str, code: str, work: Callable[[], Any]) -> tuple[list, Any]:
    """The outbox rows `work` writes as that platform, on the wire and numbered from 1, and
    what it returned; everything it wrote is rolled back."""
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = role, code
    seen: dict[str, Any] = {}
    try:
        with transaction.atomic():
            before = list(OutboxChange.objects.values_list("seq", flat=True))
            seen["result"] = work()
            rows = OutboxChange.objects.exclude(seq__in=before).order_by("seq")
            seen["wire"] = [r.as_wire() for r in rows]
            raise _Undone
    except _Undone:
        pass
    wire = [{**change, "seq": i} for i, change in enumerate(seen["wire"], start=1)]
    return wire, seen["result"]


def _balances(account: QuotaAccount) -> dict[str, Any]:
    account.refresh_from_db()
    return {name: getattr(account, name) for name in BALANCES}


def _entries(account_uuid: Any) -> list[dict[str, Any]]:
    """The account's entries as the protocol carries them, in chain order."""
    return encode(list(LedgerEntry.objects.filter(account__uuid=account_uuid).order_by("seq")))


@pytest.fixture
def mine(world):
    enterprise = EnterpriseFactory(region=world.haicheng)
    return SiteFactory(code="HC-M-901", enterprise=enterprise, region=world.haicheng)


@pytest.fixture
def county_quota(settings, world):
    """The hub's allocations, the province 900 t and Haicheng 300 t (hub-owned accounts):
    Haicheng's account."""
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", HUB
    QuotaPeriod.objects.create(year=YEAR)
    for holder, tonnes in ((world.province, 900), (world.haicheng, 300)):
        allocate_quota(
            actor=None, period=YEAR, mineral="magnesite", holder=holder, allocated_kg=tonnes * 1000
        )
    return QuotaAccount.objects.get(holder_region=world.haicheng)


def _node_work(mine: Any) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        # The node allocates 50 t to its mine, which draws twice; the second is given back.
        account = allocate_quota(
            actor=None, period=YEAR, mineral="magnesite", holder=mine, allocated_kg=50_000
        )
        first = draw_quota(account=account, amount_kg=12_000, ref="load:1", at=account.created_at)
        second = draw_quota(account=account, amount_kg=9_000, ref="load:2", at=account.created_at)
        assert first.entry is not None and second.entry is not None
        back = reverse_draw(actor=None, entry=second.entry, reason="过磅错误")
        announce_changes([first.entry, second.entry, back], ObjectChange.Action.CREATE)
        return {
            "uuid": account.uuid,
            "balances": _balances(account),
            "entries": _entries(account.uuid),
            "given": QuotaAccount.objects.get(pk=account.parent_id).allocated_to_children_kg,
        }

    return work


def test_a_nodes_entries_reach_the_hub_and_its_balances_follow_from_them(
    settings, world, mine, county_quota
) -> None:
    # given the node's allocation to its mine, two draws and a reversal, sent as one batch
    wire, on_node = _sent_by(settings, "node", NODE, _node_work(mine))
    assert [c["model"] for c in wire] == ["quotas.quotaaccount"] + ["quotas.ledgerentry"] * 4
    # and an account's balances are not on the wire (they are sums of its entries)
    assert not set(BALANCES) & set(wire[0]["data"])
    assert "allocated_to_children_kg" not in wire[0]["data"]
    # when the hub receives it
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", HUB
    node, _secret = hub.add_node(code=NODE, name="海城市")
    body = {"node": NODE, "from_seq": 1, "changes": wire}
    assert hub.receive_batch(node=node, body=body) == 5
    # then the hub holds the mine's account with the node's balances, computed from the
    # entries, every entry field by field as the node wrote it, and Haicheng's account
    # shows the 50 t passed on to the mine
    account = QuotaAccount.objects.get(uuid=on_node["uuid"])
    assert account.owner_node == NODE
    assert _balances(account) == on_node["balances"]
    assert on_node["balances"]["allocated_kg"] == 50_000
    assert on_node["balances"]["consumed_kg"] == 12_000
    assert on_node["balances"]["entry_count"] == 4
    assert _entries(account.uuid) == on_node["entries"]
    county_quota.refresh_from_db()
    assert county_quota.allocated_to_children_kg == on_node["given"] == 50_000
    # and the hub's ledger verifies clean (the node's entries by chain and sums)
    assert verify_ledger() == []
    # when the node resends the batch (the hub's answer was lost)
    node.refresh_from_db()
    node.acked_seq = 0
    node.save()
    assert hub.receive_batch(node=node, body=body) == 5
    # then not a kilogram counts twice
    assert _balances(account) == on_node["balances"]
    assert LedgerEntry.objects.filter(account=account).count() == 4
    county_quota.refresh_from_db()
    assert county_quota.allocated_to_children_kg == 50_000


def test_the_hub_writes_no_entry_on_a_nodes_account(settings, world, mine, county_quota) -> None:
    # given the node's mine account and its entries received on the hub
    wire, on_node = _sent_by(settings, "node", NODE, _node_work(mine))
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", HUB
    node, _secret = hub.add_node(code=NODE, name="海城市")
    hub.receive_batch(node=node, body={"node": NODE, "from_seq": 1, "changes": wire})
    # when the province tries to allocate to the node's mine on the hub
    with pytest.raises(FederationError) as refused:
        allocate_quota(
            actor=None, period=YEAR, mineral="magnesite", holder=mine, allocated_kg=60_000
        )
    # then it is refused as read-only, and the account and its entries are as received
    assert (refused.value.code, refused.value.status) == ("received_read_only", 403)
    account = QuotaAccount.objects.get(uuid=on_node["uuid"])
    assert _balances(account) == on_node["balances"]
    assert _entries(account.uuid) == on_node["entries"]


def test_a_received_entry_out_of_its_chain_is_reported(settings, world, mine, county_quota) -> None:
    # given the node's entries received on the hub
    wire, on_node = _sent_by(settings, "node", NODE, _node_work(mine))
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", HUB
    node, _secret = hub.add_node(code=NODE, name="海城市")
    hub.receive_batch(node=node, body={"node": NODE, "from_seq": 1, "changes": wire})
    account = QuotaAccount.objects.get(uuid=on_node["uuid"])
    # when the third entry's link to its predecessor is changed by SQL
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE quotas_ledgerentry SET prev_hash = %s WHERE account_id = %s AND seq = 3",
            ["0" * 64, account.pk],
        )
    # then verify-ledger reports the broken chain at that entry (and no HMAC it cannot check)
    found = [(d.account_id, d.code, d.entry) for d in verify_ledger()]
    assert found == [(account.pk, "chain_broken", 3)]


def test_the_hubs_entries_go_down_and_the_countys_balance_equals_the_hubs(
    settings, world, mine
) -> None:
    # given the hub's allocations (province 900 t, both counties 300 t, then Haicheng 320 t),
    # and what the Haicheng node is sent of them before and after the raise
    def hub_work() -> dict[str, Any]:
        QuotaPeriod.objects.create(year=YEAR)
        node, _secret = hub.add_node(code=NODE, name="海城市")
        for holder, tonnes in (
            (world.province, 900),
            (world.haicheng, 300),
            (world.dashiqiao, 300),
        ):
            allocate_quota(
                actor=None,
                period=YEAR,
                mineral="magnesite",
                holder=holder,
                allocated_kg=tonnes * 1000,
            )
        first, reached = hub.reference_changes(node=node, since=0)
        allocate_quota(
            actor=None,
            period=YEAR,
            mineral="magnesite",
            holder=world.haicheng,
            allocated_kg=320_000,
        )
        then, _reached = hub.reference_changes(node=node, since=reached)
        accounts = {
            a.holder_region.code: a for a in QuotaAccount.objects.select_related("holder_region")
        }
        return {
            "first": first,
            "then": then,
            "uuids": {code: a.uuid for code, a in accounts.items()},
            "balances": {code: _balances(a) for code, a in accounts.items()},
            "entries": {code: _entries(a.uuid) for code, a in accounts.items()},
        }

    _wire, on_hub = _sent_by(settings, "hub", HUB, hub_work)
    uuids = on_hub["uuids"]
    sent = {c["data"]["account"] for c in on_hub["first"] if c["model"] == "quotas.ledgerentry"}
    # then the entries sent are those of Haicheng's account and the province's, not Dashiqiao's
    assert sent == {str(uuids["210000"]), str(uuids["210381"])}
    # when the node applies the first, allocates 100 t onwards to its mine, then applies the
    # raise
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", NODE
    check_owner(on_hub["first"], HUB)
    apply_changes(on_hub["first"])
    allocate_quota(actor=None, period=YEAR, mineral="magnesite", holder=mine, allocated_kg=100_000)
    check_owner(on_hub["then"], HUB)
    apply_changes(on_hub["then"])
    # then the node's Haicheng and province accounts hold the hub's entries field by field,
    # and their balances and chain heads equal the hub's
    for code in ("210000", "210381"):
        held = QuotaAccount.objects.get(uuid=uuids[code])
        assert _entries(held.uuid) == on_hub["entries"][code]
        assert _balances(held) == on_hub["balances"][code]
    assert on_hub["balances"]["210381"]["allocated_kg"] == 320_000
    assert not QuotaAccount.objects.filter(uuid=uuids["210882"]).exists()
    # and the county's onward allocation, the node's own figure, was kept through the raise
    county = QuotaAccount.objects.get(uuid=uuids["210381"])
    assert county.allocated_to_children_kg == 100_000
    # and the node's ledger verifies clean
    assert verify_ledger() == []


def test_a_freeze_and_a_tolerance_set_on_the_node_reach_the_hub(
    settings, world, mine, county_quota
) -> None:
    # given the node's mine account at the hub, as the node's first batch brought it
    wire, on_node = _sent_by(settings, "node", NODE, _node_work(mine))
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", HUB
    node, _secret = hub.add_node(code=NODE, name="海城市")
    hub.receive_batch(node=node, body={"node": NODE, "from_seq": 1, "changes": wire})
    held = QuotaAccount.objects.get(uuid=on_node["uuid"])

    # when the node, holding the same account, sets a 2 t tolerance and then freezes the mine
    # (a shut-down decision)
    def later() -> None:
        account = QuotaAccount.objects.get(uuid=on_node["uuid"])
        set_tolerance(actor=None, account=account, tolerance_kg=2_000, reason="计量误差")
        freeze_enterprise_quota(actor=None, enterprise=mine.enterprise, reason="停产整顿")

    changes, _none = _sent_by(settings, "node", NODE, later)
    # then each change is a new version of the account on the wire
    assert [(c["model"], c["version"]) for c in changes] == [
        ("quotas.quotaaccount", held.version + 1),
        ("quotas.quotaaccount", held.version + 2),
    ]
    # and the hub, taking them after the first batch, holds the tolerance and the freeze
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", HUB
    numbered = [{**c, "seq": len(wire) + i} for i, c in enumerate(changes, start=1)]
    body = {"node": NODE, "from_seq": len(wire) + 1, "changes": numbered}
    assert hub.receive_batch(node=node, body=body) == len(wire) + 2
    held.refresh_from_db()
    assert (held.version, held.tolerance_kg, held.frozen_reason) == (
        numbered[-1]["version"],
        2_000,
        "停产整顿",
    )
    assert held.frozen_at is not None
    # and its balances are still the sums of its entries
    assert _balances(held) == on_node["balances"]
