"""A county's blacklisting reaches every county: the node keeps its own blacklisting of the
plate, the hub passes it on with the reference data, another county's weighbridge holds it.

One database plays each platform in turn: between the steps the rows the next platform would
not hold are taken away, as its own database would lack them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from oreledger.core.errors import DomainError
from oreledger.federation.errors import FederationError
from oreledger.federation.models import OutboxChange, OutboxCounter
from oreledger.federation.services import hub, node
from oreledger.registry.models import Site, Station, Vehicle, VehicleBlacklisting
from oreledger.registry.services import blacklist_vehicle, reinstate_vehicle
from oreledger.registry.tests.factories import EnterpriseFactory, VehicleFactory
from oreledger.weighing.tests.support import body as station_body
from oreledger.weighing.tests.support import build_chain, exit_gate, post, ticket

pytestmark = pytest.mark.django_db

TRUCK = "辽C77001"


def _become(settings: Any, role: str, code: str) -> None:
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = role, code


def _forget(*models: Any) -> None:
    """Take rows away as a platform that never held them (no guard: the rows are not its)."""
    for model in models:
        model.objects.all()._raw_delete(model.objects.db)


def _outbox_afresh() -> None:
    _forget(OutboxChange, OutboxCounter)


@pytest.fixture
def gate(world) -> tuple[Any, str, str]:
    """A Dashiqiao mine's weighbridge (built before any platform role is taken): the chain is
    built in Haicheng and moved, for a node records only its own county (other_region)."""
    mine, code, secret = exit_gate(build_chain(world))
    Site.objects.filter(pk=mine.site.pk).update(region=world.dashiqiao)
    Station.objects.filter(code=code).update(region=world.dashiqiao)
    return mine, code, secret


@pytest.fixture
def haicheng_blacklisted(world, settings) -> list[dict[str, Any]]:
    """On the Haicheng node: its own truck blacklisted by its operator; the node's batch."""
    _become(settings, "node", "210381")
    haulier = EnterpriseFactory(region=world.haicheng, kind="haulier")
    truck = VehicleFactory(plate=TRUCK, owner=haulier)
    _outbox_afresh()
    blacklist_vehicle(actor=world.user("haicheng_operator"), vehicle=truck, reason="套牌车")
    return node.next_batch(0)


def _hub_relays(settings: Any, batch: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The hub takes Haicheng's batch and answers Dashiqiao's reference pull."""
    _become(settings, "hub", "210000")
    _outbox_afresh()
    haicheng, _secret = hub.add_node(code="210381", name="海城市")
    dashiqiao, _secret = hub.add_node(code="210882", name="大石桥市")
    hub.receive_batch(node=haicheng, body={"node": "210381", "from_seq": 1, "changes": batch})
    return hub.reference_changes(node=dashiqiao, since=0)


def _dashiqiao_pulls(settings: Any, monkeypatch: Any, changes: list[dict[str, Any]], reached: int):
    """Dashiqiao's node, which never held Haicheng's truck, pulls the hub's answer."""
    _become(settings, "node", "210882")
    _forget(VehicleBlacklisting, Vehicle)
    answer = node.Answer(200, {"hub": "210000", "changes": changes, "last_seq": reached})
    monkeypatch.setattr(node, "call_hub", lambda method, path, payload=None: answer)
    return node.pull()


def test_the_blacklisting_goes_up_with_the_vehicle(haicheng_blacklisted) -> None:
    # given Haicheng's operator blacklisted Haicheng's own truck on the node
    # then the node's batch carries the vehicle's new status and the county's blacklisting
    sent = [(c["model"], c["data"]["plate"]) for c in haicheng_blacklisted]
    assert sent == [("registry.vehicleblacklisting", TRUCK), ("registry.vehicle", TRUCK)]
    blacklisting = haicheng_blacklisted[0]["data"]
    assert (blacklisting["owner_node"], blacklisting["reason"], blacklisting["in_force"]) == (
        "210381",
        "套牌车",
        True,
    )


def test_a_plate_blacklisted_in_one_county_is_held_in_another(
    world, settings, monkeypatch, gate, haicheng_blacklisted
) -> None:
    # given Haicheng blacklisted its truck, and a weighbridge that will weigh on Dashiqiao's node
    # when Haicheng's batch reaches the hub and Dashiqiao pulls the reference data
    changes, reached = _hub_relays(settings, haicheng_blacklisted)
    assert [(c["model"], c["data"]["owner_node"]) for c in changes if "plate" in c["data"]] == [
        ("registry.vehicleblacklisting", "210381")
    ]
    assert _dashiqiao_pulls(settings, monkeypatch, changes, reached) == len(changes)
    # then Dashiqiao holds Haicheng's blacklisting, owned by Haicheng and read-only there
    held = VehicleBlacklisting.objects.get()
    assert (held.plate, held.owner_node, held.region, held.in_force) == (
        TRUCK,
        "210381",
        world.haicheng,
        True,
    )
    with pytest.raises(FederationError):
        held.save()
    # and a ticket of that plate (a truck Dashiqiao never registered) is held as blacklisted
    _mine, code, secret = gate
    response = post(Client(), code, secret, station_body([ticket(1, TRUCK)]))
    [result] = response.json()["results"]
    assert result["release"] is False
    assert "vehicle_blacklisted" in [r["code"] for r in result["reasons"]]


def test_the_hub_does_not_send_a_county_its_own_blacklisting_back(
    settings, haicheng_blacklisted
) -> None:
    # given the hub took Haicheng's batch
    _hub_relays(settings, haicheng_blacklisted)
    # when Haicheng itself pulls the reference data
    changes, _reached = hub.reference_changes(node=hub.Node.objects.get(code="210381"), since=0)
    # then its own blacklisting is not among them
    assert [c for c in changes if c["model"] == "registry.vehicleblacklisting"] == []


def test_a_node_blacklists_a_province_vehicle_through_its_own_record(world, settings) -> None:
    # given a vehicle of the province's register, received on the Haicheng node
    truck = VehicleFactory(plate="辽C77002", owner_node="210000")
    _become(settings, "node", "210381")
    operator = world.user("province_officer")
    # when the node blacklists it, and later lifts its blacklisting
    blacklist_vehicle(actor=operator, vehicle=truck, reason="超限运输")
    held = VehicleBlacklisting.objects.get(plate="辽C77002")
    # then the vehicle record is unchanged; the county's own blacklisting stands for it
    truck.refresh_from_db()
    assert (truck.status, truck.version) == ("registered", 1)
    assert (held.owner_node, held.region, held.in_force, held.reason) == (
        "210381",
        world.haicheng,
        True,
        "超限运输",
    )
    reinstate_vehicle(actor=operator, vehicle=truck, reason="已核实")
    held.refresh_from_db()
    assert (held.in_force, held.version) == (False, 2)
    # and lifting what the county never blacklisted is refused, changing nothing
    with pytest.raises(DomainError) as refused:
        reinstate_vehicle(actor=operator, vehicle=truck, reason="再次解除")
    assert refused.value.code == "not_blacklisted_here"
    held.refresh_from_db()
    assert held.version == 2
