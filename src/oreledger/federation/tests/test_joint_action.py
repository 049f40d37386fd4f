"""The joint action across platforms: a node's weekly confirmations go up and count on the hub;
the province's reporting rules and assessment schemes go down and are read-only on the node.

One database plays both sides: a record is made on one platform, put on the wire, removed,
and applied as the other platform would, then compared field by field."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from oreledger.assessment import services as assessment
from oreledger.assessment.models import Indicator, Scheme
from oreledger.core.localtime import local_midnight
from oreledger.federation.errors import FederationError
from oreledger.federation.models import Node, OutboxChange
from oreledger.federation.services import hub
from oreledger.federation.services.apply import apply_changes, check_owner
from oreledger.worklist import services as worklist
from oreledger.worklist.choices import Timeliness
from oreledger.worklist.errors import WorklistError
from oreledger.worklist.models import ReportingRules, WeeklyConfirmation
from oreledger.worklist.queries import reporting_timeliness

pytestmark = pytest.mark.django_db

HUB, HAICHENG = "210000", "210381"
D = Decimal
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
# Mondays; on time by the end of the week's Sunday plus the grace days (default 2): the
# Tuesday after the week, local time.
WEEK_1 = datetime.date(2026, 3, 2)
WEEK_2 = datetime.date(2026, 3, 9)
TODAY = datetime.date(2026, 4, 1)
# Every column a confirmation's state carries, and the scheme's own columns.
CONFIRMATION_FIELDS = [
    "uuid",
    "owner_node",
    "version",
    "created_at",
    "updated_at",
    "region_id",
    "week",
    "confirmed_at",
    "comment",
]
SCHEME_FIELDS = [
    "uuid",
    "owner_node",
    "version",
    "created_at",
    "updated_at",
    "code",
    "name",
    "period",
    "active",
]
INDICATORS = [
    ("reporting_rate", D(40), "proportional", D(1)),
    ("on_time_rate", D(30), "threshold", D("0.9")),
    ("node_in_step", D(30), "proportional", D(1)),
]


def _as_node(settings) -> None:
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", HAICHENG


def _as_hub(settings) -> Node:
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "hub", HUB
    node = Node.objects.filter(code=HAICHENG).first()
    return node or hub.add_node(code=HAICHENG, name="海城市")[0]


def _values(obj, fields):
    return {name: getattr(obj, name) for name in fields}


def _confirm_on_node(world, week, day, hour=10):
    return worklist.confirm_week(
        actor=world.user("haicheng_operator"),
        region=world.haicheng,
        week=week,
        comment="本周数据已核对",
        at=local_midnight(day) + hour * HOUR,
    )


def _sent_up(confirmations):
    """The node's outbox changes of these confirmations, then the rows gone from the node's
    side of the shared database (the hub must make them from the wire alone)."""
    uuids = [c.uuid for c in confirmations]
    changes = [row.as_wire() for row in OutboxChange.objects.filter(uuid__in=uuids).order_by("seq")]
    WeeklyConfirmation.objects.filter(uuid__in=uuids).delete()
    OutboxChange.objects.all().delete()
    return changes


def _batch(changes):
    return {"node": HAICHENG, "from_seq": changes[0]["seq"], "changes": changes}


def _pulled_down(settings, node, model, since=0):
    """What the node gets from the hub's reference since `since`, applied as `node.pull` does,
    the hub's rows of `model` removed first (the node must make them from the wire alone)."""
    changes, _reached = hub.reference_changes(node=node, since=since)
    model.objects.all().delete()
    _as_node(settings)
    with transaction.atomic():
        check_owner(changes, HUB)
        apply_changes(changes)
    return changes


def test_a_confirmation_goes_up_in_its_own_transaction_and_arrives_field_by_field(settings, world):
    # given a county node whose operator confirms a week
    _as_node(settings)
    made = _confirm_on_node(world, WEEK_1, WEEK_1 + 7 * DAY)
    # then the change listener wrote its outbox row in the confirmation's transaction
    row = OutboxChange.objects.get()
    assert (row.model, row.uuid, row.version, row.op) == (
        "worklist.weeklyconfirmation",
        made.uuid,
        1,
        "upsert",
    )
    assert row.data["region"] == str(world.haicheng.uuid)
    assert "confirmed_by" not in row.data
    sent = _values(made, CONFIRMATION_FIELDS)
    changes = _sent_up([made])
    # when the hub receives the node's batch
    node = _as_hub(settings)
    acked = hub.receive_batch(node=node, body=_batch(changes))
    # then it holds the same confirmation, field by field, owned by the node; who confirmed
    # stays on the node (people do not federate)
    received = WeeklyConfirmation.objects.get(uuid=made.uuid)
    assert acked == changes[-1]["seq"]
    assert _values(received, CONFIRMATION_FIELDS) == sent
    assert (received.owner_node, received.confirmed_by_id) == (HAICHENG, None)


