"""A county's alerts and cases go up to the hub whole and stay the county's; the province's
thresholds come down and decide the county's rules as they do the hub's."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from oreledger.alerts import scheduled
from oreledger.alerts.choices import AlertStatus, CaseStatus, SubjectType
from oreledger.alerts.engine import effective_rules, raise_alert
from oreledger.alerts.errors import AlertError
from oreledger.alerts.models import Alert, AlertEvent, Case, CaseNote, RuleVersion, default_uuid
from oreledger.alerts.services import (
    acknowledge_alert,
    add_case_note,
    change_rule,
    decide_case,
    escalate_alert,
)
from oreledger.alerts.tests.support import local_at
from oreledger.federation.models import Node, OutboxChange
from oreledger.federation.records import encode
from oreledger.federation.services import hub
from oreledger.federation.services.apply import apply_changes, check_owner
from oreledger.weighing.services.heartbeats import record_heartbeat
from oreledger.weighing.tests.support import build_chain, station_obj
from testkit.personas import Province

pytestmark = pytest.mark.django_db
COUNTY, PROVINCE = "210381", "210000"
TRAVELLING = (Alert, AlertEvent, Case, CaseNote)


def _as_node(settings: Any) -> None:
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", COUNTY


def _as_hub(settings: Any) -> Node:
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", PROVINCE
    node = Node.objects.filter(code=COUNTY).first()
    return node or hub.add_node(code=COUNTY, name="海城市")[0]


def _county_alert_and_case(world: Province) -> tuple[Alert, Case]:
    """On the Haicheng node: an overload seen twice, acknowledged, escalated to a case that
    got a note and a warning."""
    operator = world.user("haicheng_operator")
    for n in (1, 2):
        alert = raise_alert(
            rule="overload",
            region=world.haicheng,
            subject_type=SubjectType.VEHICLE,
            subject_ref="辽H12345",
            at=timezone.now() - datetime.timedelta(minutes=10 - n),
            refs={"plate": "辽H12345", "seq": n},
            evidence={"gross_kg": 61_000 + n, "threshold_kg": 49_000},
            occurrence=f"overload|test|{n}",
        )
    assert alert is not None
    alert = acknowledge_alert(actor=operator, alert=alert, note="已通知车主")
    case = escalate_alert(actor=operator, alert=alert, note="立案调查")
    add_case_note(actor=operator, case=case, text="现场称重复核，超载属实")
    decide_case(actor=operator, case=case, decision="warning", note="警告并责令卸载")
    alert.refresh_from_db()
    case.refresh_from_db()
    return alert, case


def _wire() -> list[dict[str, Any]]:
    """The node's outbox changes of alerts and cases, numbered from 1 as a new node's are."""
    rows = OutboxChange.objects.filter(model__startswith="alerts.").order_by("seq")
    return [{**row.as_wire(), "seq": i} for i, row in enumerate(rows, start=1)]


def _states() -> dict[str, dict[str, Any]]:
    """Every alert, event, case and note as its wire state, by UUID."""
    found: dict[str, dict[str, Any]] = {}
    for model in TRAVELLING:
        objs: list[Model] = list(model._default_manager.all())
        found.update({str(o.uuid): s for o, s in zip(objs, encode(objs), strict=True)})
    return found


def _forget_on_this_platform() -> None:
    """The county's records leave this database (the hub's, in these one-database tests)."""
    Alert.objects.all().delete()
    Case.objects.all().delete()


def _received_on_the_hub(settings: Any, world: Province) -> tuple[Alert, Case]:
    _as_node(settings)
    alert, case = _county_alert_and_case(world)
    wire = _wire()
    _forget_on_this_platform()
    node = _as_hub(settings)
    hub.receive_batch(node=node, body={"node": COUNTY, "from_seq": 1, "changes": wire})
    return Alert.objects.get(uuid=alert.uuid), Case.objects.get(uuid=case.uuid)


def test_each_change_of_a_county_alert_and_case_is_a_new_version_in_the_outbox(
    settings, world
) -> None:
    # given the Haicheng node
    _as_node(settings)
    # when an alert is raised, seen again, acknowledged and escalated to a case that gets a
    # note and a decision
    alert, case = _county_alert_and_case(world)
    # then the outbox holds each version of each, in the order they happened, the case before
    # the alert that refers to it and each timeline line and note after its parent
    rows = list(OutboxChange.objects.filter(model__startswith="alerts.").order_by("seq"))
    assert [(r.model, r.version) for r in rows if r.uuid in (alert.uuid, case.uuid)] == [
        ("alerts.alert", 1),
        ("alerts.alert", 2),
        ("alerts.alert", 3),
        ("alerts.case", 1),
        ("alerts.alert", 4),
        ("alerts.case", 2),
        ("alerts.case", 3),
    ]
    assert (alert.version, alert.count, alert.status) == (4, 2, AlertStatus.ESCALATED)
    assert (case.version, case.status) == (3, CaseStatus.DECIDED)
    events = [r for r in rows if r.model == "alerts.alertevent"]
    assert [r.data["kind"] for r in events] == ["raised", "seen_again", "acknowledged", "escalated"]
    first_of_alert = next(r.seq for r in rows if r.uuid == alert.uuid)
    assert all(r.seq > first_of_alert for r in events)
    (note,) = [r for r in rows if r.model == "alerts.casenote"]
    assert note.seq > next(r.seq for r in rows if r.uuid == case.uuid)
    assert note.data["case"] == str(case.uuid) and "author" not in note.data
    # and every record is owned by the node
    assert {r.data["owner_node"] for r in rows} == {COUNTY}


def test_a_county_alert_and_case_arrive_on_the_hub_field_by_field(settings, world) -> None:
    # given the county's alert and case on the node, as the node states them
    _as_node(settings)
    _county_alert_and_case(world)
    before = _states()
    names = {e.kind: e.actor_name for e in AlertEvent.objects.all()}
    wire = _wire()
    _forget_on_this_platform()
    # when the hub applies the node's changes
    node = _as_hub(settings)
    acked = hub.receive_batch(node=node, body={"node": COUNTY, "from_seq": 1, "changes": wire})
    # then it holds every alert, event, case and note, each field as the node has it
    assert acked == len(wire)
    assert _states() == before
    assert len(before) == 1 + 4 + 1 + 1
    # and what is the node's alone stays there: the people (names kept), the dedupe keys
    received = Alert.objects.get()
    assert received.open_key is None and received.assignee_id is None
    assert set(AlertEvent.objects.values_list("occurrence_key", flat=True)) == {None}
    assert names["acknowledged"] != ""
    assert {e.kind: e.actor_name for e in AlertEvent.objects.all()} == names
    assert set(AlertEvent.objects.values_list("actor_id", flat=True)) == {None}
    note = CaseNote.objects.get()
    assert (note.author_id, note.author_name) == (None, names["acknowledged"])


def test_a_replayed_batch_changes_nothing(settings, world) -> None:
    # given the county's records received on the hub
    _as_node(settings)
    _county_alert_and_case(world)
    wire = _wire()
    _forget_on_this_platform()
    node = _as_hub(settings)
    body = {"node": COUNTY, "from_seq": 1, "changes": wire}
    hub.receive_batch(node=node, body=body)
    held = _states()
    # when the same batch arrives again (the answer was lost), and its changes are applied
    # once more past the seq bookkeeping
    acked = hub.receive_batch(node=node, body=body)
    applied = apply_changes(wire, owner=COUNTY)
    # then nothing changed: by seq, and by (uuid, version)
    assert (acked, applied) == (len(wire), 0)
    assert _states() == held
    assert (Alert.objects.count(), AlertEvent.objects.count(), CaseNote.objects.count()) == (
        1,
        4,
        1,
    )


def test_the_province_cannot_change_a_countys_case_on_the_hub(settings, world) -> None:
    # given the county's alert and case received on the hub
    alert, case = _received_on_the_hub(settings, world)
    province = world.user("province_officer")
    client = world.client("province_officer")
    # when the province opens the case and the alert
    case_page = client.get(case.get_absolute_url()).content.decode()
    alert_page = client.get(alert.get_absolute_url()).content.decode()
    # then each says whose it is and offers no action
    assert "由海城市县级平台保管" in case_page and "由海城市县级平台保管" in alert_page
    assert reverse("alerts:case_action", args=[case.number, "close"]) not in case_page
    assert reverse("alerts:case_action", args=[case.number, "note"]) not in case_page
    assert reverse("alerts:case_action", args=[case.number, "publish"]) not in case_page
    assert 'data-testid="escalate"' not in alert_page
    # and a change sent anyway is refused, the case as it was
    response = client.post(
        reverse("alerts:case_action", args=[case.number, "note"]), {"text": "省里补充"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.version, CaseNote.objects.count()) == (CaseStatus.DECIDED, 3, 1)
    with pytest.raises(AlertError) as refused:
        add_case_note(actor=province, case=case, text="省里补充")
    assert (refused.value.code, refused.value.status) == ("received_read_only", 403)
    with pytest.raises(AlertError) as refused:
        acknowledge_alert(actor=province, alert=alert)
    assert refused.value.code == "received_read_only"
    assert Alert.objects.get().version == 4 and CaseNote.objects.count() == 1


def test_the_hub_leaves_a_node_countys_stations_to_the_node(settings, world) -> None:
    # given a Haicheng station silent for 16 minutes (threshold 15), on the hub
    chain = build_chain(world)
    station = station_obj(next(iter(chain.mines[0].stations)))
    assert station.region == world.haicheng
    beat = local_at(10, 0)
    record_heartbeat(station=station, device_time=beat, now=beat)
    later = beat + datetime.timedelta(minutes=16)
    node = _as_hub(settings)
    # when the hub's scheduled rule runs while Haicheng has a node
    raised_with_node = scheduled.station_silent(now=later)
    # then the hub raises nothing (the node does, and sends it up)
    assert raised_with_node == 0
    # and a county without a node is still the hub's to watch
    node.delete()
    assert scheduled.station_silent(now=later) == 1


def test_the_hub_sets_no_threshold_for_a_county_that_has_a_node(settings, world) -> None:
    # given the hub with the Haicheng node
    _as_hub(settings)
    before = RuleVersion.objects.count()
    # when the province sets Haicheng's overload thresholds on the hub
    with pytest.raises(AlertError) as refused:
        change_rule(
            actor=world.user("province_officer"),
            rule="station_silent",
            region=world.haicheng,
            params={"minutes": 10},
        )
    # then it is refused (the node keeps its county's versions), nothing stored
    assert refused.value.code == "region_served_by_node"
    assert RuleVersion.objects.count() == before


def test_a_threshold_changed_on_the_hub_decides_the_nodes_rule_after_a_pull(
    settings, world
) -> None:
    # given a Haicheng station silent for 12 minutes: under the catalogue's 15, no alert
    chain = build_chain(world)
    station = station_obj(next(iter(chain.mines[0].stations)))
    beat = local_at(10, 0)
    record_heartbeat(station=station, device_time=beat, now=beat)
    later = beat + datetime.timedelta(minutes=12)
    # and on the hub, the province lowers it to 10 minutes, and Dashiqiao's to 5
    node = _as_hub(settings)
    province = world.user("province_officer")
    change_rule(
        actor=province, rule="station_silent", region=world.province, params={"minutes": 10}
    )
    change_rule(
        actor=province, rule="station_silent", region=world.dashiqiao, params={"minutes": 5}
    )
    # when the Haicheng node pulls its reference data
    changes, _reached = hub.reference_changes(node=node, since=0)
    versions = [c for c in changes if c["model"] == "alerts.ruleversion"]
    RuleVersion.objects.exclude(region__isnull=True).delete()
    _as_node(settings)
    assert scheduled.station_silent(now=later) == 0
    check_owner(changes, PROVINCE)
    apply_changes(changes)
    # then it got the province's version only, and its rule now fires at 12 minutes
    assert [(v["data"]["region"], v["data"]["params"]) for v in versions] == [
        (str(world.province.uuid), {"minutes": 10})
    ]
    assert effective_rules(world.haicheng, {})["station_silent"].params == {"minutes": 10}
    assert scheduled.station_silent(now=later) == 1
    (alert,) = Alert.objects.filter(rule="station_silent")
    assert alert.rule_version.uuid == uuid.UUID(versions[0]["uuid"])
    assert alert.rule_version.owner_node == PROVINCE


def test_every_platform_names_a_catalogue_default_alike(world) -> None:
    # given the catalogue's defaults every platform's migrations seeded
    defaults = RuleVersion.objects.filter(region=None)
    # then each one's UUID follows from its rule and number (an alert raised under one names
    # the same record on the hub), and a new default made in code gets it too
    assert defaults.count() > 20
    assert all(v.uuid == default_uuid(v.rule, v.number) for v in defaults)
    made = RuleVersion.objects.create(rule="overload", number=9, severity="medium")
    assert made.uuid == uuid.uuid5(uuid.NAMESPACE_URL, "oreledger:alerts.ruleversion:overload:9")
