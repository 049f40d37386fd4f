"""The inspections use cases: visit, findings, order, answer, sign-off, decisions."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from oreledger.core.audit import history_for
from oreledger.inspections.errors import InspectionError
from oreledger.inspections.models import (
    ClassificationDecision,
    Finding,
    Inspection,
    InspectionResult,
    RectificationOrder,
)
from oreledger.inspections.queries import campaign_counts, campaign_progress
from oreledger.inspections.services import (
    add_target,
    answer_order,
    decide_classification,
    issue_order,
    sign_acceptance,
    submit_inspection,
)
from oreledger.inspections.tests.support import build_loop, inspect, results_for, today
from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.services import draw_quota
from oreledger.registry.models import Enterprise, Permit, Site
from oreledger.registry.tests.factories import SiteFactory
from oreledger.weighing.tests.support import build_chain, give_gate_permits

pytestmark = pytest.mark.django_db

LICENCE = "采矿许可证在有效期内"
COVERS = "料堆和运输车辆苫盖"


@pytest.fixture
def loop(world):
    return build_loop(world)


@pytest.fixture
def site(world):
    return SiteFactory(code="HC-M-101", enterprise=world.user("enterprise_user").enterprise)


def _order(world, inspection, **extra):
    terms = {
        "target": "补办采矿许可证，苫盖全部料堆",
        "measures": "一、停产；二、补办许可证；三、购置苫盖网",
        "deadline": today() + datetime.timedelta(days=30),
        "responsible_person": "周工",
    }
    terms.update(extra)
    return issue_order(
        actor=world.user("haicheng_operator"),
        findings=list(inspection.findings.order_by("pk")),
        **terms,
    )


def test_a_visit_stores_every_result_and_a_finding_per_failed_item(world, loop, site) -> None:
    inspection = inspect(world, loop, site, {LICENCE: "许可证已于去年过期", COVERS: "料堆裸露"})
    assert inspection.results.count() == 3
    findings = list(inspection.findings.order_by("pk"))
    assert [(f.text, f.stops_production, f.department_kind.code) for f in findings] == [
        ("采矿许可证在有效期内：许可证已于去年过期", True, "natural_resources"),
        ("料堆和运输车辆苫盖：料堆裸露", False, "ecology_environment"),
    ]
    assert inspection.enterprise == site.enterprise and inspection.region == site.region


def test_a_resent_submission_is_stored_once(world, loop, site) -> None:
    key = uuid.uuid4()
    results = results_for(loop.campaign, site, {COVERS: "料堆裸露"})
    sent = [
        submit_inspection(
            actor=world.user("department_officer"),
            campaign=loop.campaign,
            site=site,
            submission_key=key,
            inspected_on=today(),
            results=results,
        )
        for _ in range(2)
    ]
    assert [created for _, created in sent] == [True, False]
    assert sent[0][0].pk == sent[1][0].pk
    assert (Inspection.objects.count(), Finding.objects.count()) == (1, 1)


def test_a_key_used_for_another_site_is_refused(world, loop, site) -> None:
    other = SiteFactory(code="HC-M-102", enterprise=site.enterprise)
    inspection = inspect(world, loop, site)
    with pytest.raises(InspectionError) as refused:
        submit_inspection(
            actor=world.user("department_officer"),
            campaign=loop.campaign,
            site=other,
            submission_key=inspection.submission_key,
            inspected_on=today(),
            results=results_for(loop.campaign, other),
        )
    assert refused.value.code == "key_reused"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda rows: rows[:-1], "results_incomplete"),
        (lambda rows: [{**rows[0], "outcome": "fail", "note": " "}, *rows[1:]], "note_required"),
        (lambda rows: [*rows, {"item": 999999, "outcome": "pass"}], "unknown_item"),
    ],
)
def test_a_bad_submission_stores_nothing(world, loop, site, change, code) -> None:
    with pytest.raises(InspectionError) as refused:
        submit_inspection(
            actor=world.user("department_officer"),
            campaign=loop.campaign,
            site=site,
            submission_key=uuid.uuid4(),
            inspected_on=today(),
            results=change(results_for(loop.campaign, site)),
        )
    assert refused.value.code == code
    assert (Inspection.objects.count(), InspectionResult.objects.count()) == (0, 0)


def test_an_outsider_cannot_inspect_a_site_outside_their_region(world, loop, site) -> None:
    with pytest.raises(InspectionError) as refused:
        submit_inspection(
            actor=world.user("dashiqiao_operator"),
            campaign=loop.campaign,
            site=site,
            submission_key=uuid.uuid4(),
            inspected_on=today(),
            results=results_for(loop.campaign, site),
        )
    assert refused.value.status == 404
    assert Inspection.objects.count() == 0


def test_an_enterprise_user_cannot_inspect(world, loop, site) -> None:
    with pytest.raises(InspectionError) as refused:
        submit_inspection(
            actor=world.user("enterprise_user"),
            campaign=loop.campaign,
            site=site,
            submission_key=uuid.uuid4(),
            inspected_on=today(),
            results=results_for(loop.campaign, site),
        )
    assert refused.value.status == 403


def test_a_stop_order_puts_the_site_in_rectifying_until_every_department_signs(
    world, loop, site
) -> None:
    inspection = inspect(world, loop, site, {LICENCE: "过期", COVERS: "裸露"})
    order = _order(world, inspection)
    site.refresh_from_db()
    assert (order.stops_production, site.status) == (True, "rectifying")
    assert order.number == f"ZG{today().year}{order.pk:06d}"
    assert sorted(order.signoffs.values_list("department_kind__code", flat=True)) == [
        "ecology_environment",
        "natural_resources",
    ]
    with pytest.raises(InspectionError) as early:
        sign_acceptance(actor=world.user("department_officer"), order=order)
    assert early.value.code == "not_answered"

    answer_order(actor=world.user("enterprise_user"), order=order, text="已补办许可证并苫盖")
    sign_acceptance(actor=world.user("department_officer"), order=order, note="许可证已核验")
    order.refresh_from_db()
    site.refresh_from_db()
    assert (order.status, site.status) == ("answered", "rectifying")

    sign_acceptance(actor=loop.ecology_officer, order=order)
    order.refresh_from_db()
    site.refresh_from_db()
    assert (order.status, site.status) == ("closed", "operating")
    assert order.closed_at is not None
    reasons = list(history_for(site).values_list("reason", flat=True))
    assert reasons == [f"{order.number}: accepted", f"{order.number}: {order.target}"]


def test_a_department_signs_once_and_only_for_itself(world, loop, site) -> None:
    inspection = inspect(world, loop, site, {LICENCE: "过期"})
    order = _order(world, inspection)
    answer_order(actor=world.user("enterprise_user"), order=order, text="已补办")
    with pytest.raises(InspectionError) as foreign:
        sign_acceptance(actor=loop.ecology_officer, order=order)
    assert foreign.value.code == "not_your_department"
    sign_acceptance(actor=world.user("department_officer"), order=order)
    with pytest.raises(InspectionError) as twice:
        sign_acceptance(actor=world.user("department_officer"), order=order)
    assert twice.value.code == "order_closed"


def test_only_the_addressed_enterprise_answers(world, loop, site) -> None:
    inspection = inspect(world, loop, site, {COVERS: "裸露"})
    order = _order(world, inspection)
    assert order.stops_production is False
    with pytest.raises(InspectionError) as refused:
        answer_order(actor=world.user("haicheng_operator"), order=order, text="代答")
    assert refused.value.status == 403
    assert order.answers.count() == 0


def test_a_finding_goes_into_one_order_only(world, loop, site) -> None:
    inspection = inspect(world, loop, site, {COVERS: "裸露"})
    _order(world, inspection)
    with pytest.raises(InspectionError) as refused:
        issue_order(
            actor=world.user("haicheng_operator"),
            findings=list(Finding.objects.all()),
            target="再次",
            measures="再次",
            deadline=today() + datetime.timedelta(days=3),
            responsible_person="周工",
        )
    assert refused.value.code == "finding_taken"
    assert RectificationOrder.objects.count() == 1


def test_a_deadline_must_lie_ahead(world, loop, site) -> None:
    inspection = inspect(world, loop, site, {COVERS: "裸露"})
    with pytest.raises(InspectionError) as refused:
        _order(world, inspection, deadline=today())
    assert refused.value.code == "deadline_past"
    assert RectificationOrder.objects.count() == 0


def test_a_shut_down_decision_closes_the_sites_and_flags_the_permits(world, loop, site) -> None:
    enterprise = site.enterprise
    give_gate_permits(site, world.haicheng)
    permits = Permit.objects.filter(holder=enterprise)
    assert permits.count() >= 1
    decision = decide_classification(
        actor=world.user("haicheng_operator"),
        enterprise=enterprise,
        classification="shut_eliminate",
        reason="无证开采，依法关停取缔",
        campaign=loop.campaign,
    )
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.classification) == ("shut_down", "shut_eliminate")
    assert set(Site.objects.filter(enterprise=enterprise).values_list("status", flat=True)) == {
        "shut_down"
    }
    assert set(permits.values_list("status", flat=True)) == {"suspended"}
    assert decision.region == enterprise.region


def test_a_shut_down_freezes_the_quota_and_a_later_decision_lifts_it_with_reason(world) -> None:
    # given a mine with 10 t drawn of its 100 t
    chain = build_chain(world, quota_kg=100_000, contract_kg=80_000)
    mine = chain.mines[0].site
    account = QuotaAccount.objects.get(holder_site=mine)
    with transaction.atomic():
        draw_quota(account=account, amount_kg=10_000, ref="t-1", at=timezone.now())
    officer = world.user("haicheng_operator")
    # when the enterprise is shut down
    decide_classification(
        actor=officer, enterprise=mine.enterprise, classification="shut_eliminate", reason="关停"
    )
    # then its quota is frozen with the reason and the balance kept
    account.refresh_from_db()
    assert (account.frozen, account.frozen_reason) == (True, "关停")
    assert (account.allocated_kg, account.consumed_kg) == (100_000, 10_000)
    # and a later decision, with its own reason, lifts the freeze (both decisions kept)
    decide_classification(
        actor=officer,
        enterprise=mine.enterprise,
        classification="relocate_park",
        reason="复议：搬迁入园",
    )
    account.refresh_from_db()
    assert (account.frozen, account.consumed_kg) == (False, 10_000)
    assert list(
        ClassificationDecision.objects.filter(enterprise=mine.enterprise).values_list(
            "classification", "reason"
        )
    ) == [("relocate_park", "复议：搬迁入园"), ("shut_eliminate", "关停")]


def test_a_retain_decision_keeps_the_enterprise_working_and_keeps_history(world, site) -> None:
    enterprise = site.enterprise
    for classification in ("retain_upgrade", "merge_reorganise"):
        decide_classification(
            actor=world.user("haicheng_operator"),
            enterprise=enterprise,
            classification=classification,
            reason="规模以上，整治提升",
        )
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.classification) == ("operating", "merge_reorganise")
    assert list(ClassificationDecision.objects.values_list("classification", flat=True)) == [
        "merge_reorganise",
        "retain_upgrade",
    ]


def test_a_decision_outside_the_region_changes_nothing(world, site) -> None:
    with pytest.raises(InspectionError) as refused:
        decide_classification(
            actor=world.user("dashiqiao_operator"),
            enterprise=site.enterprise,
            classification="shut_eliminate",
            reason="越权",
        )
    assert refused.value.status == 404
    assert Enterprise.objects.get(pk=site.enterprise_id).status == "operating"


def test_progress_against_targets_is_computed_from_the_records(world, loop, site) -> None:
    inspected = add_target(
        actor=world.user("haicheng_operator"),
        campaign=loop.campaign,
        kind="inspected",
        goal_pct=100,
        due_on=today() + datetime.timedelta(days=20),
    )
    add_target(
        actor=world.user("haicheng_operator"),
        campaign=loop.campaign,
        kind="findings_closed",
        goal_pct=80,
        due_on=today() + datetime.timedelta(days=60),
    )
    in_scope = Enterprise.objects.filter(region__path__startswith=world.haicheng.path).count()
    inspection = inspect(world, loop, site, {COVERS: "裸露"})
    order = _order(world, inspection)
    answer_order(actor=world.user("enterprise_user"), order=order, text="已苫盖")
    sign_acceptance(actor=loop.ecology_officer, order=order)
    counts = campaign_counts(loop.campaign)
    assert (counts["in_scope"], counts["inspected"]) == (in_scope, 1)
    assert (counts["findings"], counts["findings_closed"], counts["closed_orders"]) == (1, 1, 1)
    progress = campaign_progress(loop.campaign, counts)
    assert [(p.target.kind, p.done, p.total, p.reached) for p in progress] == [
        ("inspected", 1, in_scope, in_scope == 1),
        ("findings_closed", 1, 1, True),
    ]
    assert progress[0].target == inspected
