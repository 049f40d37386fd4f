"""Issuing a waybill on the page: the issuer's approved contracts with tonnes left, registered
plates searched as one types, a start from the contract's page, and clear refusals."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections, transaction

from oreledger.quotas.services import allocate_quota
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory, VehicleFactory
from oreledger.trade import services as trade
from oreledger.trade.models import Contract
from oreledger.trade.tests.market import Market, build_market, contract_terms
from oreledger.weighing.models import Waybill
from oreledger.weighing.services import issue_waybill, void_waybill
from oreledger.weighing.services.waybills import issuable_contracts
from testkit.personas import Province, build_province

NEW = "/weighing/waybills/new/"
PLATES = "/weighing/waybills/new/plates/"


@dataclass
class Desk:
    """The seller's contracts in every state that matters, and the trucks of the province."""

    market: Market
    ok: Contract  # approved, valid today, 5,000 t left
    submitted: Contract  # not yet approved
    delivered: Contract  # approved, nothing left to deliver
    neighbour: Contract  # approved, another Haicheng mine's


def _approved(market: Market, **terms: Any) -> Contract:
    contract = trade.create_contract(**contract_terms(market, **terms))
    trade.submit_contract(actor=terms.get("actor", market.seller_user), contract=contract)
    return trade.approve_contract(actor=market.world.user("haicheng_operator"), contract=contract)


def _build_desk(world: Province) -> Desk:
    market = build_market(world)
    ok = _approved(market)
    submitted = trade.create_contract(**contract_terms(market, quantity_kg=1_000_000))
    trade.submit_contract(actor=market.seller_user, contract=submitted)
    delivered = _approved(market, quantity_kg=2_000_000)
    Contract.objects.filter(pk=delivered.pk).update(delivered_kg=2_000_000)
    # another mine operator of Haicheng, with its own contract to the same plant
    other = EnterpriseFactory(name="海城市东升矿业有限公司", region=world.haicheng)
    mine = SiteFactory(code="HC-M-077", enterprise=other, kind="mine", name="东升矿")
    allocate_quota(actor=None, period=market.today.year, mineral="magnesite", holder=mine,
                   allocated_kg=50_000_000)  # fmt: skip
    neighbour = trade.create_contract(**contract_terms(
        market, actor=world.user("haicheng_operator"), seller=other, origin_site=mine))  # fmt: skip
    trade.submit_contract(actor=world.user("haicheng_operator"), contract=neighbour)
    trade.approve_contract(actor=world.user("haicheng_operator"), contract=neighbour)
    # trucks: three of a Haicheng haulier, one blacklisted, one of a Dashiqiao haulier
    hauler = EnterpriseFactory(name="海城市顺达运输有限公司", kind="haulier", region=world.haicheng)
    for plate in ("辽C30001", "辽C30002", "辽C30003"):
        VehicleFactory(plate=plate, owner=hauler)
    VehicleFactory(plate="辽C30004", owner=hauler, status="blacklisted", blacklist_reason="套牌")
    far = EnterpriseFactory(name="大石桥市通达运输有限公司", kind="haulier", region=world.dashiqiao)
    VehicleFactory(plate="辽H40001", owner=far)
    return Desk(market, ok, submitted, Contract.objects.get(pk=delivered.pk), neighbour)


@pytest.fixture(scope="module")
def desk_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Desk]:
    """The desk, built once for the module and rolled back after it (each test runs in a
    savepoint inside this transaction, through the `db` fixture)."""
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            yield _build_desk(build_province())
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@pytest.fixture
def desk(db: Any, desk_once: Desk) -> Desk:
    """The module's desk, inside this test's savepoint."""
    return desk_once


@pytest.fixture
def world(desk: Desk) -> Province:
    """The desk's province and personas."""
    return desk.market.world


def _form(number: str, plate: str = "辽C30001") -> dict[str, str]:
    return {"contract": number, "plate": plate, "planned_net_kg": "32000", "valid_hours": "24"}


def test_the_form_offers_only_the_contracts_one_may_issue_against(world: Any, desk: Desk) -> None:
    # the mine's user: its own approved contract with tonnes left, nothing else
    page = world.client("enterprise_user").get(NEW)
    offered = list(page.context["form"].fields["contract"].queryset)
    assert offered == [desk.ok]
    html = page.content.decode()
    assert f'<option value="{desk.ok.number}">{desk.ok.number} · 买方 ' in html
    assert "剩余 5,000.00 吨" in html
    for hidden in (desk.submitted, desk.delivered, desk.neighbour):
        assert hidden.number not in html
    # the county operator issues for every Haicheng mine; Dashiqiao's operator for none of them
    county = world.client("haicheng_operator").get(NEW).context["form"]
    assert set(county.fields["contract"].queryset) == {desk.ok, desk.neighbour}
    other = world.client("dashiqiao_operator").get(NEW)
    assert list(other.context["form"].fields["contract"].queryset) == []
    assert 'data-testid="no-contracts"' in other.content.decode()


