"""The signed federation endpoints and the province's node table and page."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from oreledger.federation.models import Node
from oreledger.federation.services import hub
from oreledger.federation.tests.test_hub import CODE, batch, enterprise_change
from oreledger.registry.models import Enterprise
from oreledger.weighing.signing import sign
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db
CHANGES = "/api/v1/federation/changes"


@pytest.fixture
def secret(settings, world):
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", "210000"
    _node, issued = hub.add_node(code=CODE, name="海城市")
    return issued


def signed_post(path, payload, secret, *, code=CODE, at=None):
    body = json.dumps(payload).encode()
    stamp = str(int(at or time.time()))
    return Client().post(
        path,
        data=body,
        content_type="application/json",
        HTTP_X_OL_NODE=code,
        HTTP_X_OL_TIMESTAMP=stamp,
        HTTP_X_OL_SIGNATURE=sign(secret, stamp, "POST", path, body),
    )


def test_signed_batch_is_applied_and_acked(world, secret):
    # given a signed batch of two new enterprises
    payload = batch([enterprise_change(s, world.haicheng) for s in (1, 2)])
    # when the node posts it
    answer = signed_post(CHANGES, payload, secret)
    # then the hub answers the acked seq and holds both
    assert (answer.status_code, answer.json()) == (200, {"acked_seq": 2})
    assert Enterprise.objects.filter(owner_node=CODE).count() == 2


def test_seq_gap_answer_names_the_expected_seq(world, secret):
    # given the hub holds nothing from the node
    # when the node posts from seq 7
    answer = signed_post(CHANGES, batch([enterprise_change(7, world.haicheng)]), secret)
    # then 409 seq_gap with expected_seq 1
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "seq_gap"
    assert answer.json()["expected_seq"] == 1


@pytest.mark.parametrize(
    ("code", "key", "at", "expected"),
    [
        ("999999", "right", None, "node_unknown"),
        (CODE, "wrong", None, "bad_signature"),
        (CODE, "right", 1_000_000_000, "stale_timestamp"),
    ],
)
def test_unsigned_or_stale_batch_is_refused_and_changes_nothing(
    world, secret, code, key, at, expected
):
    # given a batch signed with the wrong node, secret or time
    payload = batch([enterprise_change(1, world.haicheng)])
    # when it is posted
    answer = signed_post(CHANGES, payload, secret if key == "right" else "x" * 43, code=code, at=at)
    # then 401 with the reason, nothing applied
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, expected)
    assert Enterprise.objects.filter(owner_node=CODE).count() == 0


def test_heartbeat_of_a_restored_node_is_refused(world, secret):
    # given the hub holds seqs 1–2
    signed_post(CHANGES, batch([enterprise_change(s, world.haicheng) for s in (1, 2)]), secret)
    # when the node's heartbeat says last seq 1
    answer = signed_post(
        "/api/v1/federation/heartbeat", {"node": CODE, "last_seq": 1, "time": "t"}, secret
    )
    # then 409 node_restored
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "node_restored")


def test_node_table_is_the_provinces(world, secret):
    # given a node the hub heard from
    signed_post(CHANGES, batch([enterprise_change(1, world.haicheng)]), secret)
    # when each persona asks for the node table
    responses = check_matrix(
        world,
        lambda c: c.get("/api/v1/federation/nodes"),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 200,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 401,
        },
        api=True,
        watch=[Node],
    )
    # then the province sees the node's figures, everyone else an empty table
    (row,) = responses["province_officer"].json()
    assert (row["code"], row["acked_seq"], row["backlog"], row["refused_batches"]) == (
        CODE,
        1,
        0,
        0,
    )
    assert responses["haicheng_operator"].json() == []


def test_node_page_is_the_provinces(world, secret):
    # given a registered node
    # when each persona opens the node page
    check_matrix(
        world,
        lambda c: c.get("/federation/nodes/"),
        {
            "province_officer": 200,
            "haicheng_operator": 404,
            "dashiqiao_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
