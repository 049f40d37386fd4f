"""Issue 2's sweep: the Haicheng operator reaches no Dashiqiao record by page, API or export.

Every route of the project whose URL names a record is listed in ROUTES (a 404 for Haicheng,
and data unchanged), CONFIGURATION (province-wide: Haicheng may see it but not change it)
or EXEMPT (with the reason). A route in none of them fails the build, so a new endpoint
cannot ship without its jurisdiction check. Every ScopedListView's export is checked too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, models, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from oreledger.accounts.models import ApiToken, Region, SignInEvent, User
from oreledger.alerts.models import Alert, AlertEvent, Case, CaseNote, RuleVersion
from oreledger.appeals.models import Appeal, Entry, Notice, Routing, StageRecord, TimeLimits
from oreledger.assessment.models import Evidence, Indicator, Scheme
from oreledger.briefings.models import Briefing
from oreledger.core.models import ExportRun, ImportRun
from oreledger.grading.models import Assay, Grade, GradingStandard
from oreledger.inspections.models import (
    Campaign,
    ClassificationDecision,
    Finding,
    Inspection,
    InspectionPhoto,
    OrderAnswer,
    OrderSignoff,
    RectificationOrder,
)
from oreledger.quotas.models import LedgerEntry, QuotaAccount, QuotaChange
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitRequirement,
    PermitType,
    Site,
    Station,
    Vehicle,
)
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing, Notification
from oreledger.weighing.models import BlockingSet, Ticket, TicketCorrection, Waybill
from oreledger.weighing.tests.support import get as signed_get
from oreledger.worklist.models import Task
from testkit.matrix import fingerprint
from testkit.personas import build_province
from testkit.sweep import (
    Dashiqiao,
    build_dashiqiao,
    routes_with_kwargs,
    scoped_list_routes,
)

Kwargs = Callable[[Dashiqiao], dict[str, Any]]

# Every table a refused request could touch (the audit trail is always added by fingerprint).
WATCH: list[type[models.Model]] = [
    Region, User, Enterprise, Site, Station, Vehicle, Permit, PermitType, PermitRequirement,
    GradingStandard, Grade, Assay, QuotaAccount, QuotaChange, LedgerEntry, Listing, Bid,
    Contract, FloorPrice, Notification, Waybill, Ticket, TicketCorrection, Alert, AlertEvent,
    Case, CaseNote, RuleVersion, ImportRun, ExportRun, Appeal, Entry, Notice, Routing,
    StageRecord, TimeLimits, Campaign, Inspection, Finding, RectificationOrder, OrderAnswer,
    OrderSignoff, ClassificationDecision, BlockingSet, Scheme, Indicator, Evidence, Briefing,
]  # fmt: skip
# What an action would send if the lookup let it through: enough for most forms to pass.
POST_DATA = {
    "note": "越权操作",
    "reason": "越权操作",
    "text": "越权操作",
    "resolution": "false_positive",
    "decision": "approve",
    "override_reason": "越权操作",
    "blacklist_reason": "越权操作",
    "status": "suspended",
    "amount": "1",
    "fine_yuan": "1000",
}


@dataclass(frozen=True)
class Target:
    """How to reach a Dashiqiao record through one route.

    `kwargs` builds the URL kwargs; `variants` adds further values of a kwarg (every
    action a route dispatches on). `action` routes change something: they are POSTed, and
    their GET may be a 405. `owner` is the persona for whom the record is in scope (the
    check that the lookup is right and the 404 is not vacuous).
    """

    kwargs: Kwargs
    action: bool = False
    form: bool = False
    owner: str = "dashiqiao_operator"
    variants: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def all_kwargs(self, d: Dashiqiao) -> Iterator[dict[str, Any]]:
        """The URL kwargs, once per variant."""
        base = self.kwargs(d)
        for variant in self.variants or ({},):
            yield {**base, **variant}


def _user(d: Dashiqiao) -> dict[str, Any]:
    return {"username": d.user.username}


def _uscc(d: Dashiqiao) -> dict[str, Any]:
    return {"uscc": d.enterprise.uscc}


def _site(d: Dashiqiao) -> dict[str, Any]:
    return {"code": d.site.code}


def _station(d: Dashiqiao) -> dict[str, Any]:
    return {"code": d.station.code}


def _plate(d: Dashiqiao) -> dict[str, Any]:
    return {"plate": d.vehicle.plate}


def _permit(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.permit.number}


def _account(d: Dashiqiao) -> dict[str, Any]:
    return {"pk": d.account.pk}


def _listing(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.listing.number}


def _bid(d: Dashiqiao) -> dict[str, Any]:
    return {"pk": d.bid.pk}


def _contract(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.contract.number}


def _submitted(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.submitted.number}


def _waybill(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.waybill.number}


def _ticket(d: Dashiqiao) -> dict[str, Any]:
    return {"pk": d.ticket.pk}


def _case(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.case.number}


def _note(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.case.number, "pk": d.note.pk}


def _alert(d: Dashiqiao) -> dict[str, Any]:
    return {"pk": d.alert.pk}


def _briefing(d: Dashiqiao) -> dict[str, Any]:
    return {"pk": d.briefing.pk}


def _appeal(d: Dashiqiao) -> dict[str, Any]:
    return {"number": d.appeal.number}


def _score(d: Dashiqiao) -> dict[str, Any]:
    return {"code": d.scheme.code, "period": "2026-Q1", "county": d.region.code}


def _actions(kwarg: str, *names: str) -> tuple[dict[str, Any], ...]:
    return tuple({kwarg: name} for name in names)


def _change(d: Dashiqiao) -> dict[str, Any]:
    return {"pk": d.change.pk}


DECISIONS = _actions("decision", "approve", "reject")
ALERT_ACTIONS = _actions("action", "acknowledge", "investigate", "assign", "resolve", "escalate")
CONTRACT_ACTIONS = _actions("action", "submit", "approve", "return", "terminate", "complete")

# Route name → how a Dashiqiao record is named in its URL. Haicheng gets a 404, nothing changes.
ROUTES: dict[str, Target] = {
    # core, accounts
    "core:bundle_run": Target(lambda d: {"run_uuid": d.run.uuid}),
    "core:export_run": Target(lambda d: {"run_uuid": d.export.uuid}),
    "core:export_file": Target(lambda d: {"run_uuid": d.export.uuid}),
    "accounts:token_revoke": Target(lambda d: {"pk": d.token.pk}, action=True),
    "accounts:user_detail": Target(_user),
    # The province ends a person's sessions and resets their authenticator (a confirmation
    # step first); a county operator, even the person's own, gets a 404.
    "accounts:user_sessions_end": Target(_user, action=True, owner="province_officer"),
    "accounts:user_second_factor_reset": Target(_user, action=True, owner="province_officer"),
    "api:accounts:region-detail": Target(lambda d: {"code": d.region.code}),
    "api:accounts:user-detail": Target(_user),
    # registry pages
    "registry:enterprise_detail": Target(_uscc),
    "registry:enterprise_edit": Target(_uscc, form=True),
    "registry:enterprise_status": Target(_uscc, action=True),
    "registry:site_detail": Target(_site),
    "registry:site_edit": Target(_site, form=True),
    "registry:site_status": Target(_site, action=True),
    "registry:station_detail": Target(_station),
    "registry:station_edit": Target(_station, form=True),
    "registry:station_rotate": Target(_station, action=True),
    "registry:station_disable": Target(_station, action=True),
    "registry:vehicle_detail": Target(_plate),
    "registry:vehicle_edit": Target(_plate, form=True),
    "registry:vehicle_blacklist": Target(_plate, action=True),
    "registry:permit_detail": Target(_permit),
    "registry:permit_edit": Target(_permit, form=True),
    "registry:permit_status": Target(_permit, action=True),
    # registry API
    "api:registry:enterprise-detail": Target(_uscc),
    "api:registry:enterprise-status": Target(_uscc, action=True),
    "api:registry:site-detail": Target(_site),
    "api:registry:site-status": Target(_site, action=True),
    "api:registry:station-detail": Target(_station),
    "api:registry:station-disable": Target(_station, action=True),
    "api:registry:vehicle-detail": Target(_plate),
    "api:registry:vehicle-blacklist": Target(_plate, action=True),
    "api:registry:vehicle-reinstate": Target(_plate, action=True),
    "api:registry:permit-detail": Target(_permit),
    "api:registry:permit-status": Target(_permit, action=True),
    # quotas
    "quotas:account_detail": Target(_account),
    "quotas:account_burndown": Target(_account),
    "quotas:transfer_new": Target(_account, action=True),
    "quotas:adjust_new": Target(_account, action=True),
    "quotas:change_decide": Target(_change, action=True, variants=DECISIONS),
    # trade
    "trade:listing_detail": Target(_listing),
    "trade:bid_create": Target(_listing, action=True, owner="province_officer"),
    "trade:listing_withdraw": Target(_listing, action=True),
    "trade:bid_accept": Target(_bid, action=True),
    "trade:bid_reject": Target(_bid, action=True),
    "trade:bid_withdraw": Target(_bid, action=True),
    "trade:contract_detail": Target(_contract),
    "trade:contract_action": Target(_submitted, action=True, variants=CONTRACT_ACTIONS),
    "api:trade:contract-by-number": Target(_contract),
    "api:trade:contract-detail": Target(_contract),
    "api:trade:contract-approve": Target(_submitted, action=True),
    "api:trade:contract-return-": Target(_submitted, action=True),
    "api:trade:contract-submit": Target(_submitted, action=True),
    "api:trade:listing-detail": Target(_listing),
    "api:trade:bid-detail": Target(_bid),
    "api:trade:bid-accept": Target(_bid, action=True),
    # weighing
    "weighing:waybill_detail": Target(_waybill),
    "weighing:waybill_slip": Target(_waybill),
    "weighing:waybill_qr": Target(_waybill),
    "weighing:waybill_void": Target(_waybill, action=True),
    "weighing:ticket_detail": Target(_ticket),
    "weighing:correction_decide": Target(lambda d: {"pk": d.correction.pk}, action=True),
    "weighing:station_detail": Target(lambda d: {"code": d.exit_station[0]}),
    "weighing:blocking_edit": Target(lambda d: {"code": d.region.code}),
    "api:weighing:waybill-detail": Target(_waybill),
    "api:weighing:waybill-slash-detail": Target(_waybill),
    "api:weighing:ticket-detail": Target(_ticket),
    "api:weighing:ticket-slash-detail": Target(_ticket),
    # alerts
    "alerts:alert_detail": Target(_alert),
    "alerts:alert_action": Target(_alert, action=True, variants=ALERT_ACTIONS),
    "alerts:case_detail": Target(_case),
    # inspections
    "inspections:campaign_detail": Target(lambda d: {"pk": d.visit.campaign.pk}),
    "inspections:inspect": Target(
        lambda d: {"pk": d.visit.campaign.pk, "site": d.site.code}, form=True
    ),
    "inspections:inspection_detail": Target(lambda d: {"pk": d.visit.inspection.pk}),
    "inspections:campaign_edit": Target(lambda d: {"pk": d.visit.campaign.pk}, form=True),
    "inspections:checkup": Target(lambda d: {"pk": d.visit.campaign.pk, **_uscc(d)}),
    "inspections:checkup_pdf": Target(lambda d: {"pk": d.visit.campaign.pk, **_uscc(d)}),
    "inspections:dashboard": Target(
        lambda d: {"pk": d.visit.campaign.pk},
        variants=({"by": "town"}, {"by": "department"}),
    ),
    "inspections:dashboard_drill": Target(
        lambda d: {"pk": d.visit.campaign.pk, "by": "town", "key": d.site.region.code},
        variants=({}, {"by": "department", "key": "ecology_environment"}),
    ),
    "inspections:order_new": Target(lambda d: {"pk": d.visit.inspection.pk}, action=True),
    "inspections:decision_new": Target(_uscc, form=True),
    "inspections:order_detail": Target(lambda d: {"number": d.visit.order.number}),
    "inspections:order_action": Target(
        lambda d: {"number": d.visit.order.number},
        action=True,
        variants=({"action": "answer"}, {"action": "sign"}),
    ),
    "alerts:case_pdf": Target(_case),
    "alerts:case_note_attachment": Target(_note),
    # every other stored upload, through its record's scope
    "inspections:inspection_photo": Target(
        lambda d: {
            "pk": d.visit.inspection.pk,
            "photo": InspectionPhoto.objects.get(result__inspection=d.visit.inspection).pk,
        }
    ),
    "inspections:answer_evidence": Target(
        lambda d: {
            "number": d.visit.order.number,
            "pk": OrderAnswer.objects.get(order=d.visit.order).pk,
        }
    ),
    "appeals:entry_attachment": Target(
        lambda d: {
            "number": d.appeal.number,
            "pk": Entry.objects.exclude(attachment="").get(appeal=d.appeal).pk,
        }
    ),
    "assessment:evidence_attachment": Target(lambda d: {"pk": d.evidence.pk}),
    "alerts:case_action": Target(
        _case, action=True, variants=_actions("action", "note", "decide", "close", "publish")
    ),
    "api:alerts:alert-detail": Target(_alert),
    "api:alerts:alert-slash-detail": Target(_alert),
    "api:alerts:case-detail": Target(_case),
    "api:alerts:case-slash-detail": Target(_case),
    # appeals
    "appeals:appeal_detail": Target(_appeal),
    "appeals:appeal_action": Target(
        _appeal,
        action=True,
        variants=_actions(
            "action",
            "route",
            "answer",
            "solve",
            "reclassify",
            "decide",
            "override",
            "visit",
            "confirm",
        ),
    ),
    "api:appeals:appeal-detail": Target(_appeal),
    "api:appeals:appeal-slash-detail": Target(_appeal),
    # briefings
    "briefings:briefing_detail": Target(_briefing),
    "briefings:briefing_narrative": Target(_briefing, action=True),
    "briefings:briefing_issue": Target(_briefing, action=True),
    "api:briefings:briefing-detail": Target(_briefing),
    "api:briefings:briefing-slash-detail": Target(_briefing),
    # inspections
    "api:inspections:campaign-detail": Target(lambda d: {"pk": d.visit.campaign.pk}),
    "api:inspections:inspection-detail": Target(lambda d: {"pk": d.visit.inspection.pk}),
    "api:inspections:finding-detail": Target(
        lambda d: {"pk": Finding.objects.get(inspection=d.visit.inspection).pk}
    ),
    "api:inspections:order-detail": Target(lambda d: {"number": d.visit.order.number}),
    "api:inspections:decision-detail": Target(
        lambda d: {"pk": ClassificationDecision.objects.get(campaign=d.visit.campaign).pk}
    ),
    # worklist, assessment
    "worklist:task_detail": Target(lambda d: {"number": d.task.number}, form=True),
    "api:worklist:task-detail": Target(lambda d: {"number": d.task.number}),
    "assessment:county": Target(_score),
    "assessment:records": Target(_score, variants=_actions("kind", "tasks_on_time")),
    "api:assessment:score": Target(_score),
    # The province decides a county's entry; the other county's operator must not reach it.
    "assessment:evidence_decide": Target(
        lambda d: {"pk": d.evidence.pk}, action=True, owner="province_officer"
    ),
}


@dataclass(frozen=True)
class Configuration:
    """A province-wide configuration row: Haicheng may read it, and may not change it.

    `read` is the status of Haicheng's GET (an edit form is the province office's: 403;
    a POST-only route: 405). `writes` is False for a read-only page, which answers a POST
    like a GET: only "nothing changed" is asserted then.
    """

    kwargs: Kwargs
    read: int = 200
    writes: bool = True


# "province-wide configuration": one row for the whole province, not a Dashiqiao record.
CONFIGURATION: dict[str, Configuration] = {
    "registry:permit_type_edit": Configuration(lambda d: {"code": d.permit_type.code}, read=403),
    "registry:requirement_delete": Configuration(lambda d: {"pk": d.requirement.pk}, read=405),
    "grading:standard_detail": Configuration(lambda d: {"code": d.standard.code}, writes=False),
    "api:grading:grading-standard-detail": Configuration(lambda d: {"code": d.standard.code}),
    "api:trade:floor-price-detail": Configuration(lambda d: {"pk": d.floor_price.pk}),
    # The rule catalogue; a county's change applies to its own region (checked below).
    "alerts:rule_detail": Configuration(lambda d: {"code": "overload"}),
    "api:worklist:group-detail": Configuration(lambda d: {"pk": d.task.group.pk}),
    "api:assessment:scheme-detail": Configuration(lambda d: {"code": d.scheme.code}),
    "assessment:scheme_edit": Configuration(lambda d: {"code": d.scheme.code}, read=403),
}

# Routes with a kwarg that names no Dashiqiao record a person could reach, and why.
EXEMPT: dict[str, str] = {
    # The public portal: the kwarg names a published table (licences, prices, …), the same for
    # everyone; what each table may show is proven in public/tests/test_portal.py.
    "public:table": "a published table, public by design",
    # One's own session: looked up with user=the caller, like a token (any other is a 404),
    # proven in accounts/tests/test_sign_in_audit.py.
    "accounts:session_end": "one's own session only, looked up by the caller",
    "public:download": "a published table's download, public by design",
    "api:public:public-table": "a published table's rows, public by design",
    # Every county side by side: the province's only; a county is sent to its own score
    # (page) or refused (API), proven in assessment/tests/test_pages.py.
    "assessment:ranking": "a scheme's ranking, the province office's only",
    "api:assessment:ranking": "a scheme's ranking, the province office's only",
}

# The station protocol: signed by a station, not a person; checked by its own test below.
STATION_WAYBILL = "api:weighing:station_waybill"


# --- the Dashiqiao records, built once for the module ------------------------------------


@pytest.fixture(scope="module")
def dsq(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Dashiqiao]:
    """The province and a Dashiqiao record of every kind, rolled back after the module.

    Each test runs in a savepoint inside this module's transaction (the `db` fixture).
    """
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        built = None
        try:
            world = build_province()
            built = build_dashiqiao(world)
            for name in ("haicheng_operator", "province_officer"):
                world.api(name)  # tokens issued now survive every test's rollback
            yield built
        finally:
            if built is not None:
                Path(built.export.file_path).unlink(missing_ok=True)
                built.note.attachment.delete(save=False)
                built.evidence.attachment.delete(save=False)
                for stored in (
                    *InspectionPhoto.objects.filter(result__inspection=built.visit.inspection),
                    *OrderAnswer.objects.filter(order=built.visit.order),
                    *Entry.objects.filter(appeal=built.appeal),
                ):
                    for name in ("image", "evidence", "attachment"):
                        if getattr(stored, name, None):
                            getattr(stored, name).delete(save=False)
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


def _state() -> tuple[str, list[Any]]:
    """The watched tables, and which API tokens are live (last_used_at moves on every use)."""
    tokens = list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at"))
    return fingerprint(WATCH), tokens


def _client(d: Dashiqiao, persona: str, api: bool) -> Any:
    return d.world.api(persona) if api else d.world.client(persona)


def _send(client: Any, method: str, url: str, api: bool) -> Any:
    if method == "get":
        return client.get(url)
    if api:
        return getattr(client, method)(url, POST_DATA, format="json")
    return getattr(client, method)(url, POST_DATA)


def _methods(name: str, target: Target) -> list[str]:
    """GET always; POST for actions and forms; PATCH/PUT/DELETE on API details."""
    if target.action or target.form:
        return ["get", "post"]
    if name.startswith("api:"):
        return ["get", "patch", "put", "delete"]
    return ["get"]


def _refusals(method: str, target: Target) -> set[int]:
    """The answers Haicheng may get: 404, or 405 where the route serves no such method
    (the GET of a POST-only action, an API method the endpoint does not offer)."""
    if method == "post" or (method == "get" and not target.action):
        return {404}
    return {404, 405}


# --- coverage of the route table ----------------------------------------------------------


def test_every_route_with_a_record_in_its_url_is_swept() -> None:
    enumerated = set(routes_with_kwargs())
    listed = set(ROUTES) | set(CONFIGURATION) | set(EXEMPT) | {STATION_WAYBILL}
    missing = sorted(enumerated - listed)
    assert not missing, f"routes without a jurisdiction sweep entry: {missing}"
    stale = sorted(listed - enumerated)
    assert not stale, f"sweep entries for routes that no longer exist: {stale}"
    assert len(enumerated) >= 80


def test_every_exemption_gives_its_reason() -> None:
    assert all(reason.strip() for reason in EXEMPT.values())


# --- one record per route: 404 for Haicheng, in scope for its owner -----------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_haicheng_gets_404_for_the_dashiqiao_record(db: Any, dsq: Dashiqiao, name: str) -> None:
    target = ROUTES[name]
    api = name.startswith("api:")
    haicheng = _client(dsq, "haicheng_operator", api)
    owner = _client(dsq, target.owner, api)
    before = _state()
    for kwargs in target.all_kwargs(dsq):
        url = reverse(name, kwargs=kwargs)
        for method in _methods(name, target):
            response = _send(haicheng, method, url, api)
            allowed = _refusals(method, target)
            assert response.status_code in allowed, (
                f"{method.upper()} {url} as haicheng_operator: {response.status_code}, "
                f"expected {sorted(allowed)}: {response.content[:300]!r}"
            )
        assert _state() == before, f"a refused request to {url} changed data"
    # The lookup is right: the record's own people get something other than a 404.
    for kwargs in target.all_kwargs(dsq):
        url = reverse(name, kwargs=kwargs)
        method = "post" if target.action else "get"
        response = _send(owner, method, url, api)
        assert response.status_code != 404, f"{method.upper()} {url} as {target.owner}: 404"
        assert response.status_code < 500


def test_the_station_protocol_gives_haicheng_no_dashiqiao_waybill(db: Any, dsq: Dashiqiao) -> None:
    url = reverse(STATION_WAYBILL, kwargs={"number": dsq.waybill.number})
    before = _state()
    # a Haicheng mine's weighbridge, signing its request
    code, secret = dsq.haicheng_station
    assert signed_get(Client(), code, secret, url).status_code == 404
    # the Haicheng operator's token is not a station's signature
    assert dsq.world.api("haicheng_operator").get(url).status_code in (401, 403)
    assert _state() == before
    # the Dashiqiao mine's own exit station does see it
    code, secret = dsq.exit_station
    answer = signed_get(Client(), code, secret, url)
    assert answer.status_code == 200 and answer.json()["number"] == dsq.waybill.number


# --- province-wide configuration: Haicheng reads, never changes ---------------------------


@pytest.mark.parametrize("name", sorted(n for n in CONFIGURATION if n != "alerts:rule_detail"))
def test_haicheng_may_read_but_not_change_configuration(db: Any, dsq: Dashiqiao, name: str) -> None:
    entry = CONFIGURATION[name]
    api = name.startswith("api:")
    haicheng = _client(dsq, "haicheng_operator", api)
    url = reverse(name, kwargs=entry.kwargs(dsq))
    before = _state()
    read = haicheng.get(url)
    assert read.status_code == entry.read, (url, read.status_code)
    for method in ("post",) if not api else ("post", "patch", "put", "delete"):
        response = _send(haicheng, method, url, api)
        if entry.writes:
            assert response.status_code in (403, 404, 405), (method, url, response.status_code)
        assert response.status_code < 500, (method, url, response.status_code)
    assert _state() == before, f"a county operator changed configuration through {url}"


def test_a_county_rule_change_never_touches_the_province_or_dashiqiao(
    db: Any, dsq: Dashiqiao
) -> None:
    url = reverse("alerts:rule_detail", kwargs=CONFIGURATION["alerts:rule_detail"].kwargs(dsq))
    haicheng = dsq.world.client("haicheng_operator")
    assert haicheng.get(url).status_code == 200

    def elsewhere() -> list[Any]:
        rows = RuleVersion.objects.exclude(region=dsq.world.haicheng).order_by("pk")
        return list(rows.values())

    before = elsewhere()
    form = haicheng.get(url).context["change_form"]
    data = {f"change-{name}": form[name].value() for name in form.fields}
    # a tighter limit for six axles: a change Haicheng may make, for Haicheng only
    data.update({"change-limits_kg__6": "48000", "change-note": "收紧", "change-severity": "high"})
    assert haicheng.post(url, data).status_code == 302
    assert RuleVersion.objects.filter(region=dsq.world.haicheng, rule="overload").exists()
    assert elsewhere() == before


# --- lists and their exports --------------------------------------------------------------

# The identifier of a Dashiqiao row as a list's workbook shows it, by the list's model.
IDENTIFIERS: dict[type[models.Model], Callable[[Dashiqiao], str]] = {
    Region: lambda d: d.region.code,
    User: lambda d: d.user.username,
    Enterprise: lambda d: d.enterprise.uscc,
    Site: lambda d: d.site.code,
    Station: lambda d: d.station.code,
    Vehicle: lambda d: d.vehicle.plate,
    Permit: lambda d: d.permit.number,
    QuotaAccount: lambda d: d.account.holder_label,
    Listing: lambda d: d.listing.number,
    Contract: lambda d: d.submitted.number,
    Assay: lambda d: d.assay.lot,
    Case: lambda d: d.case.number,
    Campaign: lambda d: d.visit.campaign.name,
    RectificationOrder: lambda d: d.visit.order.number,
    ClassificationDecision: lambda d: d.enterprise.name,
    Alert: lambda d: d.alert.subject_ref,
    Waybill: lambda d: d.waybill.number,
    Ticket: lambda d: d.ticket.ticket_no,
    TicketCorrection: lambda d: d.correction.plate,
    Appeal: lambda d: d.appeal.number,
    Task: lambda d: d.task.number,
    SignInEvent: lambda d: d.user.username,
}
# Lists whose rows are another model's than their identifier says: weighing's station
# board shows the exit station that weighed (the registry's Dashiqiao station has no secret).
BY_ROUTE: dict[str, Callable[[Dashiqiao], str]] = {
    "weighing:station_list": lambda d: d.exit_station[0],
}


def _cells(response: Any) -> set[str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    return {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell}


def test_every_scoped_list_is_swept() -> None:
    lists = scoped_list_routes()
    assert len(lists) >= 14
    unknown = sorted(n for n, v in lists.items() if v.model not in IDENTIFIERS)
    assert not unknown, f"lists whose model has no identifier in the sweep: {unknown}"


@pytest.mark.parametrize("name", sorted(scoped_list_routes()))
def test_export_leaves_out_the_dashiqiao_record(db: Any, dsq: Dashiqiao, name: str) -> None:
    view = scoped_list_routes()[name]
    assert view.model is not None
    identifier = BY_ROUTE.get(name) or IDENTIFIERS[view.model]
    key = identifier(dsq)
    url = reverse(name) + "?export=xlsx"
    clients = {p: dsq.world.client(p) for p in ("haicheng_operator", "province_officer")}
    before = _state()
    haicheng = _cells(clients["haicheng_operator"].get(url))
    assert not any(key in cell for cell in haicheng), f"{key} in Haicheng's export of {url}"
    province = _cells(clients["province_officer"].get(url))
    assert any(key in cell for cell in province), f"{key} not in the province's export of {url}"
    assert _state() == before
