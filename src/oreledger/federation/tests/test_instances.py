"""Two real instances: a PostgreSQL hub served by `oreledger serve`, a SQLite node syncing
over real HTTP (docs/specs/federation-protocol.md, "Tests the implementation must pass").

Marked `federation`; the databases are ol_fed_* (PostgreSQL) and a temporary SQLite file.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from testkit.processes import free_port

pytestmark = [
    pytest.mark.federation,
    # The instances bring their own databases (a PostgreSQL hub, a SQLite node) whatever the
    # suite runs on, so they run once: in the suite's PostgreSQL run.
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="run once, in the suite's PostgreSQL run (the instances bring their own databases)",
    ),
]
PG = os.environ.get("OL_FED_PG", "postgres://postgres@127.0.0.1:5432")
# One hub database per test process: CI runs the suite on SQLite and on PostgreSQL at once.
HUB_DB = f"ol_fed_hub_{os.getpid()}"
# The migrated hub every scenario's hub database is created from (see `migrated`).
HUB_TEMPLATE = f"ol_fed_hub_template_{os.getpid()}"
NODE = "210381"

SEED_HUB = """
from django.db import transaction
from oreledger.accounts.tests.factories import RegionFactory
from oreledger.core.audit import record_change
with transaction.atomic():
    p = RegionFactory(code="210000", name_zh="辽宁省", name_en="Liaoning", level="province")
    c = RegionFactory(code="210300", name_zh="鞍山市", name_en="Anshan", level="city", parent=p)
    k = RegionFactory(code="210381", name_zh="海城市", name_en="Haicheng", level="county", parent=c)
    y = RegionFactory(code="210800", name_zh="营口市", name_en="Yingkou", level="city", parent=p)
    d = RegionFactory(code="210882", name_zh="大石桥市", name_en="Dashiqiao", level="county",
                      parent=y)
    for r in (p, c, k, y, d):
        record_change(actor=None, obj=r, action="create")
"""

# The province's reference data: a grading table with a floor price, the quota year's
# allocations down to both counties, a vehicle on the province's blacklist, an assessment
# scheme and the weekly reporting rules' grace days.
SEED_REFERENCE = """
import datetime
from decimal import Decimal
from django.db import transaction
from django.utils import timezone
from oreledger.accounts.models import Region
from oreledger.assessment.services import create_scheme
from oreledger.worklist.services import set_grace_days
from oreledger.alerts.services import change_rule
from oreledger.core.audit import record_change
from oreledger.grading.services import GradeSpec, publish_standard
from oreledger.quotas.models import QuotaPeriod
from oreledger.quotas.services import allocate_quota
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.trade.services.market import set_floor_price
with transaction.atomic():
    standard, _ = publish_standard(actor=None, code="LN-2025",
        effective_from=datetime.date(2025, 1, 1),
        grades=[GradeSpec(code="LM-46", name_zh="特级", rank=1, mgo_min=Decimal(46)),
                GradeSpec(code="LM-45", name_zh="一级", rank=2, mgo_min=Decimal(45))])
    set_floor_price(actor=None, grade=standard.grades.get(code="LM-45"),
                    valid_from=datetime.date(2025, 1, 1), floor_yuan=Decimal(380))
    year = timezone.localdate().year
    QuotaPeriod.objects.create(year=year)
    for code, tonnes in (("210000", 900000), ("210381", 300000), ("210882", 300000)):
        allocate_quota(actor=None, period=year, mineral="magnesite",
                       holder=Region.objects.get(code=code), allocated_kg=tonnes * 1000)
    v = VehicleFactory(plate="辽C99999", status="blacklisted", blacklist_reason="超载屡查不改")
    record_change(actor=None, obj=v, action="create")
    create_scheme(actor=None, code="magnesite-2026", name="菱镁联合行动季度考核",
        period="quarter",
        indicators=[("reporting_rate", Decimal(50), "proportional", Decimal(1)),
                    ("node_in_step", Decimal(50), "threshold", Decimal("0.5"))])
    set_grace_days(actor=None, grace_days=3)
    change_rule(actor=None, rule="overload", region=Region.objects.get(code="210000"),
                params={"limits_kg": {"6": 48000}})
