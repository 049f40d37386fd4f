"""Every irreversible action asks first: its POST without `confirmed=1` changes nothing and
answers with the confirmation step (in Chinese, no script); confirmed, it acts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connections, models, transaction
from django.test import Client
from django.urls import reverse

from oreledger.accounts.models import ApiToken, User
from oreledger.accounts.tests.factories import UserFactory
from oreledger.core.tests.test_scope_sweep import WATCH
from oreledger.weighing.services import issue_waybill
from testkit.matrix import fingerprint
from testkit.personas import PASSWORD, build_province
from testkit.sweep import Dashiqiao, build_dashiqiao

STATE: list[type[models.Model]] = [*WATCH, ApiToken]


@dataclass(frozen=True)
class Irreversible:
    """One irreversible action: where it is posted, by whom, and what it asks."""

    route: str
    kwargs: Callable[[Dashiqiao], dict[str, Any]]
    data: dict[str, str]
    persona: str
    question: str
    # Done first (confirmed), when the action needs an earlier step.
    before: tuple[str, Callable[[Dashiqiao], dict[str, Any]], dict[str, str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _uscc(d: Dashiqiao) -> dict[str, Any]:
    return {"uscc": d.enterprise.uscc}


def _case(action: str) -> Callable[[Dashiqiao], dict[str, Any]]:
    return lambda d: {"number": d.case.number, "action": action}


def _contract(action: str, which: str = "submitted") -> Callable[[Dashiqiao], dict[str, Any]]:
    return lambda d: {"number": getattr(d, which).number, "action": action}


def _open_waybill(d: Dashiqiao) -> str:
    """A waybill issued and not yet used (the fixture's own has been weighed)."""
    waybill = issue_waybill(actor=None, contract=d.contract, plate="辽H30009",
                            planned_net_kg=30_000)  # fmt: skip
    return waybill.number


REASON = {"reason": "现场核查发现问题"}
DECISION = {"decision": "fine", "fine_yuan": "50000", "note": "超载运输，处以罚款"}

# The seller's user of the Dashiqiao mine (made by the fixture) and the rival trader's.
SELLER, BIDDER = "dsq_seller", "rival_user"

ACTIONS: dict[str, Irreversible] = {
    "approve contract": Irreversible("trade:contract_action", _contract("approve"), {},
                                     "dashiqiao_operator", "审核通过并登记合同"),
    "return contract": Irreversible("trade:contract_action", _contract("return"),
                                    {"note": "价格低于指导价"}, "dashiqiao_operator", "退回双方"),
    "terminate contract": Irreversible("trade:contract_action", _contract("terminate", "contract"),
                                       {"note": "矿山停产"}, "dashiqiao_operator", "终止合同"),
    "complete contract": Irreversible("trade:contract_action", _contract("complete", "contract"),
                                      {}, "dashiqiao_operator", "已履行完毕"),
    "withdraw listing": Irreversible("trade:listing_withdraw",
                                     lambda d: {"number": d.listing.number}, {}, SELLER,
                                     "撤销挂牌"),
    "accept bid": Irreversible("trade:bid_accept", lambda d: {"pk": d.bid.pk}, {}, SELLER,
                               "接受挂牌"),
    "decline bid": Irreversible("trade:bid_reject", lambda d: {"pk": d.bid.pk}, {}, SELLER,
                                "拒绝挂牌"),
    "withdraw bid": Irreversible("trade:bid_withdraw", lambda d: {"pk": d.bid.pk}, {}, BIDDER,
                                 "撤回对挂牌"),
    "void waybill": Irreversible("weighing:waybill_void", lambda d: {"number": _open_waybill(d)},
                                 REASON, "dashiqiao_operator", "作废运单"),
    "approve correction": Irreversible("weighing:correction_decide",
                                       lambda d: {"pk": d.correction.pk},
                                       {"decision": "approve", "note": "核实无误"},
                                       "province_officer", "批准磅单"),
    "reject correction": Irreversible("weighing:correction_decide",
                                      lambda d: {"pk": d.correction.pk},
                                      {"decision": "reject", "note": "证据不足"},
                                      "province_officer", "驳回磅单"),
    "approve quota change": Irreversible("quotas:change_decide",
                                         lambda d: {"pk": d.change.pk, "decision": "approve"},
                                         {"note": "同意"}, "dashiqiao_operator", "批准这笔"),
    "reject quota change": Irreversible("quotas:change_decide",
                                        lambda d: {"pk": d.change.pk, "decision": "reject"},
                                        {"note": "不同意"}, "dashiqiao_operator", "驳回这笔"),
    "open quota year": Irreversible("quotas:period_open", lambda d: {}, {"year": "2031"},
                                    "province_officer", "开启 2031 指标年度"),
    "revoke permit": Irreversible("registry:permit_status",
                                  lambda d: {"number": d.permit.number},
                                  {"status": "revoked", **REASON}, "dashiqiao_operator",
                                  "的状态变更为“已吊销”"),
    "suspend site": Irreversible("registry:site_status", lambda d: {"code": d.site.code},
                                 {"status": "suspended", **REASON}, "dashiqiao_operator",
                                 "的状态变更为“停产”"),
    "suspend enterprise": Irreversible("registry:enterprise_status", _uscc,
                                       {"status": "suspended", "classification": "", **REASON},
                                       "dashiqiao_operator", "的状态变更为“停产”"),
    "blacklist vehicle": Irreversible("registry:vehicle_blacklist",
                                      lambda d: {"plate": d.vehicle.plate}, REASON,
                                      "dashiqiao_operator", "列入黑名单"),
    "disable station": Irreversible("registry:station_disable",
                                    lambda d: {"code": d.station.code}, REASON,
                                    "dashiqiao_operator", "停用计量站"),
    "rotate station secret": Irreversible("registry:station_rotate",
                                          lambda d: {"code": d.station.code},
                                          {"grace_hours": "24"}, "dashiqiao_operator",
                                          "签发新密钥"),
    "remove permit requirement": Irreversible("registry:requirement_delete",
                                              lambda d: {"pk": d.requirement.pk}, {},
                                              "province_officer", "的必备要求"),
    "resolve alert": Irreversible("alerts:alert_action",
                                  lambda d: {"pk": d.alert.pk, "action": "resolve"},
                                  {"resolution": "false_positive", "note": "误报"},
                                  "dashiqiao_operator", "办结此预警"),
    "escalate alert": Irreversible("alerts:alert_action",
                                   lambda d: {"pk": d.alert.pk, "action": "escalate"},
                                   {"note": "移交执法"}, "dashiqiao_operator", "转为执法案件"),
    "decide case": Irreversible("alerts:case_action", _case("decide"), DECISION,
                                "dashiqiao_operator", "处理决定"),
    "close case": Irreversible("alerts:case_action", _case("close"), {"note": "罚款已缴纳"},
                               "dashiqiao_operator", "办结案件",
                               before=("alerts:case_action", _case("decide"), DECISION)),
    "decide classification": Irreversible("inspections:decision_new", _uscc,
                                          {"classification": "shut_eliminate",
                                           "reason": "无证开采，关停取缔"},
                                          "dashiqiao_operator", "的处置决定"),
    "revoke api token": Irreversible("accounts:token_revoke", lambda d: {"pk": d.token.pk}, {},
                                     "dashiqiao_operator", "吊销 API 令牌"),
}  # fmt: skip


@pytest.fixture(scope="module")
def dsq_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Dashiqiao]:
    """A Dashiqiao record of every kind, built once and rolled back after the module."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            built = build_dashiqiao(build_province())
            UserFactory(username=SELLER, role="enterprise_user", region=built.region,
                        enterprise=built.enterprise, password=PASSWORD)  # fmt: skip
            yield built
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@pytest.fixture
def dsq(db: Any, dsq_once: Dashiqiao) -> Dashiqiao:
    """The records, inside this test's savepoint."""
    return dsq_once