def test_every_offered_contract_is_one_the_service_issues_against(world: Any, desk: Desk) -> None:
    plates = {"enterprise_user": "辽C30001", "haicheng_operator": "辽C30002",
              "province_officer": "辽C30003"}  # fmt: skip
    for name, plate in plates.items():
        user = world.user(name)
        offered = list(issuable_contracts(user))
        assert offered
        for contract in offered:
            waybill = issue_waybill(actor=user, contract=contract.number, plate=plate,
                                    planned_net_kg=30_000)  # fmt: skip
            void_waybill(actor=user, waybill=waybill, reason="测试")


def test_issuing_starts_from_the_contract_page_with_the_contract_chosen(
    world: Any, desk: Desk
) -> None:
    seller = world.client("enterprise_user")
    page = seller.get(desk.ok.get_absolute_url()).content.decode()
    link = f'href="/weighing/waybills/new/?contract={desk.ok.number}" data-testid="issue-waybill"'
    assert link in page
    form = seller.get(f"{NEW}?contract={desk.ok.number}").content.decode()
    assert f'<option value="{desk.ok.number}" selected>' in form
    # no button where issuing would be refused: a submitted contract, the buyer, a department
    assert (
        'data-testid="issue-waybill"'
        not in seller.get(desk.submitted.get_absolute_url()).content.decode()
    )
    buyer = world.client("anonymous")
    buyer.force_login(desk.market.buyer_user)
    assert (
        'data-testid="issue-waybill"' not in buyer.get(desk.ok.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    ("contract", "plate", "field", "message"),
    [
        ("neighbour", "辽C30001", "contract", "不在您今日可开具运单的合同之列"),
        ("submitted", "辽C30001", "contract", "不在您今日可开具运单的合同之列"),
        ("delivered", "辽C30001", "contract", "不在您今日可开具运单的合同之列"),
        ("ok", "辽C99999", "plate", "辽C99999 不是已登记车辆，请先办理车辆登记。"),
        ("ok", "辽C30004", "plate", "车辆 辽C30004 已列入黑名单"),
        ("ok", "ABC", "plate", "ABC 不是有效的大陆车牌号。"),
    ],
)
def test_anything_else_is_refused_with_a_clear_error(
    world: Any, desk: Desk, contract: str, plate: str, field: str, message: str
) -> None:
    number = getattr(desk, contract).number
    response = world.client("enterprise_user").post(NEW, _form(number, plate))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    if field == "contract":
        assert number in errors[field][0]
    assert message in response.content.decode()
    assert not Waybill.objects.exists()


def test_a_valid_waybill_is_issued(world: Any, desk: Desk) -> None:
    response = world.client("enterprise_user").post(NEW, _form(desk.ok.number, "辽c30002"))
    waybill = Waybill.objects.get()
    assert response.status_code == 302 and response["Location"] == waybill.get_absolute_url()
    assert (waybill.contract, waybill.plate, waybill.planned_net_kg) == (desk.ok, "辽C30002", 32000)


def test_plates_are_searched_among_the_registered_trucks(world: Any, desk: Desk) -> None:
    client = world.client("enterprise_user")
    found = client.get(PLATES, {"plate": "c3000"}, HTTP_HX_REQUEST="true").content.decode()
    # registered Haicheng trucks match what was typed; the blacklisted one is not offered
    assert found.count("<option") == 3
    for plate in ("辽C30001", "辽C30002", "辽C30003"):
        assert f'<option value="{plate}">6 轴</option>' in found
    assert "辽C30004" not in found
    # hauliers carry across counties: a truck registered in Dashiqiao is offered too
    assert 'value="辽H40001"' in client.get(PLATES, {"plate": "辽H"}).content.decode()
    assert client.get(PLATES, {"plate": "辽Z"}).content.decode().strip() == ""


def test_before_typing_the_list_holds_the_trucks_of_recent_waybills(world: Any, desk: Desk) -> None:
    client = world.client("enterprise_user")
    client.post(NEW, _form(desk.ok.number, "辽C30003"))
    assert Waybill.objects.count() == 1
    page = client.get(NEW).content.decode()
    options = page.split('data-testid="plate-options">')[1].split("</datalist>")[0]
    assert options.strip() == '<option value="辽C30003">6 轴</option>'
    assert client.get(PLATES).content.decode().strip() == options.strip()


def test_only_issuers_may_search_plates(world: Any, desk: Desk) -> None:
    assert world.client("department_officer").get(PLATES, {"plate": "辽C"}).status_code == 403
    assert world.client("anonymous").get(PLATES, {"plate": "辽C"}).status_code == 302
    assert world.client("department_officer").get(NEW).status_code == 403
    # nor do they see the button on the waybill list
    listing = world.client("department_officer").get("/weighing/waybills/").content.decode()
    assert 'data-testid="issue-waybill"' not in listing


def test_the_form_has_no_inline_script(world: Any, desk: Desk) -> None:
    response = world.client("enterprise_user").get(NEW)
    html = response.content.decode()
    assert "<script>" not in html and " on" + "input=" not in html
    assert f'hx-get="{PLATES}"' in html and 'list="plate-options"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_waybill_is_valid_for_its_hours(world: Any, desk: Desk) -> None:
    data = {**_form(desk.ok.number), "valid_hours": "6"}
    world.client("enterprise_user").post(NEW, data)
    waybill = Waybill.objects.get()
    assert waybill.expires_at - waybill.issued_at == datetime.timedelta(hours=6)