"""

# The province-owned reference records a platform holds, on the wire (not the catalogue's
# default thresholds: each platform seeds its own by migration).
DUMP_REFERENCE = """
import json
from oreledger.federation.records import REFERENCE, encode, federated_models
known = federated_models()
rows = {label: encode(list(known[label]._default_manager.filter(owner_node="210000")
                         .exclude(**({"region": None} if label == "alerts.ruleversion" else {}))
                         .order_by("uuid")))
        for label in sorted(REFERENCE)}
print("DUMP" + json.dumps(rows, sort_keys=True, default=str))
"""

# Enterprises created and then renamed on the node: N new, every third renamed once.
CHANGE_NODE = """
from django.db import transaction
from oreledger.accounts.models import Region
from oreledger.core.audit import record_change
from oreledger.registry.models import Enterprise
from oreledger.registry.tests.factories import EnterpriseFactory
county = Region.objects.get(code="210381")
start = Enterprise.objects.count()
made = []
for i in range({n}):
    with transaction.atomic():
        e = EnterpriseFactory(region=county, name=f"海城矿业{{start + i}}")
        record_change(actor=None, obj=e, action="create")
        made.append(e)
for e in made[::3]:
    with transaction.atomic():
        e.name = e.name + "（更名）"
        e.bump_version()
        e.save()
        record_change(actor=None, obj=e, action="update")
"""

# A week's alert on the node, escalated to a case with a note: 9 changes (the alert and its
# line at each of raise, acknowledgement and escalation; the case, its note and its new status).
ALERT_NODE = """
from django.db import transaction
from django.utils import timezone
from oreledger.accounts.models import Region
from oreledger.alerts.engine import raise_alert
from oreledger.alerts.services import acknowledge_alert, add_case_note, escalate_alert
county = Region.objects.get(code="210381")
with transaction.atomic():
    alert = raise_alert(rule="overload", region=county, subject_type="vehicle",
                        subject_ref="辽H12345", at=timezone.now(), refs={"plate": "辽H12345"},
                        evidence={"gross_kg": 61000}, occurrence="overload|week")
with transaction.atomic():
    alert = acknowledge_alert(actor=None, alert=alert, note="已通知车主")
with transaction.atomic():
    case = escalate_alert(actor=None, alert=alert, note="立案调查")
with transaction.atomic():
    add_case_note(actor=None, case=case, text="现场称重复核，超载属实")
"""

# The node's mine ships: its enterprises, mine, plant, permits, contract, exit station and
# waybills (each announced, as the node's services would), an allocation of 200 t from the
# county's quota, and a batch of {n} exit tickets recorded by the station protocol's service,
# each drawing 30 t… until the quota is spent (the rest held). Prints how many outbox rows.
RECORD_TICKETS = """
import datetime
from decimal import Decimal
from django.db import transaction
from django.utils import timezone
from oreledger.accounts.models import Department, Region
from oreledger.core.audit import announce_changes
from oreledger.federation.services.outbox import last_seq
from oreledger.grading.models import Grade
from oreledger.quotas.services import allocate_quota
from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Permit, Station
from oreledger.registry.services import create_station
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory
from oreledger.trade.models import Contract
from oreledger.weighing.services import record_batch
from oreledger.weighing.tests.support import Mine, give_gate_permits, on_shift, ticket, waybills_for
county = Region.objects.get(code="210381")
year = timezone.localdate().year
first = last_seq()
with transaction.atomic():
    seller = EnterpriseFactory(region=county, name="海城华鑫矿业", uscc=make_uscc("210381", 90001))
    buyer = EnterpriseFactory(region=county, kind="processor", name="海城镁砂加工厂",
                              uscc=make_uscc("210381", 90002))
    mine = SiteFactory(code="HC-M-001", enterprise=seller, name="华鑫一矿")
    plant = SiteFactory(code="HC-P-001", enterprise=buyer, kind="plant", name="镁砂厂")
    give_gate_permits(mine, county)
    contract = Contract.objects.create(number=f"HT-{{year}}-0001", seller=seller, buyer=buyer,
        origin_site=mine, destination_site=plant, grade=Grade.objects.get(code="LM-46"),
        quantity_kg=10**9, unit_price=Decimal("400.00"), valid_from=datetime.date(year, 1, 1),
        valid_to=datetime.date(year, 12, 31), status="approved", region=county)
    for group in ([seller, buyer], [mine, plant], list(Department.objects.all()),
                  list(Permit.objects.all()), [contract]):
        announce_changes(group, "create")
    station, _secret = create_station(actor=None, code="HC-ST-0101", name="华鑫一矿出口",
        region=county, lat=mine.lat, lon=mine.lon, site=mine)
    allocate_quota(actor=None, period=year, mineral="magnesite", holder=mine,
                   allocated_kg=200_000)
    waybills = waybills_for(Mine(mine, contract), [f"辽C{{i:05d}}" for i in range({n})])
    announce_changes(waybills, "create")
