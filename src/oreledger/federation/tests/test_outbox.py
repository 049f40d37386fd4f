"""The transactional outbox: committed changes numbered without gaps, rolled back never."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from oreledger.core.audit import record_change
from oreledger.core.models import ObjectChange
from oreledger.federation.errors import FederationError
from oreledger.federation.models import OutboxChange
from oreledger.federation.records import encode
from oreledger.federation.services.outbox import last_seq
from oreledger.registry.models import Enterprise
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_node(settings):
    settings.OL_NODE_ROLE = "node"
    settings.OL_NODE_CODE = "210381"


def _change(obj, action=ObjectChange.Action.UPDATE):
    with transaction.atomic():
        obj.bump_version()
        obj.save()
        record_change(actor=None, obj=obj, action=action)


def test_standalone_platform_keeps_no_outbox(world):
    # given a standalone platform (the default)
    enterprise = EnterpriseFactory(region=world.haicheng, owner_node="210381")
    # when one of its records changes
    _change(enterprise)
    # then nothing is outboxed
    assert OutboxChange.objects.count() == 0


def test_committed_changes_are_numbered_one_two_three(world, as_node):
    # given a node's own enterprise
    enterprise = EnterpriseFactory(region=world.haicheng, owner_node="210381")
    # when it changes three times
    for _ in range(3):
        _change(enterprise)
    # then the outbox holds seqs 1, 2, 3 with the versions in order and its full state
    rows = list(OutboxChange.objects.order_by("seq"))
    assert [(r.seq, r.version, r.op) for r in rows] == [
        (1, 2, "upsert"),
        (2, 3, "upsert"),
        (3, 4, "upsert"),
    ]
    assert rows[0].model == "registry.enterprise"
    assert rows[0].uuid == enterprise.uuid
    assert rows[2].data["region"] == str(world.haicheng.uuid)
    assert rows[2].data["uscc"] == enterprise.uscc
    assert "id" not in rows[2].data
    assert last_seq() == 3


def test_rolled_back_change_is_never_sent_and_leaves_no_gap(world, as_node):
    # given a node's enterprise changed once
    enterprise = EnterpriseFactory(region=world.haicheng, owner_node="210381")
    _change(enterprise)
    # when a second change rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        record_change(actor=None, obj=enterprise, action=ObjectChange.Action.UPDATE)
        raise RuntimeError("refused after the write")
    # and a third commits
    _change(enterprise)
    # then the outbox numbers the committed ones 1 and 2
    assert list(OutboxChange.objects.values_list("seq", flat=True)) == [1, 2]


def test_records_of_other_owners_are_not_outboxed(world, settings):
    # given a province-owned enterprise on a node (pulled down from the hub)
    enterprise = EnterpriseFactory(region=world.haicheng, owner_node="210000")
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", "210381"
    # when its audit row is written (as an import would)
    with transaction.atomic():
        record_change(actor=None, obj=enterprise, action=ObjectChange.Action.CREATE)
    # then the node does not send it back
    assert OutboxChange.objects.count() == 0


def test_deleted_record_is_sent_as_a_delete_without_data(world, as_node):
    # given a node's enterprise
    enterprise = EnterpriseFactory(region=world.haicheng, owner_node="210381")
    # when it is deleted
    _change(enterprise, ObjectChange.Action.DELETE)
    # then the change is a delete
    row = OutboxChange.objects.get()
    assert (row.op, row.data, row.uuid) == ("delete", None, enterprise.uuid)


def test_state_carries_references_as_uuids(world):
    # given a site of an enterprise
    site = SiteFactory(enterprise__region=world.haicheng)
    # when its state is encoded
    (data,) = encode([site])
    # then its references are the UUIDs of the enterprise and the region
    assert data["enterprise"] == str(site.enterprise.uuid)
    assert data["region"] == str(world.haicheng.uuid)
    assert uuid.UUID(data["uuid"]) == site.uuid
    assert Enterprise.objects.filter(uuid=data["enterprise"]).exists()


def test_a_node_never_changes_a_province_owned_record(world, settings):
    # given a province-owned enterprise on a node
    enterprise = EnterpriseFactory(region=world.haicheng, owner_node="210000")
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", "210381"
    # when the node tries to save it
    enterprise.name = "改名"
    with pytest.raises(FederationError) as refused:
        enterprise.save()
    # then it is refused, and the stored name is unchanged
    assert refused.value.code == "received_read_only"
    assert Enterprise.objects.get(pk=enterprise.pk).name != "改名"
