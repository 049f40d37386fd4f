"""One Dashiqiao record of every kind a route can reach, for the jurisdiction sweep.

`build_dashiqiao(world)` builds them on top of the personas with the apps' own test helpers
and services; `routes_with_kwargs()` and `scoped_list_routes()` enumerate the project's URLs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from oreledger.accounts.models import ApiToken, Region, User
from oreledger.accounts.signin import record_sign_in
from oreledger.accounts.tests.factories import UserFactory, department
from oreledger.alerts.models import Alert, Case, CaseNote
from oreledger.alerts.services import add_case_note, open_case
from oreledger.appeals.models import Appeal
from oreledger.appeals.models import Entry as AppealEntry
from oreledger.appeals.services import raise_appeal
from oreledger.assessment.models import Evidence, Scheme
from oreledger.assessment.queries import Period
from oreledger.assessment.services import create_scheme, submit_evidence
from oreledger.briefings.models import Briefing
from oreledger.core.listing import ScopedListView
from oreledger.core.models import ExportRun, ImportRun
from oreledger.grading.models import Assay, GradingStandard
from oreledger.grading.services import record_assay
from oreledger.inspections.models import InspectionPhoto, OrderAnswer
from oreledger.inspections.tests.support import Visit, build_visit
from oreledger.quotas.models import QuotaAccount, QuotaChange
from oreledger.quotas.services import allocate_quota, request_adjustment
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitRequirement,
    PermitType,
    Site,
    Station,
    Vehicle,
)
from oreledger.registry.services import create_station
from oreledger.registry.tests.conftest import build_records
from oreledger.trade import services as trade
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing
from oreledger.trade.tests.market import Market, build_market, contract_terms, listing_terms
from oreledger.weighing.models import Ticket, TicketCorrection, Waybill
from oreledger.weighing.services.corrections import request_correction
from oreledger.weighing.tests.support import (
    Mine,
    body,
    give_gate_permits,
    post,
    ticket,
    waybills_for,
)
from oreledger.worklist.models import Task
from oreledger.worklist.services import create_task, create_working_group
from testkit.personas import Province

SKIPPED_PREFIXES = ("admin/", "__debug__/")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its namespaced name, its full pattern, its view callback."""

    name: str
    pattern: str
    callback: Any

    @property
    def api(self) -> bool:
        """An API route (token authentication) rather than a page (session)."""
        return self.name.startswith("api:")


