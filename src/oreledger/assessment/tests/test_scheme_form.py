"""The province sets a scheme's indicators and weights on a page; weights must add up to 100."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from oreledger.assessment import services
from oreledger.assessment.choices import IndicatorKind
from oreledger.assessment.models import Indicator, Scheme
from oreledger.core.models import ObjectChange
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db

D = Decimal
WEIGHTS_INVALID = "各项权重须大于零且合计为 100。"


@pytest.fixture
def scheme(world):
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


def _form(weights, **extra):
    data = {"name": "分平台建设考核（修订）", **extra}
    for kind in IndicatorKind.values:
        data[f"rule_{kind}"] = "proportional"
        data[f"target_{kind}"] = "1"
    data.update({f"weight_{kind}": str(w) for kind, w in weights.items()})
    return data


def _indicators(scheme):
    rows = Indicator.objects.filter(scheme=scheme).order_by("ordering")
    return [(i.kind, i.weight, i.rule, i.target) for i in rows]


def test_weights_not_adding_up_to_100_are_refused_in_chinese_and_nothing_changes(world, scheme):
    # given the edit page of the scheme
    url = reverse("assessment:scheme_edit", args=[scheme.code])
    province = world.client("province_officer")
    before = _indicators(scheme)
    changes = ObjectChange.objects.count()
    # when the province gives weights adding up to 90
    response = province.post(url, _form({"funding": 50, "staffing": 40}))
    # then the form shows the service's refusal in zh-Hans and the scheme is as it was
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WEIGHTS_INVALID]
    assert WEIGHTS_INVALID in response.content.decode()
    assert _indicators(scheme) == before
    assert ObjectChange.objects.count() == changes


def test_the_province_replaces_a_schemes_indicators_and_weights(world, scheme):
    # given the edit page, which shows the current weights
    url = reverse("assessment:scheme_edit", args=[scheme.code])
    province = world.client("province_officer")
    assert province.get(url).context["form"]["weight_funding"].value() == D("60.00")
    # when the province adds tasks on time with a threshold and rebalances to 100
    data = _form({"funding": 30, "staffing": 20, "tasks_on_time": 50})
    data.update({"rule_tasks_on_time": "threshold", "target_tasks_on_time": "0.9"})
    response = province.post(url, data)
    # then the scheme has the three indicators in the catalogue's order, and the change is logged
    assert response.status_code == 302
    assert _indicators(scheme) == [
        ("funding", D(30), "proportional", D(1)),
        ("staffing", D(20), "proportional", D(1)),
        ("tasks_on_time", D(50), "threshold", D("0.9")),
    ]
    scheme.refresh_from_db()
    assert scheme.name == "分平台建设考核（修订）"
    change = ObjectChange.objects.filter(action="update").latest("pk")
    assert change.before["indicators"] == [
        "funding 60.00 proportional 1.0000",
        "staffing 40.00 proportional 1.0000",
    ]


def test_the_province_publishes_a_new_scheme_from_the_page(world):
    data = _form({"orders_on_time": 100}, code="orders-2026", period="year")
    response = world.client("province_officer").post(reverse("assessment:scheme_new"), data)
    assert response.status_code == 302
    scheme = Scheme.objects.get(code="orders-2026")
    assert (scheme.name, scheme.period) == ("分平台建设考核（修订）", "year")
    assert _indicators(scheme) == [("orders_on_time", D(100), "proportional", D(1))]


def test_only_the_province_office_edits_a_scheme(world, scheme):
    # given a change any official might try
    url = reverse("assessment:scheme_edit", args=[scheme.code])
    data = _form({"funding": 100})
    # when every persona opens the page and posts the change
    expected = {
        "province_officer": 200,
        "haicheng_operator": 403,
        "dashiqiao_operator": 403,
        "department_officer": 403,
        "enterprise_user": 404,
        "anonymous": 302,
    }
    check_matrix(world, lambda client: client.get(url), expected)
    refused = {**expected, "province_officer": 302}
    check_matrix(
        world,
        lambda client: client.post(url, data),
        refused,
        watch=[Scheme, Indicator],
    )
    check_matrix(
        world,
        lambda client: client.get(reverse("assessment:scheme_new")),
        expected,
    )
    # then only the province's change took effect
    assert _indicators(scheme) == [("funding", D(100), "proportional", D(1))]