at = on_shift()
items = [ticket(i + 1, w.plate, waybill=w.number, at=at) for i, w in enumerate(waybills)]
result = record_batch(station=Station.objects.get(code="HC-ST-0101"), items=items)
print("RELEASED", sum(r.release for r in result.results), "ROWS", last_seq() - first)
"""

# What the comparison reads on each side: every federated record the node owns (tickets are
# the node's own), field by field as the protocol carries it; and of the node's county: the
# tickets, the quota allocated and consumed, every balance of its accounts and of the
# province account above it, and every ledger entry on them (the hub's and the node's).
DUMP = """
import json
from django.db.models import Count, Q, Sum
from oreledger.accounts.models import Region
from oreledger.core.models import FederatedModel
from oreledger.federation.records import encode, federated_models
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.weighing.models import Ticket
records = {}
for label, model in sorted(federated_models().items()):
    rows = model._default_manager.order_by("pk" if label == "weighing.ticket" else "uuid")
    if issubclass(model, FederatedModel):
        rows = rows.filter(owner_node="210381")
    if label == "alerts.ruleversion":
        rows = rows.exclude(region=None)
    records[label] = sorted(encode(list(rows)), key=lambda r: str(r.get("uuid") or r["id"]))
# Not compared: a contract's delivered tonnage moves on the ticket path without a new version
# of the contract (its deliveries do not federate), so the hub never learns it (a known gap).
for row in records["trade.contract"]:
    row.pop("delivered_kg")
county = Region.objects.get(code="210381")
tickets = dict(
    Ticket.objects.filter(region__path__startswith=county.path)
    .values_list("region__code").annotate(n=Count("pk"))
)
# The node's county and the province account above it: the hub also holds the other
# counties' allocations.
accounts = QuotaAccount.objects.filter(
    Q(region__path__startswith=county.path) | Q(holder_region__code="210000")
)
mines = accounts.filter(level="mine").aggregate(
    allocated=Sum("allocated_kg"), consumed=Sum("consumed_kg")
)
balances = {
    str(a["uuid"]): a for a in accounts.values(
        "uuid", "level", "allocated_kg", "allocated_to_children_kg", "consumed_kg",
        "entry_count", "last_hash", "prev_hash", "frozen_at", "tolerance_kg"
    )
}
for a in balances.values():
    if a["level"] == "province":
        # What the province passed on sums the counties each platform holds (a node: its own).
        del a["allocated_to_children_kg"]
entries = encode(list(LedgerEntry.objects.filter(account__in=accounts)
                      .order_by("account__uuid", "seq")))
