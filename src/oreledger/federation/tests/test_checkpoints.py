"""Chain-head checkpoints travel to the hub with the node's heartbeat and are listed per node."""

from __future__ import annotations

import datetime

import pytest

from oreledger.core import checkpoints
from oreledger.core.checkpoints import write_checkpoint
from oreledger.federation.models import NodeCheckpoint
from oreledger.federation.services.checkpoints import pending_checkpoints
from oreledger.federation.tests.test_api import secret, signed_post  # noqa: F401 (fixture)
from oreledger.federation.tests.test_hub import CODE
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db
HEARTBEAT = "/api/v1/federation/heartbeat"
DAY1 = datetime.datetime(2026, 12, 4, 23, 0, tzinfo=datetime.UTC)  # 5 Dec in Shanghai
DAY2 = DAY1 + datetime.timedelta(days=1)


def carried(at, heads, *, node=CODE, signature="ab" * 32):
    """A checkpoint file's content as the heartbeat carries it."""
    return {
        "checkpoint": {
            "version": 1,
            "node": node,
            "taken_at": at.isoformat(),
            "chains": {"station": heads},
        },
        "signature": signature,
    }


def beat(key, checkpoints):
    return signed_post(
        HEARTBEAT,
        {"node": CODE, "last_seq": 0, "time": "t", "checkpoints": checkpoints},
        key,
    )


def test_heartbeat_checkpoints_are_kept_per_node_and_day(world, secret):  # noqa: F811
    # given two days' checkpoints of the node, the first day's taken twice
    first = carried(DAY1, {"S1": [3, "a3"]})
    again = carried(DAY1 + datetime.timedelta(hours=1), {"S1": [5, "a5"], "S2": [1, "b1"]})
    second = carried(DAY2, {"S1": [9, "a9"], "S2": [2, "b2"]})
    # when the heartbeats carry them
    answer = beat(secret, [first])
    beat(secret, [again, second])
    last = beat(secret, [first])
    # then the hub holds one per day, the newest taken of each, signature as signed
    assert answer.json() == {"acked_seq": 0, "checkpoint_day": "2026-12-05"}
    assert last.json() == {"acked_seq": 0, "checkpoint_day": "2026-12-06"}
    kept = [
        (c.node.code, c.day.isoformat(), c.chains, c.signature)
        for c in NodeCheckpoint.objects.order_by("day")
    ]
    assert kept == [
        (CODE, "2026-12-05", {"station": {"S1": [5, "a5"], "S2": [1, "b1"]}}, "ab" * 32),
        (CODE, "2026-12-06", {"station": {"S1": [9, "a9"], "S2": [2, "b2"]}}, "ab" * 32),
    ]


def test_a_checkpoint_of_another_node_refuses_the_heartbeat_and_keeps_nothing(
    world,
    secret,  # noqa: F811
):
    # given a heartbeat carrying its own checkpoint and one naming another node
    checkpoints = [carried(DAY1, {"S1": [3, "a3"]}), carried(DAY2, {}, node="210382")]
    # when it is sent
    answer = beat(secret, checkpoints)
    # then it is refused as malformed, naming the checkpoint, and nothing is kept
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "malformed"
    assert "checkpoints[1]" in answer.json()["error"]["message"]
    assert NodeCheckpoint.objects.count() == 0


def test_the_province_sees_each_nodes_newest_checkpoint(world, secret):  # noqa: F811
    # given two days' checkpoints received from the node
    older, newer = (
        carried(DAY1, {"S1": [3, "a3"]}),
        carried(DAY2, {"S1": [4, "a4"], "S2": [1, "b"]}),
    )
    beat(secret, [older, newer])
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
        watch=[NodeCheckpoint],
    )
    # then the province reads the newest day and how many heads it signs; others nothing
    (row,) = responses["province_officer"].json()
    assert (row["checkpoint_day"], row["checkpoint_heads"]) == ("2026-12-06", 2)
    assert responses["dashiqiao_operator"].json() == []
    # and the province's page shows it in Chinese
    page = world.client("province_officer").get("/federation/nodes/").content.decode()
    assert "2026-12-06，2 个链头" in page


def test_the_node_sends_the_checkpoints_from_the_day_the_hub_holds(settings, tmp_path, monkeypatch):
    # given three daily checkpoint files on the node
    settings.OL_CHECKPOINT_DIR = tmp_path
    settings.OL_NODE_CODE = CODE
    monkeypatch.setattr(checkpoints, "_CHAINS", {"test_chain": lambda: {"k": (1, "h")}})
    for at in (DAY1, DAY2, DAY2 + datetime.timedelta(days=1)):
        write_checkpoint(now=at)
    # when the node picks what to send, the hub holding nothing, then up to 6 Dec
    everything = pending_checkpoints(None)
    rest = pending_checkpoints(datetime.date(2026, 12, 6))
    # then all three go first, and afterwards the held day again and the one after it
    assert [c["checkpoint"]["taken_at"][:10] for c in everything] == [
        "2026-12-04",
        "2026-12-05",
        "2026-12-06",
    ]
    assert [c["checkpoint"]["taken_at"][:10] for c in rest] == ["2026-12-05", "2026-12-06"]
    assert all(c["checkpoint"]["chains"]["test_chain"] == {"k": [1, "h"]} for c in everything)
