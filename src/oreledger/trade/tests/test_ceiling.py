"""The contract ceiling "delivered never above quantity plus tolerance", at its boundary.

Given a contract of 1,000 t with the default 2 % tolerance (ceiling 1,020 t), every path that
moves delivered tonnage or the quantity accepts exactly the ceiling and refuses one kilogram more.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from oreledger.core.bundle import import_bundle
from oreledger.core.errors import DomainError
from oreledger.trade import services
from oreledger.trade.delivery import ContractDeliveries, deliver_on_contract
from oreledger.trade.models import Contract, ceiling_of, within_ceiling
from oreledger.trade.tests.market import build_market, contract_terms
from oreledger.trade.tests.test_bundle import _sheets, _workbook

pytestmark = pytest.mark.django_db
CEILING = 1_020_000
KG = 1


@pytest.fixture
def market(world):
    return build_market(world)


def _approved(market, quantity_kg: int = 1_000_000) -> Contract:
    contract = services.create_contract(**contract_terms(market, quantity_kg=quantity_kg))
    services.submit_contract(actor=market.seller_user, contract=contract)
    operator = market.world.user("haicheng_operator")
    return services.approve_contract(actor=operator, contract=contract)


def test_the_rule_holds_at_the_ceiling_and_not_one_kilogram_above() -> None:
    ceiling = ceiling_of(quantity_kg=1_000_000, tolerance_pct=Decimal("2.00"))
    assert ceiling == CEILING
    assert within_ceiling(delivered_kg=CEILING, ceiling_kg=ceiling)
    assert not within_ceiling(delivered_kg=CEILING + KG, ceiling_kg=ceiling)


def test_a_delivery_fills_the_ceiling_to_the_last_kilogram_and_no_more(market) -> None:
    contract = _approved(market)
    assert contract.max_delivery_kg == CEILING
    assert deliver_on_contract(contract_id=contract.pk, net_kg=CEILING)
    assert not deliver_on_contract(contract_id=contract.pk, net_kg=KG)
    assert Contract.objects.get(pk=contract.pk).delivered_kg == CEILING


def test_a_batch_delivers_to_the_ceiling_and_refuses_one_kilogram_more(market) -> None:
    contract = _approved(market)
    with transaction.atomic():
        deliveries = ContractDeliveries()
        deliveries.lock([contract.pk])
        taken = deliveries.deliver(contract_id=contract.pk, net_kg=CEILING)
        refused = deliveries.deliver(contract_id=contract.pk, net_kg=KG)
        deliveries.write()
    assert (taken, refused) == (True, False)
    assert Contract.objects.get(pk=contract.pk).delivered_kg == CEILING


@pytest.mark.parametrize(("delivered_kg", "replaced"), [(510_000, True), (510_000 + KG, False)])
def test_an_amendment_may_bring_the_ceiling_down_to_what_was_delivered(
    market, delivered_kg, replaced
) -> None:
    contract = _approved(market)
    deliver_on_contract(contract_id=contract.pk, net_kg=delivered_kg)
    amendment = services.amend_contract(
        actor=market.seller_user, contract=contract, quantity_kg=500_000
    )
    services.submit_contract(actor=market.seller_user, contract=amendment)
    operator = market.world.user("haicheng_operator")
    if replaced:
        approved = services.approve_contract(actor=operator, contract=amendment)
        assert (approved.max_delivery_kg, approved.delivered_kg) == (510_000, 510_000)
        return
    with pytest.raises(DomainError) as refused:
        services.approve_contract(actor=operator, contract=amendment)
    assert refused.value.code == "contract_undelivered"
    assert Contract.objects.get(pk=contract.pk).status == "approved"


@pytest.mark.parametrize(("delivered_kg", "accepted"), [(20_399_998, True), (20_399_999, False)])
def test_an_imported_quantity_may_bring_the_ceiling_down_to_what_was_delivered(
    market, delivered_kg, accepted
) -> None:
    # Given the imported 20,000 t contract (ceiling 20,400 t) with `delivered_kg` delivered,
    # when the quantity is re-imported as 19,999.999 t (ceiling 20,399,998 kg):
    assert import_bundle(_workbook(_sheets(market)), actor=None).ok
    contract = Contract.objects.get(number__endswith="-0031")
    assert deliver_on_contract(contract_id=contract.pk, net_kg=delivered_kg)
    report = import_bundle(_workbook(_sheets(market, quantity_t=19999.999)), actor=None)
    stored = Contract.objects.get(pk=contract.pk)
    if accepted:
        assert (report.ok, stored.max_delivery_kg) == (True, 20_399_998)
        return
    assert [(e.column, e.code) for e in report.errors] == [("quantity_t", "below_delivered")]
    assert stored.max_delivery_kg == 20_400_000


def test_the_database_keeps_the_ceiling_to_the_kilogram(market) -> None:
    contract = _approved(market)
    Contract.objects.filter(pk=contract.pk).update(delivered_kg=F("max_delivery_kg"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(delivered_kg=F("max_delivery_kg") + KG)
    assert Contract.objects.get(pk=contract.pk).delivered_kg == CEILING
