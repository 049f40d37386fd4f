"""Who sees what: a county its own score and records, only the province the ranking of all."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oreledger.assessment import services
from oreledger.assessment.queries import Period, ranking
from oreledger.assessment.tests.test_scores import INDICATORS
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(world):
    return services.create_scheme(
        actor=world.user("province_officer"),
        code="magnesite-2026",
        name="菱镁联合行动季度考核",
        period="quarter",
        indicators=INDICATORS,
    )


def test_only_the_province_sees_the_ranking_of_all_counties(world, scheme):
    # given the ranking page of the first quarter
    url = reverse("assessment:ranking", args=[scheme.code, "2026-Q1"])
    # when every persona opens it
    responses = check_matrix(
        world,
        lambda client: client.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 302,
            "dashiqiao_operator": 302,
            "department_officer": 302,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
    # then the province sees both counties; a county is sent to its own score
    page = responses["province_officer"].content.decode()
    assert "海城市" in page and "大石桥市" in page
    assert responses["haicheng_operator"]["Location"] == reverse(
        "assessment:county", args=[scheme.code, "2026-Q1", "210381"]
    )
    # and its export has the page's rows: rank, county, each indicator's points, the score
    export = world.client("province_officer").get(url + "?export=xlsx")
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    scores = ranking(scheme, Period.parse("quarter", "2026-Q1"))
    assert rows[0][:2] == ("名次", "县（市、区）") and rows[0][-1] == "总分"
    assert rows[1:] == [
        (s.rank, s.region.name_zh, *(float(line.points) for line in s.lines), float(s.total))
        for s in scores
    ]
    assert sorted(row[1] for row in rows[1:]) == ["大石桥市", "海城市"]
    assert world.client("haicheng_operator").get(url + "?export=xlsx").status_code == 302


def test_a_county_sees_its_own_score_and_records_but_not_another_county(world, scheme):
    # given Haicheng's score page and the records behind one of its numbers
    own = reverse("assessment:county", args=[scheme.code, "2026-Q1", "210381"])
    records = reverse(
        "assessment:records", args=[scheme.code, "2026-Q1", "210381", "reporting_rate"]
    )
    expected = {
        "province_officer": 200,
        "haicheng_operator": 200,
        "dashiqiao_operator": 404,
        "department_officer": 200,
        "enterprise_user": 404,
        "anonymous": 302,
    }
    # when every persona opens both
    pages = check_matrix(world, lambda client: client.get(own), expected)
    check_matrix(world, lambda client: client.get(records), expected)
    # then the formula is published beside the score and no ranking link is offered to the county
    page = pages["haicheng_operator"].content.decode()
    assert 'data-testid="formula"' in page and 'data-testid="total">' in page
    ranking = reverse("assessment:ranking", args=[scheme.code, "2026-Q1"])
    ranking_link = f'href="{ranking}"'
    assert ranking_link not in page
    assert ranking_link in pages["province_officer"].content.decode()


def test_the_api_ranks_for_the_province_only_and_scores_a_county_for_itself(world, scheme):
    # given the API's ranking and Haicheng's score of the first quarter
    ranking = f"/api/v1/assessment/schemes/{scheme.code}/ranking/2026-Q1"
    score = f"/api/v1/assessment/schemes/{scheme.code}/scores/2026-Q1/210381"
    # when every persona asks
    ranked = check_matrix(
        world,
        lambda client: client.get(ranking),
        {
            "province_officer": 200,
            "haicheng_operator": 404,
            "dashiqiao_operator": 404,
            "department_officer": 404,
            "enterprise_user": 404,
            "anonymous": 401,
        },
        api=True,
    )
    scored = check_matrix(
        world,
        lambda client: client.get(score),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 404,
            "anonymous": 401,
        },
        api=True,
    )
    # then the province gets both counties ranked, Haicheng its lines with formula and records
    body = ranked["province_officer"].json()
    assert [c["region"] for c in body["counties"]] == ["210381", "210882"]
    lines = scored["haicheng_operator"].json()["lines"]
    assert [line["indicator"] for line in lines] == [kind for kind, *_ in INDICATORS]
    assert all("formula" in line and "records" in line for line in lines)