def _client(d: Dashiqiao, persona: str) -> Client:
    if persona in d.world.users:
        return d.world.client(persona)
    client = Client()
    client.force_login(User.objects.get(username=persona))
    return client


def test_the_listing_seller_is_the_dashiqiao_mine(dsq: Dashiqiao) -> None:
    assert dsq.listing.seller == dsq.enterprise  # who SELLER acts for


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_an_irreversible_action_asks_first_and_acts_only_when_confirmed(
    dsq: Dashiqiao, name: str
) -> None:
    action = ACTIONS[name]
    client = _client(dsq, action.persona)
    if action.before is not None:
        route, kwargs, data = action.before
        client.post(reverse(route, kwargs=kwargs(dsq)), {**data, "confirmed": "1"})
    url = reverse(action.route, kwargs=action.kwargs(dsq))
    before = fingerprint(STATE)
    # when the action is posted as its form sends it
    asked = client.post(url, action.data)
    # then it is asked, in Chinese, with what was filled in carried along; nothing changed
    page = asked.content.decode()
    assert asked.status_code == 200, (asked.status_code, page[:300])
    assert 'data-testid="confirm-step"' in page
    assert action.question in page, page.split('id="confirm-question">')[1][:120]
    assert f'action="{url}"' in page and 'name="confirmed" value="1"' in page
    for key, value in action.data.items():
        assert f'name="{key}" value="{value}"' in page
    assert 'data-testid="confirm-cancel"' in page and ">取消</a>" in page
    assert "<script" not in page.split('data-testid="confirm-step"')[1]
    assert fingerprint(STATE) == before
    # when it is confirmed, it acts
    done = client.post(url, {**action.data, "confirmed": "1"})
    assert done.status_code == 302, done.content[:300]
    assert fingerprint(STATE) != before


def test_an_htmx_row_is_asked_in_the_row(dsq: Dashiqiao) -> None:
    client = _client(dsq, SELLER)
    url = reverse("trade:bid_accept", kwargs={"pk": dsq.bid.pk})
    asked = client.post(url, HTTP_HX_REQUEST="true")
    row = asked.content.decode()
    assert row.startswith(f'<tr id="bid-{dsq.bid.pk}" class="confirm-row"')
    assert f'hx-post="{url}" hx-target="#bid-{dsq.bid.pk}" hx-swap="outerHTML"' in row
    dsq.bid.refresh_from_db()
    assert dsq.bid.status == "pending"


def test_who_may_not_act_is_refused_as_before_without_being_asked(dsq: Dashiqiao) -> None:
    # the buyer's trader may not accept a bid on someone else's listing: 403, nothing asked
    url = reverse("trade:bid_accept", kwargs={"pk": dsq.bid.pk})
    refused = _client(dsq, BIDDER).post(url)
    assert refused.status_code == 403
    # and Haicheng does not even learn that the Dashiqiao waybill exists
    void = reverse("weighing:waybill_void", kwargs={"number": dsq.waybill.number})
    assert dsq.world.client("haicheng_operator").post(void, REASON).status_code == 404
