"""A county enters funding and staffing with evidence; the province approves or returns it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oreledger.assessment import services
from oreledger.assessment.errors import AssessmentError
from oreledger.assessment.models import Evidence
from oreledger.assessment.queries import Period
from oreledger.core.models import ObjectChange
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = Period.parse("quarter", "2026-Q1")
ENTRIES = reverse("assessment:evidence")
QUEUE = reverse("assessment:evidence_queue")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scheme(world):
    # Funding and staffing only, so the county's total is theirs alone.
    return services.create_scheme(
        actor=world.user("province_officer"),
        code="platform-2026",
        name="分平台建设考核",
        period="quarter",
        indicators=[
            ("funding", D(60), "proportional", D(1)),
            ("staffing", D(40), "proportional", D(1)),
        ],
    )


def _entry(kind="funding", planned="100", actual="80", name="拨款文件.pdf", content=b"%PDF-1.4"):
    return {
        "kind": kind,
        "period": "2026-Q1",
        "planned": planned,
        "actual": actual,
        "evidence": "财政拨款文件 海财〔2026〕12号",
        "attachment": SimpleUploadedFile(name, content),
    }


def _submitted(world):
    return services.submit_evidence(
        actor=world.user("haicheng_operator"),
        region=world.haicheng,
        kind="funding",
        period=Q1,
        planned=D(100),
        actual=D(80),
        evidence="编办批复",
    )


def test_approved_funding_counts_in_the_county_score_and_unapproved_staffing_does_not(
    world, scheme
):
    # given Haicheng enters funding 80 of 100 with a PDF and staffing 10 of 10
    haicheng = world.client("haicheng_operator")
    assert haicheng.post(ENTRIES, _entry()).status_code == 302
    staffing = _entry("staffing", "10", "10", "编办批复.pdf")
    assert haicheng.post(ENTRIES, staffing).status_code == 302
    funding = Evidence.objects.get(kind="funding")
    assert (funding.region, funding.period_start, funding.planned, funding.actual) == (
        world.haicheng,
        Q1.first,
        D(100),
        D(80),
    )
    assert funding.attachment.name.startswith("assessment/")
    assert funding.status == "submitted"
    # when the province approves the funding entry from its queue
    province = world.client("province_officer")
    queue = province.get(QUEUE).content.decode()
    assert queue.count('data-testid="decide-') == 2
    url = reverse("assessment:evidence_decide", args=[funding.pk])
    assert province.post(url, {"decision": "approve"}).status_code == 302
    # then funding earns 60 × 0.8 = 48.00, staffing still 0, and the county sees both states
    funding.refresh_from_db()
    assert funding.status == "approved"
    assert funding.decided_by == world.user("province_officer")
    score_url = reverse("assessment:county", args=[scheme.code, "2026-Q1", "210381"])
    score = haicheng.get(score_url).context["score"]
    assert [(line.rate, line.points) for line in score.lines] == [
        (D("0.8000"), D("48.00")),
        (D("0.0000"), D("0.00")),
    ]
    assert score.total == D("48.00")
    score_page = haicheng.get(score_url).content.decode()
    assert 'data-testid="total">48.00<' in score_page
    assert f'href="{ENTRIES}" data-testid="enter-evidence"' in score_page
    page = haicheng.get(ENTRIES).content.decode()
    assert page.count('data-testid="status">已审核通过<') == 1
    assert page.count('data-testid="status">已提交<') == 1
    assert province.get(QUEUE).content.decode().count('data-testid="decide-') == 1


def test_a_returned_entry_carries_its_reason_and_a_return_without_one_is_refused(world):
    # given Haicheng's submitted funding entry
    entry = _submitted(world)
    province = world.client("province_officer")
    url = reverse("assessment:evidence_decide", args=[entry.pk])
    # when the province returns it without a reason, then with one
    province.post(url, {"decision": "return", "note": " "})
    entry.refresh_from_db()
    assert entry.status == "submitted"
    response = province.post(url, {"decision": "return", "note": "缺少拨付凭证"}, follow=True)
    # then it is returned with the reason, which the county reads beside the entry
    entry.refresh_from_db()
    assert (entry.status, entry.note) == ("returned", "缺少拨付凭证")
    assert "已退回县区" in response.content.decode()
    page = world.client("haicheng_operator").get(ENTRIES).content.decode()
    assert 'data-testid="status">已退回<' in page and "缺少拨付凭证" in page


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_saved(world):
    # given a script renamed to look like a PDF
    disguised = _entry(name="拨款文件.pdf", content=b"#!/bin/sh\nrm -rf /\n")
    changes = ObjectChange.objects.count()
    # when Haicheng submits it
    response = world.client("haicheng_operator").post(ENTRIES, disguised)
    # then the form says which kinds are taken, in Chinese, and no entry is made
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"] == [
        "请选择以下类型之一的文件：jpeg, png, webp, pdf, xlsx, docx。"
    ]
    assert Evidence.objects.count() == 0
    assert ObjectChange.objects.count() == changes


def test_a_period_that_names_none_is_refused_in_chinese(world):
    response = world.client("haicheng_operator").post(ENTRIES, {**_entry(), "period": "2026-Q5"})
    assert response.context["form"].errors["period"] == ["考核期写作 2026、2026-Q1 或 2026-03。"]
    assert Evidence.objects.count() == 0


def test_only_county_operators_enter_and_only_the_province_reviews(world):
    # given the county's entry page and the province's queue
    # when every persona opens them, then a county enters, the province reviews
    check_matrix(
        world,
        lambda client: client.get(ENTRIES),
        {
            "province_officer": 404,
            "haicheng_operator": 200,
            "dashiqiao_operator": 200,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
    check_matrix(
        world,
        lambda client: client.get(QUEUE),
        {
            "province_officer": 200,
            "haicheng_operator": 404,
            "dashiqiao_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )


def test_only_the_province_decides_and_the_other_county_gets_404(world):
    # given Haicheng's submitted funding entry
    entry = _submitted(world)
    url = reverse("assessment:evidence_decide", args=[entry.pk])
    # when every persona tries to approve it (refusals change nothing)
    responses = check_matrix(
        world,
        lambda client: client.post(url, {"decision": "approve"}),
        {
            "province_officer": 302,
            "haicheng_operator": 403,
            "dashiqiao_operator": 404,
            "department_officer": 403,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=[Evidence],
    )
    # then only the province's decision took effect
    assert responses["province_officer"]["Location"] == QUEUE
    entry.refresh_from_db()
    assert (entry.status, entry.decided_by) == ("approved", world.user("province_officer"))


def test_dashiqiao_sees_none_of_haicheng_entries(world):
    _submitted(world)
    page = world.client("dashiqiao_operator").get(ENTRIES).content.decode()
    assert "编办批复" not in page and "尚无记录。" in page


def test_a_county_node_takes_no_entry(settings, world):
    # given a county node (entries are decided by the province, on the hub)
    settings.OL_NODE_ROLE, settings.OL_NODE_CODE = "node", "210381"
    # when Haicheng's operator enters funding there
    with pytest.raises(AssessmentError) as refused:
        _submitted(world)
    # then it is refused and nothing is stored
    assert (refused.value.code, refused.value.status) == ("entered_on_hub", 409)
    assert Evidence.objects.count() == 0