def all_routes() -> Iterator[Route]:
    """Every named URL pattern of the project, outside the admin and the debug toolbar."""

    def walk(patterns: Any, prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                full = prefix + str(entry.pattern)
                if not full.startswith(SKIPPED_PREFIXES) and entry.name:
                    yield Route(namespace + entry.name, full, entry.callback)

    yield from walk(get_resolver().url_patterns, "", "")


def routes_with_kwargs() -> dict[str, Route]:
    """The routes whose URL carries a record lookup (a converter or a named group)."""
    return {r.name: r for r in all_routes() if "<" in r.pattern}


def scoped_list_routes() -> dict[str, type[ScopedListView]]:
    """The routes without kwargs served by a ScopedListView (they export with ?export=xlsx)."""
    found = {}
    for route in all_routes():
        view_class = getattr(route.callback, "view_class", None)
        if (
            "<" not in route.pattern
            and isinstance(view_class, type)
            and issubclass(view_class, ScopedListView)
        ):
            found[route.name] = view_class
    return found


@dataclass
class Dashiqiao:
    """A record of every kind in Dashiqiao (210882), and what the sweep needs around them."""

    world: Province
    market: Market
    region: Region
    user: User
    token: ApiToken
    enterprise: Enterprise
    site: Site
    station: Station
    vehicle: Vehicle
    permit: Permit
    permit_type: PermitType
    requirement: PermitRequirement
    standard: GradingStandard
    floor_price: FloorPrice
    assay: Assay
    account: QuotaAccount
    change: QuotaChange
    listing: Listing
    bid: Bid
    contract: Contract
    submitted: Contract
    waybill: Waybill
    ticket: Ticket
    correction: TicketCorrection
    alert: Alert
    case: Case
    # A note on the case with a PDF attached (its file is removed by the fixture).
    note: CaseNote
    # An appeal of the Dashiqiao enterprise, raised by its own user, not yet routed.
    appeal: Appeal
    run: ImportRun
    # A finished list export of the Dashiqiao operator (its file is removed by the fixture).
    export: ExportRun
    # A Dashiqiao campaign, its inspection of the mine, the order and a decision.
    visit: Visit
    # A joint-action task of Dashiqiao's natural-resources bureau, and a province scheme.
    task: Task
    scheme: Scheme
    # Dashiqiao's funding entry of 2026-Q1, awaiting the province's approval.
    evidence: Evidence
    # A draft weekly briefing of Dashiqiao.
    briefing: Briefing
    # The Dashiqiao mine's exit station (code, secret), which weighed the ticket.
    exit_station: tuple[str, str]
    # A Haicheng mine's exit station (code, secret), to ask the station API as Haicheng.
    haicheng_station: tuple[str, str]


def _task(world: Province) -> Task:
    """A Dashiqiao task of a province working group."""
    lead = department("natural_resources", world.dashiqiao)
    group = create_working_group(actor=None, name="矿山整合专班", region=world.province,
                                 lead_department=lead)  # fmt: skip
    today = timezone.localdate()
    return create_task(actor=None, group=group, number="DSQ-T-1", title="关停小散矿山",
                       responsible_department=lead, start=today,
                       due=today + datetime.timedelta(days=30))  # fmt: skip


def build_dashiqiao(world: Province) -> Dashiqiao:
    """Registry records in both counties, the trade market, then Dashiqiao's flow of ore."""
    records = build_records(world)
    market = build_market(world)
    dsq, site, operator = records.dsq, records.dsq_site, world.user("dashiqiao_operator")
    year = market.today.year
    allocate_quota(actor=None, period=year, mineral="magnesite", holder=world.dashiqiao,
                   allocated_kg=200_000_000)  # fmt: skip
    allocate_quota(actor=None, period=year, mineral="magnesite", holder=site,
                   allocated_kg=100_000_000)  # fmt: skip
    account = QuotaAccount.objects.get(holder_site=site, period__year=year)
    change = request_adjustment(actor="test", account=account, amount_kg=1_000, reason="核减")
    listing = trade.create_listing(**listing_terms(market, actor=None, site=site)).listing
    bid = trade.place_bid(actor=market.rival_user, listing=listing,
                          destination_site=market.rival_plant, price=Decimal("430"),
                          quantity_kg=100_000)  # fmt: skip
    terms = contract_terms(market, actor=None, seller=dsq, origin_site=site, buyer=market.rival,
                           destination_site=market.rival_plant)  # fmt: skip
    contract = trade.create_contract(**terms)
    trade.submit_contract(actor=None, contract=contract)
    contract = trade.approve_contract(actor=None, contract=contract)
    submitted = trade.submit_contract(actor=None, contract=trade.create_contract(**terms))
    give_gate_permits(site, world.dashiqiao)
    exit_station, secret = create_station(actor=None, code="DSQ-ST-002", name="金鼎矿出口",
                                          region=world.dashiqiao, lat=site.lat, lon=site.lon,
                                          site=site)  # fmt: skip
    [waybill] = waybills_for(Mine(site, contract), [records.dsq_vehicle.plate])
    at = timezone.now() - datetime.timedelta(hours=1)
    overloaded = ticket(1, waybill.plate, waybill=waybill.number, net=34_500, at=at,
                        ticket_no="DSQ-T-0001")  # fmt: skip
    response = post(Client(), exit_station.code, str(secret), body([overloaded]))
    assert response.status_code == 200, response.content
    weighed = Ticket.objects.get(station=exit_station)
    correction = request_correction(actor=operator, ticket=weighed, reason="车牌识别错误",
                                    plate="辽H30003")  # fmt: skip
    alert = Alert.objects.filter(region=world.dashiqiao).order_by("first_seen").first()
    assert alert is not None, "the overloaded Dashiqiao ticket raised no alert"
    Alert.objects.filter(pk=alert.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    case = open_case(actor=operator, title="金鼎矿超载运输", region=world.dashiqiao,
                     enterprise=dsq, site=site, violations="超载")  # fmt: skip
    record = SimpleUploadedFile("勘查笔录.pdf", b"%PDF-1.7 sweep")
    note = add_case_note(actor=operator, case=case, text="现场勘查", attachment=record)
    appellant = UserFactory(username="dsq_appellant", role="enterprise_user",
                            region=world.dashiqiao, enterprise=dsq)  # fmt: skip
    appeal = raise_appeal(actor=appellant, category="logistics",
                          description="运矿道路年久失修，雨季无法通行。")  # fmt: skip
    assay = record_assay(actor=None, site=site, lot="DSQ-LOT-0001",
                         sampled_on=market.today - datetime.timedelta(days=1),
                         components={"mgo": Decimal("46.20"), "cao": Decimal("0.80"),
                                     "sio2": Decimal("1.10")}, lab="大石桥检测站")  # fmt: skip
    run = ImportRun.objects.create(actor=operator, scope=world.dashiqiao, file_path="/nonexistent",
                                   file_name="大石桥台账.xlsx", status="succeeded", stage="done",
                                   finished_at=timezone.now())  # fmt: skip
    export = ExportRun.objects.create(
        actor=operator, path="/weighing/tickets/", title="磅单", status="succeeded", total=1,
        done=1, file_name="tickets.xlsx", finished_at=timezone.now(),
    )  # fmt: skip
    export_file = Path(settings.MEDIA_ROOT) / "exports" / f"{export.uuid}.xlsx"
    export_file.parent.mkdir(parents=True, exist_ok=True)
    export_file.write_bytes(b"PK sweep")
    ExportRun.objects.filter(pk=export.pk).update(file_path=str(export_file))
    export.file_path = str(export_file)
    world.api("dashiqiao_operator")  # issues the persona's token
    record_sign_in(username=operator.username, user=operator, outcome="succeeded",
                   factor="password", address="10.8.8.8")  # fmt: skip
    hc_station, hc_secret = create_station(actor=None, code="HC-ST-SWEEP", name="华鑫一号矿出口",
                                           region=world.haicheng, lat=market.mine.lat,
                                           lon=market.mine.lon, site=market.mine)  # fmt: skip
    visit = build_visit(world, site, operator)
    # A file on each record kind that stores one, for the scoped download routes.
    photo = InspectionPhoto(result=visit.inspection.results.order_by("pk")[0])
    photo.image.save("现场.pdf", ContentFile(b"%PDF-1.7 sweep"))
    answer = OrderAnswer(order=visit.order, text="已整改")
    answer.evidence.save("整改.pdf", ContentFile(b"%PDF-1.7 sweep"))
    line = AppealEntry(appeal=appeal, kind="progress", at=timezone.now(), text="办理中")
    line.attachment.save("进展.pdf", ContentFile(b"%PDF-1.7 sweep"))
    requirement = PermitRequirement.objects.order_by("pk").first()
    assert requirement is not None, "the permit matrix is seeded by migration"
    return Dashiqiao(
        world=world,
        market=market,
        region=world.dashiqiao,
        user=operator,
        token=ApiToken.objects.filter(user=operator).get(),
        enterprise=dsq,
        site=site,
        station=records.dsq_station,
        vehicle=records.dsq_vehicle,
        permit=records.dsq_permit,
        permit_type=records.dsq_permit.type,
        requirement=requirement,
        standard=market.standard,
        floor_price=FloorPrice.objects.filter(grade=market.grade()).get(),
        assay=assay,
        account=account,
        change=change,
        listing=listing,
        bid=bid,
        contract=contract,
        submitted=submitted,
        waybill=waybill,
        ticket=weighed,
        correction=correction,
        alert=Alert.objects.get(pk=alert.pk),
        case=case,
        note=note,
        appeal=appeal,
        run=run,
        export=export,
        visit=visit,
        task=_task(world),
        scheme=create_scheme(
            actor=None,
            code="sweep",
            name="考核",
            period="quarter",
            indicators=[("tasks_on_time", Decimal(100), "proportional", Decimal(1))],
        ),
        evidence=submit_evidence(
            actor=None,
            region=world.dashiqiao,
            kind="funding",
            period=Period.parse("quarter", "2026-Q1"),
            planned=Decimal(100),
            actual=Decimal(80),
            evidence="大石桥分平台拨款文件",
            attachment=SimpleUploadedFile("拨款文件.pdf", b"%PDF-1.7 sweep"),
        ),
        briefing=Briefing.objects.create(region=world.dashiqiao, week="2026-W03"),
        exit_station=(exit_station.code, str(secret)),
        haicheng_station=(hc_station.code, str(hc_secret)),
    )