def test_a_replayed_confirmation_changes_nothing(settings, world):
    # given a confirmation the hub already applied
    _as_node(settings)
    made = _confirm_on_node(world, WEEK_1, WEEK_1 + 7 * DAY)
    changes = _sent_up([made])
    node = _as_hub(settings)
    hub.receive_batch(node=node, body=_batch(changes))
    stored = _values(WeeklyConfirmation.objects.get(uuid=made.uuid), CONFIRMATION_FIELDS)
    # when the same batch comes again (the node lost the answer), and the change is applied
    # once more by (uuid, version)
    acked = hub.receive_batch(node=node, body=_batch(changes))
    applied = apply_changes(changes, owner=HAICHENG)
    # then the hub holds the one confirmation unchanged
    assert (acked, applied) == (changes[-1]["seq"], 0)
    assert WeeklyConfirmation.objects.count() == 1
    assert _values(WeeklyConfirmation.objects.get(), CONFIRMATION_FIELDS) == stored


def test_a_nodes_confirmations_count_on_the_hub_on_time_or_late_by_the_grace_days(settings, world):
    # given the node's confirmation of week 1 on its grace Tuesday, 23:00 (on time), and of
    # week 2 on the Wednesday after (late)
    _as_node(settings)
    on_time = _confirm_on_node(world, WEEK_1, WEEK_1 + 8 * DAY, hour=23)
    late = _confirm_on_node(world, WEEK_2, WEEK_2 + 9 * DAY)
    changes = _sent_up([on_time, late])
    # and Dashiqiao's made on the hub itself, on time
    node = _as_hub(settings)
    hub.receive_batch(node=node, body=_batch(changes))
    worklist.confirm_week(
        actor=world.user("dashiqiao_operator"),
        region=world.dashiqiao,
        week=WEEK_1,
        at=local_midnight(WEEK_1 + 6 * DAY) + 10 * HOUR,
    )
    # when the hub reads the weeks' timeliness
    table = reporting_timeliness(world.province, [WEEK_1, WEEK_2], today=TODAY)
    # then Haicheng's received weeks count as one on time, one late; Dashiqiao's local week
    # as on time and its second week missing
    by_code = {row.region.code: row for row in table.rows}
    haicheng, dashiqiao = by_code[HAICHENG], by_code["210882"]
    assert [c.status for c in haicheng.cells] == [Timeliness.ON_TIME, Timeliness.LATE]
    assert (haicheng.expected, haicheng.reported, haicheng.on_time) == (2, 2, 1)
    assert (haicheng.reporting_rate, haicheng.on_time_rate) == (1.0, 0.5)
    assert [c.status for c in dashiqiao.cells] == [Timeliness.ON_TIME, Timeliness.MISSING]
    # and once the province allows a third day of grace, the late week is on time
    worklist.set_grace_days(actor=world.user("province_officer"), grace_days=3)
    later = reporting_timeliness(world.haicheng, [WEEK_1, WEEK_2], today=TODAY)
    assert (later.rows[0].on_time, later.rows[0].on_time_rate) == (2, 1.0)


def test_a_received_confirmation_is_read_only_on_the_hub(settings, world):
    # given a confirmation the hub received from the node
    _as_node(settings)
    made = _confirm_on_node(world, WEEK_1, WEEK_1 + 7 * DAY)
    changes = _sent_up([made])
    node = _as_hub(settings)
    hub.receive_batch(node=node, body=_batch(changes))
    received = WeeklyConfirmation.objects.get(uuid=made.uuid)
    # when the hub tries to change or delete it
    received.comment = "省里改的"
    with pytest.raises(FederationError) as changed, transaction.atomic():
        received.save()
    with pytest.raises(FederationError) as deleted, transaction.atomic():
        received.delete()
    # then both are refused and the node's comment stays
    assert (changed.value.code, deleted.value.code) == ("received_read_only",) * 2
    assert WeeklyConfirmation.objects.get(uuid=made.uuid).comment == "本周数据已核对"


def test_a_county_confirming_on_its_node_cannot_confirm_on_the_hub(settings, world):
    # given the hub holds Haicheng's week 1 from its node
    _as_node(settings)
    made = _confirm_on_node(world, WEEK_1, WEEK_1 + 7 * DAY)
    changes = _sent_up([made])
    node = _as_hub(settings)
    hub.receive_batch(node=node, body=_batch(changes))
    # when Haicheng's operator confirms week 2 on the hub, and week 1 again
    with pytest.raises(WorklistError) as refused:
        _confirm_on_node(world, WEEK_2, WEEK_2 + 7 * DAY)
    again = _confirm_on_node(world, WEEK_1, WEEK_1 + 8 * DAY)
    # then week 2 is refused (it would collide with the node's on its way up) and week 1 is
    # the node's confirmation, unchanged
    assert (refused.value.code, refused.value.status) == ("confirmed_on_node", 409)
    assert list(WeeklyConfirmation.objects.values_list("uuid", flat=True)) == [made.uuid]
    assert (again.uuid, again.confirmed_at) == (made.uuid, made.confirmed_at)