county_account = accounts.filter(holder_region=county).first()
print("DUMP" + json.dumps(
    {"records": records, "tickets_per_county": tickets,
     "county": {"allocated_kg": county_account.allocated_kg if county_account else None,
                "allocated_to_mines_kg": mines["allocated"], "consumed_kg": mines["consumed"],
                "balances": balances, "entries": entries}},
    sort_keys=True, default=str,
))
"""


def _run(env: dict[str, str], *args: str, code: str | None = None) -> str:
    command = [sys.executable, "-m", "oreledger", *args]
    if code is not None:
        command = [sys.executable, "-m", "oreledger", "shell", "-c", code]
    done = subprocess.run(  # noqa: S603 (our own command)
        command, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _recreate(name: str, template: str | None = None) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _base_env() -> dict[str, str]:
    src = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OL_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(src.parent / "station" / "src")])
    env["DJANGO_SETTINGS_MODULE"] = "oreledger.config.settings"
    return env


class Hub:
    """The hub process and its environment."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**_hub_env(HUB_DB), "OL_SECRET_KEY_FILE": str(tmp / "hub.key")}
        self.process: subprocess.Popen[bytes] | None = None
        self.serve = [sys.executable, "-m", "oreledger", "serve", "--web-workers", "1"]

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own command)
            [*self.serve, "--port", str(self.port), "--workers", "1", "--no-scheduler"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2)  # noqa: S310
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise AssertionError("the hub did not come up")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def _hub_env(database: str) -> dict[str, str]:
    return {
        **_base_env(),
        "DATABASE_URL": f"{PG}/{database}",
        "OL_NODE_ROLE": "hub",
        "OL_NODE_CODE": "210000",
    }


