"""Pages, the API shape, jurisdiction, the lifecycle and enforcement cases."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from oreledger.alerts.models import Alert, Case
from oreledger.alerts.services import decide_case, escalate_alert, resolve_alert
from oreledger.alerts.tests.support import World, alerts
from oreledger.weighing.tests.support import on_shift
from testkit.matrix import check_matrix
from testkit.pdf import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> World:
    """The weighing world with one overload alert in Haicheng."""
    w = World(world)
    truck = w.truck(1)
    # On shift: at night the ticket would also raise off_hours.
    w.send("exit", truck, waybill=w.waybill(truck), net=34_500, at=on_shift())
    return w


def test_api_alerts_has_exactly_the_essentials_shape(w: World) -> None:
    response = w.world.api("haicheng_operator").get("/api/v1/alerts?rule=overload")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "results"} and data["count"] == 1
    [item] = data["results"]
    assert set(item) == {
        "id",
        "rule",
        "rule_version",
        "severity",
        "status",
        "region",
        "subject",
        "refs",
        "first_seen",
        "last_seen",
        "count",
        "evidence",
    }
    assert item["rule"] == "overload" and item["rule_version"] == 1 and item["region"] == "210381"
    assert item["subject"]["type"] == "ticket" and item["refs"]["station"] == w.exit_code
    assert set(item["refs"]) == {
        "station",
        "seq",
        "plate",
        "waybill",
        "contract",
        "site",
        "enterprise",
    }
    assert item["first_seen"].endswith("+08:00") and item["evidence"]["threshold_kg"] == 49_000
    assert w.world.api("province_officer").get("/api/v1/alerts?region=210882").json()["count"] == 0
    assert w.world.api("province_officer").get("/api/v1/alerts?region=210381").json()["count"] == 1


def test_alerts_outside_jurisdiction_are_404(w: World) -> None:
    alert = alerts()[0]
    url = reverse("alerts:alert_detail", args=[alert.pk])
    check_matrix(
        w.world,
        lambda c: c.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 404,
            "anonymous": 302,
        },
    )
    assert w.world.api("dashiqiao_operator").get("/api/v1/alerts").json()["count"] == 0
    act = reverse("alerts:alert_action", args=[alert.pk, "acknowledge"])
    check_matrix(
        w.world,
        lambda c: c.post(act),
        {
            "province_officer": 302,
            "haicheng_operator": 302,
            "dashiqiao_operator": 404,
            "department_officer": 403,
            "enterprise_user": 404,
            "anonymous": 302,
        },
        watch=[Alert],
    )


def test_pages_render_in_chinese(w: World) -> None:
    client = w.world.client("haicheng_operator")
    alert = alerts()[0]
    for url in (
        reverse("alerts:alert_list"),
        reverse("alerts:overdue"),
        reverse("alerts:counts_by_county"),
        reverse("alerts:rule_list"),
        reverse("alerts:rule_detail", args=["tare_deviation"]),
        reverse("alerts:case_list"),
        reverse("alerts:alert_detail", args=[alert.pk]),
        reverse("alerts:rule_detail", args=["overload"]) + "?bt-days=7&bt-limits_kg__6=40000",
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
    page = client.get(reverse("alerts:alert_detail", args=[alert.pk])).content.decode()
    assert "证据" in page and "毛重" in page and "49.50 t" in page
    listing = client.get(reverse("alerts:alert_list")).content.decode()
    assert 'id="alert-map-data"' in listing and "<script>" not in listing


def test_county_loosening_through_the_page_is_refused(w: World) -> None:
    url = reverse("alerts:rule_detail", args=["tare_deviation"])
    response = w.world.client("haicheng_operator").post(
        url,
        {
            "change-pct": "5",
            "change-kg": "500",
            "change-severity": "medium",
            "change-note": "x",
        },
    )
    assert response.status_code == 200 and "threshold_looser" not in response.content.decode()
    assert not w.world.province.pk or not Alert.objects.none().exists()
    from oreledger.alerts.models import RuleVersion

    assert not RuleVersion.objects.filter(region=w.world.haicheng).exists()


def test_lifecycle_resolve_needs_a_note_and_clears_dedupe(w: World) -> None:
    alert = alerts()[0]
    user = w.world.user("haicheng_operator")
    client = w.world.client("haicheng_operator")
    client.post(reverse("alerts:alert_action", args=[alert.pk, "acknowledge"]), {"note": "已阅"})
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    resolve_alert(actor=user, alert=alert, resolution="false_positive", note="称重设备校准问题")
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.open_key is None
    assert [e.kind for e in alert.events.all()] == ["raised", "acknowledged", "resolved"]


def test_case_from_an_alert_suspends_the_site_and_exports_a_pdf(w: World) -> None:
    user = w.world.user("haicheng_operator")
    alert = alerts()[0]
    case = escalate_alert(actor=user, alert=alert, note="超载立案")
    alert.refresh_from_db()
    assert alert.status == "escalated" and alert.case == case and case.site == w.mine.site
    decide_case(actor=user, case=case, decision="suspension", note="责令停产整顿")
    w.mine.site.refresh_from_db()
    assert w.mine.site.status == "suspended"
    # the gate now holds the mine's trucks
    truck = w.truck(2)
    held = w.send("exit", truck, waybill=w.waybill(truck))
    assert held["release"] is False
    pdf = w.world.client("haicheng_operator").get(reverse("alerts:case_pdf", args=[case.number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and case.number in text(pdf.content)
    url = reverse("alerts:case_detail", args=[case.number])
    check_matrix(
        w.world,
        lambda c: c.get(url),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 302,
        },
    )


def test_case_opened_directly_with_a_fine_and_closure(w: World) -> None:
    client = w.world.client("haicheng_operator")
    response = client.post(
        reverse("alerts:case_new"),
        {
            "title": "无证开采",
            "region": "210381",
            "enterprise": w.mine.site.enterprise.uscc,
            "violations": "越界开采",
        },
    )
    case = Case.objects.get(title="无证开采")
    assert response.status_code == 302 and case.number.startswith("AJ-")
    client.post(reverse("alerts:case_action", args=[case.number, "note"]), {"text": "现场勘查"})
    decide = reverse("alerts:case_action", args=[case.number, "decide"])
    decision = {"decision": "fine", "fine_yuan": "50000", "note": "罚款"}
    asked = client.post(decide, decision)
    # the decision is irreversible: it is asked first, and nothing is recorded until confirmed
    assert asked.status_code == 200 and "记录案件" in asked.content.decode()
    case.refresh_from_db()
    assert case.decision == "" and case.fine_yuan is None
    client.post(decide, {**decision, "confirmed": "1"})
    close = reverse("alerts:case_action", args=[case.number, "close"])
    client.post(close, {"note": "已缴纳", "confirmed": "1"})
    case.refresh_from_db()
    assert case.status == "closed" and case.fine_yuan == Decimal("50000.00")
    api = w.world.api("enterprise_user").get(f"/api/v1/cases/{case.number}")
    assert api.status_code == 200 and api.json()["fine_yuan"] == "50000.00"
    assert w.world.api("dashiqiao_operator").get(f"/api/v1/cases/{case.number}").status_code == 404


def test_overdue_lists_alerts_past_their_deadline(w: World) -> None:
    Alert.objects.update(deadline=timezone.now() - datetime.timedelta(hours=1))
    page = w.world.client("haicheng_operator").get(reverse("alerts:overdue")).content.decode()
    assert "overload" in page or "超载" in page