def test_the_grace_days_go_down_and_are_read_only_on_the_node(settings, world):
    # given the province's grace days set to 3 on the hub, then to 4
    node = _as_hub(settings)
    worklist.set_grace_days(actor=world.user("province_officer"), grace_days=3)
    rules = worklist.set_grace_days(actor=world.user("province_officer"), grace_days=4)
    sent = _values(rules, ["uuid", "owner_node", "version", "created_at", "updated_at"])
    # when the node pulls its reference data
    changes = _pulled_down(settings, node, ReportingRules)
    # then both versions went down and the node holds the newest, field by field
    versions = [c["version"] for c in changes if c["model"] == "worklist.reportingrules"]
    assert versions == [1, 2]
    held = ReportingRules.current()
    assert (held.grace_days, held.owner_node) == (4, HUB)
    assert _values(held, list(sent)) == sent
    # and the node judges on time as the hub does (a week is on time until the Thursday
    # after it); the node cannot change the rule
    assert held.deadline(WEEK_1) == WEEK_1 + 10 * DAY
    with pytest.raises(FederationError) as refused:
        worklist.set_grace_days(actor=None, grace_days=1)
    assert refused.value.code == "received_read_only"
    assert ReportingRules.current().grace_days == 4


def test_a_scheme_goes_down_with_its_indicators_and_is_read_only_on_the_node(settings, world):
    # given a scheme the province published on the hub
    node = _as_hub(settings)
    scheme = assessment.create_scheme(
        actor=world.user("province_officer"),
        code="magnesite-2026",
        name="菱镁联合行动季度考核",
        period="quarter",
        indicators=INDICATORS,
    )
    sent = _values(scheme, SCHEME_FIELDS)
    sent_indicators = list(
        Indicator.objects.filter(scheme=scheme).values_list(
            "kind", "weight", "rule", "target", "ordering"
        )
    )
    # when the node pulls its reference data
    _pulled_down(settings, node, Scheme)
    # then it holds the scheme field by field, with the same indicators
    held = Scheme.objects.get(uuid=scheme.uuid)
    assert _values(held, SCHEME_FIELDS) == sent
    assert held.owner_node == HUB
    assert (
        list(held.indicators.values_list("kind", "weight", "rule", "target", "ordering"))
        == sent_indicators
    )
    # and the node cannot change it: the scheme and its indicators stay as the province set
    with pytest.raises(FederationError) as refused:
        assessment.change_scheme(
            actor=None,
            scheme=held,
            name="县里改的",
            indicators=[("reporting_rate", D(100), "proportional", D(1))],
        )
    assert refused.value.code == "received_read_only"
    assert Scheme.objects.get(pk=held.pk).name == "菱镁联合行动季度考核"
    assert held.indicators.count() == 3


def test_a_changed_scheme_replaces_the_nodes_indicators_once(settings, world):
    # given a scheme the node already pulled
    node = _as_hub(settings)
    scheme = assessment.create_scheme(
        actor=world.user("province_officer"),
        code="magnesite-2026",
        name="菱镁联合行动季度考核",
        period="quarter",
        indicators=INDICATORS,
    )
    (first,) = [
        c for c in hub.reference_changes(node=node, since=0)[0] if c["uuid"] == str(scheme.uuid)
    ]
    # when the province drops the on-time indicator and reweighs the others
    changed = assessment.change_scheme(
        actor=world.user("province_officer"),
        scheme=scheme,
        name="菱镁联合行动季度考核（修订）",
        indicators=[
            ("reporting_rate", D(60), "proportional", D(1)),
            ("node_in_step", D(40), "threshold", D("0.5")),
        ],
    )
    changes = _pulled_down(settings, node, Scheme)
    # and the node applies the newer version once more (replayed)
    apply_changes(changes)
    # then the node holds version 2 with exactly the two indicators
    held = Scheme.objects.get(uuid=scheme.uuid)
    assert (first["version"], held.version, held.name) == (1, 2, "菱镁联合行动季度考核（修订）")
    assert held.version == changed.version
    assert list(held.indicators.values_list("kind", "weight", "rule", "target")) == [
        ("reporting_rate", D("60.00"), "proportional", D("1.0000")),
        ("node_in_step", D("40.00"), "threshold", D("0.5000")),
    ]
