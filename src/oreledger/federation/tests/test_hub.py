"""The hub applies a node's batches whole, once, and only for records the node owns."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from oreledger.federation.errors import FederationError
from oreledger.federation.models import Node
from oreledger.federation.services import hub
from oreledger.registry.models import Enterprise, Site
from oreledger.registry.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db
CODE = "210381"


@pytest.fixture
def node(settings, world):
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", "210000"
    registered, _secret = hub.add_node(code=CODE, name="海城市")
    return registered


def enterprise_change(seq, region, *, key=None, version=1, owner=CODE, name=None):
    key = key or str(uuid.uuid4())
    return {
        "seq": seq,
        "model": "registry.enterprise",
        "uuid": key,
        "version": version,
        "op": "upsert",
        "at": "2025-11-14T15:42:11+08:00",
        "data": {
            "uuid": key,
            "owner_node": owner,
            "version": version,
            "created_at": "2025-11-14T07:00:00+00:00",
            "updated_at": "2025-11-14T07:42:11+00:00",
            "uscc": f"91210381MA{seq:08d}",
            "name": name or f"海城矿业{seq}",
            "kind": "mine_operator",
            "industry": "magnesite",
            "region": str(region.uuid),
            "legal_rep": "张三",
            "status": "operating",
        },
    }


def batch(changes, from_seq=None):
    return {"node": CODE, "from_seq": from_seq or changes[0]["seq"], "changes": changes}


def test_batch_is_applied_and_acked(world, node):
    # given two changes of a new enterprise, then a second one
    key = str(uuid.uuid4())
    changes = [
        enterprise_change(1, world.haicheng, key=key),
        enterprise_change(2, world.haicheng, key=key, version=2, name="海城矿业（更名）"),
        enterprise_change(3, world.haicheng),
    ]
    # when the node sends them
    acked = hub.receive_batch(node=node, body=batch(changes))
    # then the hub acks 3 and holds both records at their newest version, with the node's
    # timestamps
    assert acked == 3
    first = Enterprise.objects.get(uuid=key)
    assert (first.name, first.version, first.owner_node) == ("海城矿业（更名）", 2, CODE)
    assert first.updated_at.isoformat() == "2025-11-14T07:42:11+00:00"
    assert first.region == world.haicheng
    node.refresh_from_db()
    assert (node.acked_seq, node.node_last_seq, node.refused_batches) == (3, 3, 0)
    assert node.newest_change_at.isoformat() == "2025-11-14T07:42:11+00:00"


def test_resent_batch_after_a_lost_answer_doubles_nothing(world, node):
    # given a batch the hub applied (its answer lost on the way)
    changes = [enterprise_change(s, world.haicheng) for s in (1, 2)]
    hub.receive_batch(node=node, body=batch(changes))
    count = Enterprise.objects.count()
    # when the node resends it, with one more change
    changes.append(enterprise_change(3, world.haicheng))
    acked = hub.receive_batch(node=node, body=batch(changes))
    # then only the new change is applied
    assert acked == 3
    assert Enterprise.objects.count() == count + 1


def test_batch_beyond_the_acked_seq_is_a_seq_gap(world, node):
    # given the hub holds nothing from the node
    # when the node sends from seq 5
    with pytest.raises(FederationError) as refused:
        hub.receive_batch(node=node, body=batch([enterprise_change(5, world.haicheng)]))
    # then 409 seq_gap names seq 1, and no refusal is counted
    assert (refused.value.code, refused.value.status) == ("seq_gap", 409)
    assert refused.value.params["expected"] == 1
    node.refresh_from_db()
    assert node.refused_batches == 0


def test_change_of_another_owners_record_refuses_the_whole_batch(world, node):
    # given a province-owned enterprise on the hub
    theirs = EnterpriseFactory(region=world.haicheng, owner_node="210000")
    count = Enterprise.objects.count()
    # when a batch creates one enterprise and then changes the province's
    changes = [
        enterprise_change(1, world.haicheng),
        enterprise_change(2, world.haicheng, key=str(theirs.uuid), version=5),
    ]
    with pytest.raises(FederationError) as refused:
        hub.receive_batch(node=node, body=batch(changes))
    # then 422 not_owner, nothing applied, the refusal counted with its reason
    assert (refused.value.code, refused.value.status) == ("not_owner", 422)
    assert Enterprise.objects.count() == count
    node.refresh_from_db()
    assert (node.acked_seq, node.refused_batches) == (0, 1)
    assert node.last_error.startswith("not_owner: ")


def test_batch_failing_midway_applies_nothing(world, node):
    # given a batch whose second change refers to a site's enterprise the hub lacks
    site_key = str(uuid.uuid4())
    site = {
        "seq": 2,
        "model": "registry.site",
        "uuid": site_key,
        "version": 1,
        "op": "upsert",
        "at": "2025-11-14T15:42:11+08:00",
        "data": {"uuid": site_key, "owner_node": CODE, "enterprise": str(uuid.uuid4())},
    }
    # when it arrives
    with pytest.raises(FederationError) as refused:
        hub.receive_batch(node=node, body=batch([enterprise_change(1, world.haicheng), site]))
    # then the enterprise of the first change is not there either, the refusal naming the
    # change and the record it lacks
    assert refused.value.code == "unknown_reference"
    assert (refused.value.params["seq"], refused.value.params["model"]) == (
        2,
        "registry.enterprise",
    )
    assert refused.value.params["uuid"] == site["data"]["enterprise"]
    assert not Site.objects.filter(uuid=site_key).exists()
    node.refresh_from_db()
    assert node.acked_seq == 0
    assert Enterprise.objects.filter(owner_node=CODE).count() == 0


def test_an_older_version_or_a_held_ticket_arriving_again_changes_nothing(world, node):
    # given an enterprise the hub holds at version 2
    from oreledger.federation.services.apply import apply_changes

    key = str(uuid.uuid4())
    newer = enterprise_change(2, world.haicheng, key=key, version=2, name="海城矿业（更名）")
    assert apply_changes([newer], owner=CODE) == 1
    # when its version 1 arrives after it, alone and beside a new record
    older = enterprise_change(1, world.haicheng, key=key, version=1, name="海城矿业")
    other = enterprise_change(3, world.haicheng)
    applied = [apply_changes([older], owner=CODE), apply_changes([older, other], owner=CODE)]
    # then only the new record was written; the held one keeps version 2 and its name
    assert applied == [0, 1]
    held = Enterprise.objects.get(uuid=key)
    assert (held.version, held.name) == (2, "海城矿业（更名）")
    assert Enterprise.objects.filter(uuid=other["uuid"]).exists()


def test_node_behind_the_hub_is_detected_as_restored(world, node):
    # given the hub holds seqs 1–3 from the node
    hub.receive_batch(
        node=node, body=batch([enterprise_change(s, world.haicheng) for s in (1, 2, 3)])
    )
    # when the node's heartbeat says its last seq is 1 (restored from an older backup)
    with pytest.raises(FederationError) as refused:
        hub.receive_heartbeat(node=node, body={"node": CODE, "last_seq": 1, "time": "x"})
    # then it is refused with node_restored, and its next batch too, nothing overwritten
    assert (refused.value.code, refused.value.status) == ("node_restored", 409)
    before = list(Enterprise.objects.filter(owner_node=CODE).values_list("uscc", "name"))
    with pytest.raises(FederationError) as again:
        hub.receive_batch(
            node=node, body=batch([enterprise_change(2, world.haicheng, name="另一个")])
        )
    assert again.value.code == "node_restored"
    assert list(Enterprise.objects.filter(owner_node=CODE).values_list("uscc", "name")) == before
    node.refresh_from_db()
    assert node.restored_at is not None
    # and once resumed, it is taken again from the hub's acked seq
    hub.resume_node(node=node)
    assert hub.receive_batch(node=node, body=batch([enterprise_change(4, world.haicheng)])) == 4


def test_received_records_are_read_only_on_the_hub(world, node):
    # given an enterprise received from the node
    key = str(uuid.uuid4())
    hub.receive_batch(node=node, body=batch([enterprise_change(1, world.haicheng, key=key)]))
    received = Enterprise.objects.get(uuid=key)
    # when the hub tries to change it
    received.name = "省里改的"
    with pytest.raises(FederationError) as refused:
        received.save()
    # then it is refused
    assert refused.value.code == "received_read_only"


def test_registering_a_node_twice_needs_rotate(node):
    # given a registered node
    old = node.secret
    # when it is registered again without --rotate
    with pytest.raises(FederationError) as refused:
        hub.add_node(code=CODE, name="海城市")
    # then it is refused; with rotate the old secret stays valid for the grace period
    assert refused.value.code == "node_exists"
    rotated, secret = hub.add_node(code=CODE, name="", rotate=True)
    assert hub.node_secrets(rotated) == [secret, old]
    assert Node.objects.count() == 1


def test_a_node_silent_past_the_threshold_raises_node_silent_once(world, node):
    # given a node last heard from 61 minutes ago (threshold: 60)
    from oreledger.alerts.models import Alert

    now = timezone.now()
    Node.objects.filter(pk=node.pk).update(last_contact=now - datetime.timedelta(minutes=61))
    # when the job runs twice
    raised = [hub.flag_silent_nodes(now=now), hub.flag_silent_nodes(now=now)]
    # then one alert about the node, in its county
    assert raised == [1, 0]
    alert = Alert.objects.get(rule="node_silent")
    assert (alert.subject_type, alert.subject_ref, alert.region) == ("node", CODE, world.haicheng)
    assert alert.evidence["silent_min"] == 61


def test_a_node_heard_within_the_threshold_raises_nothing(world, node):
    # given a node heard from 59 minutes ago
    now = timezone.now()
    Node.objects.filter(pk=node.pk).update(last_contact=now - datetime.timedelta(minutes=59))
    # when the job runs
    # then nothing is raised
    assert hub.flag_silent_nodes(now=now) == 0


def test_a_newer_waybill_referring_to_its_tickets_replaces_the_held_one(world, node):
    # given a waybill the node sent with its exit ticket (a ticket's id is its UUID)
    from oreledger.federation.records import encode
    from oreledger.weighing.models import Waybill
    from oreledger.weighing.services import record_batch
    from oreledger.weighing.tests.support import (
        build_chain,
        exit_gate,
        on_shift,
        plate,
        ticket,
        waybills_for,
    )

    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    mine, code, _secret = exit_gate(chain)
    (waybill,) = waybills_for(mine, [plate(1)])
    station = Site.objects.get(pk=mine.site.pk).stations.get(code=code)
    record_batch(
        station=station, items=[ticket(1, waybill.plate, waybill=waybill.number, at=on_shift())]
    )
    Waybill.objects.filter(pk=waybill.pk).update(owner_node=CODE)
    held = Waybill.objects.get(pk=waybill.pk)
    (state,) = encode([held])
    # when its next version arrives, arrived, still naming its exit ticket
    state.update(version=held.version + 1, status="arrived", entry_net_kg=29_980)
    change = {
        "seq": 1,
        "model": "weighing.waybill",
        "uuid": str(held.uuid),
        "version": held.version + 1,
        "op": "upsert",
        "at": "2025-11-14T15:42:11+08:00",
        "data": state,
    }
    acked = hub.receive_batch(node=node, body=batch([change]))
    # then the held waybill is that version, its exit ticket kept
    now = Waybill.objects.get(pk=waybill.pk)
    assert acked == 1
    assert (now.version, now.status, now.entry_net_kg, now.exit_ticket_id) == (
        held.version + 1,
        "arrived",
        29_980,
        held.exit_ticket_id,
    )
