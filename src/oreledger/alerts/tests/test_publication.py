"""Publishing a case's decision (行政处罚公示): the province's choice, audited, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from oreledger.alerts.errors import AlertError
from oreledger.alerts.models import Case
from oreledger.alerts.services import decide_case, open_case, publish_case_decision
from oreledger.core.models import ObjectChange
from oreledger.registry.tests.factories import EnterpriseFactory
from testkit.matrix import check_matrix
from testkit.personas import Province

pytestmark = pytest.mark.django_db

WORDS = {"violation": "超出年度开采总量控制指标开采", "legal_basis": "《矿产资源法》第四十四条"}


def _case(world: Province, *, decided: bool = True) -> Case:
    operator = world.user("haicheng_operator")
    enterprise = EnterpriseFactory(name="海城市公示测试镁矿有限公司", region=world.haicheng)
    case = open_case(actor=operator, title="超量开采", region=world.haicheng,
                     enterprise=enterprise, violations="内部线索")  # fmt: skip
    if decided:
        decide_case(actor=operator, case=case, decision="warning", note="警告")
    return case


def test_the_province_publishes_a_decided_case_with_an_audit_row(world: Province) -> None:
    # given a decided case
    case = _case(world)
    province = world.user("province_officer")
    # when the province office publishes it
    publish_case_decision(actor=province, case=case, **WORDS)
    # then the public words and the moment are on the case, with who did it on record
    case.refresh_from_db()
    assert (case.published_violation, case.legal_basis) == tuple(WORDS.values())
    assert case.published_at is not None and case.published_by == province
    change = ObjectChange.objects.filter(object_id=str(case.pk)).order_by("-pk").first()
    assert change is not None and change.actor == province
    # and it cannot be published twice
    with pytest.raises(AlertError) as twice:
        publish_case_decision(actor=province, case=case, **WORDS)
    assert (twice.value.code, twice.value.status) == ("case_already_published", 409)


@pytest.mark.parametrize(
    ("persona", "decided", "words", "code"),
    [
        ("haicheng_operator", True, WORDS, "not_allowed"),
        ("province_officer", False, WORDS, "case_not_decided_for_publication"),
        ("province_officer", True, {"violation": " ", "legal_basis": "依据"},
         "publication_text_required"),
    ],
)  # fmt: skip
def test_a_refused_publication_changes_nothing(
    world: Province, persona: str, decided: bool, words: dict[str, Any], code: str
) -> None:
    case = _case(world, decided=decided)
    with pytest.raises(AlertError) as refused:
        publish_case_decision(actor=world.user(persona), case=case, **words)
    assert refused.value.code == code
    case.refresh_from_db()
    assert (case.published_at, case.published_violation, case.legal_basis) == (None, "", "")


def test_only_the_province_office_sees_the_publish_button_and_may_use_it(world: Province) -> None:
    case = _case(world)
    page = world.client("province_officer").get(case.get_absolute_url()).content.decode()
    assert 'data-testid="publish-form"' in page and "公示处理决定" in page
    county_page = world.client("haicheng_operator").get(case.get_absolute_url()).content.decode()
    assert 'data-testid="publish-form"' not in county_page
    url = reverse("alerts:case_action", args=[case.number, "publish"])
    check_matrix(
        world,
        lambda client: client.post(url, WORDS),
        {"province_officer": 302, "haicheng_operator": 302, "dashiqiao_operator": 404,
         "department_officer": 403, "enterprise_user": 404, "anonymous": 302},
        watch=[Case],
    )  # fmt: skip
    case.refresh_from_db()
    assert case.published_by == world.user("province_officer")