def _node_env(database: Path) -> dict[str, str]:
    return {
        **_base_env(),
        "DATABASE_URL": f"sqlite:///{database}",
        "OL_NODE_ROLE": "node",
        "OL_NODE_CODE": NODE,
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A hub (HUB_TEMPLATE) and a node (the file yielded) migrated once for the module.

    Migrating both databases was most of a scenario's three minutes; each scenario now
    starts from copies of these, made as its own migrations would have made them (same role
    and node code, so the same seeded rows and owners).
    """
    node = tmp_path_factory.mktemp("federation-migrated") / "node.sqlite3"
    _recreate(HUB_TEMPLATE)
    try:
        _run(_hub_env(HUB_TEMPLATE), "migrate", "--verbosity", "0")
        _run(_node_env(node), "migrate", "--verbosity", "0")
        yield node
    finally:
        _drop(HUB_TEMPLATE)


@pytest.fixture
def pair(migrated: Path, tmp_path: Path) -> Iterator[tuple[Hub, dict[str, str]]]:
    """A migrated hub (seeded, node registered, not running) and a migrated node's env."""
    _recreate(HUB_DB, template=HUB_TEMPLATE)
    hub = Hub(tmp_path)
    _run(hub.env, code=SEED_HUB)
    secret = tmp_path / "node.secret.json"
    _run(hub.env, "federation-add-node", NODE, "--name", "海城市", "--secret-out", str(secret))
    database = tmp_path / "node.sqlite3"
    # The backup API copies the node as one consistent file, whatever its WAL still held.
    with closing(sqlite3.connect(migrated)) as source, closing(sqlite3.connect(database)) as copy:
        source.backup(copy)
    node_env = {
        **_node_env(database),
        "OL_HUB_URL": hub.url,
        "OL_HUB_SECRET_FILE": str(secret),
        "OL_SECRET_KEY_FILE": str(tmp_path / "node.key"),
    }
    try:
        yield hub, node_env
    finally:
        hub.stop()
        _drop(HUB_DB)


def _dump(env: dict[str, str], code: str = DUMP) -> dict[str, Any]:
    out = _run(env, code=code)
    dumped: dict[str, Any] = json.loads(out.split("DUMP", 1)[1])
    return dumped


def _differing(one: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Where two dumps' records differ: (model, record, field), to read a failure by."""
    found = []
    for label in sorted(set(one["records"]) | set(other["records"])):
        mine = {str(r.get("uuid") or r.get("id")): r for r in one["records"].get(label, [])}
        theirs = {str(r.get("uuid") or r.get("id")): r for r in other["records"].get(label, [])}
        for key in sorted(set(mine) | set(theirs)):
            a, b = mine.get(key, {}), theirs.get(key, {})
            found += [(label, key, f) for f in sorted(set(a) | set(b)) if a.get(f) != b.get(f)]
    return found[:20]


def _enterprises(dumped: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = dumped["records"]["registry.enterprise"]
    return rows


def _status(env: dict[str, str], *args: str) -> dict[str, str]:
    lines = _run(env, "federation-status", *args).splitlines()
    return {line[:13].strip(): line[13:].strip() for line in lines if line[:13].strip()}


def test_offline_week_catches_up_exactly_and_a_lost_answer_doubles_nothing(pair) -> None:
    hub, node = pair
    # given the hub up with the province's reference data, the node pulls it
    _run(hub.env, code=SEED_REFERENCE)
    hub.start()
    _status(node, "--sync")
    # then the node holds it field by field as the hub does, of the quota allocations only
    # Haicheng's and the province's it hangs from (Dashiqiao's stays on the hub)
    on_hub, pulled = _dump(hub.env, DUMP_REFERENCE), _dump(node, DUMP_REFERENCE)
    accounts = {a["uuid"]: a for a in on_hub.pop("quotas.quotaaccount")}
    entries = {e["uuid"]: e for e in on_hub.pop("quotas.ledgerentry")}
    mine, mine_entries = pulled.pop("quotas.quotaaccount"), pulled.pop("quotas.ledgerentry")
    assert pulled == on_hub
    assert mine == [accounts[a["uuid"]] for a in mine]
    assert mine_entries == [entries[e["uuid"]] for e in mine_entries]
    regions = {r["uuid"]: r["code"] for r in on_hub["accounts.region"]}
    assert (len(accounts), sorted(regions[a["holder_region"]] for a in mine)) == (
        3,
        ["210000", "210381"],
    )
    # and the allocations' entries of those two accounts, and the county's balance as the hub's
    assert (len(entries), {e["account"] for e in mine_entries}) == (3, {a["uuid"] for a in mine})
    assert _dump(node)["county"] == _dump(hub.env)["county"]
    assert [len(on_hub[k]) for k in sorted(on_hub)] == [5, 1, 1, 1, 1, 1, 1]
    assert [g["code"] for g in pulled["grading.gradingstandard"][0]["grades"]] == [
        "LM-46",
        "LM-45",
    ]
    assert [i["kind"] for i in pulled["assessment.scheme"][0]["indicators"]] == [
        "reporting_rate",
        "node_in_step",
    ]
    assert pulled["worklist.reportingrules"][0]["grace_days"] == 3
    # when the hub goes down
    hub.stop()
    # when the node works a week offline (120 enterprises, 40 renamed; an alert raised under
    # the province's thresholds, escalated to a case with a note: 169 changes) and its mine
    # ships 8 trucks of 30 t on a 200 t allocation (6 draw, 2 are held)
    _run(node, code=CHANGE_NODE.format(n=120))
    _run(node, code=ALERT_NODE)
    shipped = _run(node, code=RECORD_TICKETS.format(n=8)).split()
    released, rows = int(shipped[shipped.index("RELEASED") + 1]), int(shipped[-1])
    total = str(169 + rows)
    offline = _status(node, "--sync")
    assert (released, offline["backlog"], offline["last error"][:1]) == (6, total, "0")
    # and the hub comes back
    hub.start()
    status = _status(node, "--sync")
    # then every change is acked and the records are equal field by field
    assert (status["last seq"], status["acked seq"], status["backlog"]) == (total, total, "0")
    on_node = _dump(node)
    assert len(_enterprises(on_node)) == 122
    travelled = on_node["records"]
    (alert,) = [a for a in travelled["alerts.alert"] if a["rule"] == "overload"]
    events = [e for e in travelled["alerts.alertevent"] if e["alert"] == alert["id"]]
    assert (len(events), len(travelled["alerts.case"]), len(travelled["alerts.casenote"])) == (
        3,
        1,
        1,
    )
    assert (alert["version"], alert["status"], alert["case"]) == (
        3,
        "escalated",
        travelled["alerts.case"][0]["uuid"],
    )
    # raised under the province's 48 t pulled from the hub, which holds that very version
    assert alert["rule_version"] == pulled["alerts.ruleversion"][0]["uuid"]
    on_hub = _dump(hub.env)
    assert _differing(on_hub, on_node) == []
    assert on_hub == on_node
    # and per county: 8 tickets, 180 t drawn of the mine's 200 t out of the county's 300 t,
    # every balance and every entry as the node holds them
    assert on_node["tickets_per_county"] == {"210381": 8}
    county = on_node["county"]
    assert (county["allocated_kg"], county["allocated_to_mines_kg"], county["consumed_kg"]) == (
        300_000_000,
        200_000,
        180_000,
    )
    assert len(county["entries"]) == 2 + 1 + 6
    # when the hub's answer is lost (the node resends everything from seq 1)
    _run(
        node,
        code="from oreledger.federation.models import HubLink; HubLink.objects.update(acked_seq=0)",
    )
    status = _status(node, "--sync")
    # then nothing is doubled (not a kilogram of quota drawn twice)
    assert status["acked seq"] == total
    assert _dump(hub.env) == on_node


def test_restored_node_is_refused_and_nothing_on_the_hub_overwritten(pair, tmp_path) -> None:
    hub, node = pair
    _run(hub.env, code=SEED_REFERENCE)
    hub.start()
    _status(node, "--sync")
    # given a backup of the node, then 10 more changes and 2 trucks' tickets sent to the hub
    database = Path(node["DATABASE_URL"].removeprefix("sqlite:///"))
    _run(node, code=CHANGE_NODE.format(n=3))
    _status(node, "--sync")
    shutil.copy(database, tmp_path / "backup.sqlite3")
    _run(node, code=CHANGE_NODE.format(n=9))
    _run(node, code=RECORD_TICKETS.format(n=2))
    _status(node, "--sync")
    held = _dump(hub.env)
    assert (held["tickets_per_county"], held["county"]["consumed_kg"]) == ({"210381": 2}, 60_000)
    # when the node is restored from the backup and makes a change of its own
    shutil.copy(tmp_path / "backup.sqlite3", database)
    _run(node, code=CHANGE_NODE.format(n=1))
    status = _status(node, "--sync")
    # then the hub refuses it as restored, and holds exactly what it held
    assert "node_restored" in status["last error"]
    assert _dump(hub.env) == held
    nodes = _run(
        hub.env,
        code="from oreledger.federation.models import Node; "
        "print('RESTORED', Node.objects.get(code='210381').restored_at is not None)",
    )
    assert "RESTORED True" in nodes


def test_a_batch_cut_mid_transfer_or_not_owned_applies_nothing(pair) -> None:
    hub, node = pair
    hub.start()
    _status(node, "--sync")
    _run(node, code=CHANGE_NODE.format(n=5))
    # given the node's pending batch, one change claiming a province-owned region
    _run(
        node,
        code="from oreledger.federation.models import OutboxChange as O\n"
        "from oreledger.accounts.models import Region\n"
        "r = Region.objects.get(code='210381')\n"
        "last = O.objects.order_by('-seq').first()\n"
        "O.objects.create(seq=last.seq + 1, model='accounts.region', uuid=r.uuid, version=9,"
        " op='upsert', at=last.at, data={'uuid': str(r.uuid), 'owner_node': '210381'})\n"
        "from oreledger.federation.models import OutboxCounter\n"
        "OutboxCounter.objects.update(last_seq=last.seq + 1)",
    )
    # when it is sent
    status = _status(node, "--sync")
    # then the whole batch is refused (not_owner), nothing of it applied
    assert "not_owner" in status["last error"]
    assert status["acked seq"] == "0"
    assert _enterprises(_dump(hub.env)) == []
    # when a batch is cut off in the middle of its transfer
    body = json.dumps({"node": NODE, "from_seq": 1, "changes": [{"seq": 1}]}).encode()[:-7]
    from oreledger.weighing.signing import sign

    secret = json.loads(Path(node["OL_HUB_SECRET_FILE"]).read_text())["secret"]
    stamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (the local hub)
        f"{hub.url}/api/v1/federation/changes",
        data=body,
        method="POST",
        headers={
            "X-OL-Node": NODE,
            "X-OL-Timestamp": stamp,
            "X-OL-Signature": sign(secret, stamp, "POST", "/api/v1/federation/changes", body),
        },
    )
    with pytest.raises(urllib.error.HTTPError) as cut:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    # then it is refused as malformed and nothing is applied
    assert cut.value.code == 400
    assert _enterprises(_dump(hub.env)) == []
