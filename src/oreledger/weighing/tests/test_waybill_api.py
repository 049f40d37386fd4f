"""Issuing a waybill over the API: the answer, the refusals, and the queries it costs."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from oreledger.core.models import ObjectChange
from oreledger.weighing.models import Waybill
from oreledger.weighing.services import waybills
from oreledger.weighing.tests.support import build_chain, waybills_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    return build_chain(world, mines=2)


def _order(chain, plate: str = "辽C12345", mine: int = 0) -> dict[str, object]:
    return {"contract": chain.mines[mine].contract.number, "plate": plate, "planned_net_kg": 34000}


def test_the_answer_to_an_issue_is_the_waybill_as_stored(world, chain) -> None:
    # Given an operator of the mines' county with an API token
    api = world.api("haicheng_operator")
    # When they issue a waybill for the second mine's contract
    created = api.post("/api/v1/waybills", _order(chain, mine=1), format="json")
    # Then the answer is exactly what reading the waybill back gives
    assert created.status_code == 201, created.json()
    answer = created.json()
    stored = api.get(f"/api/v1/waybills/{answer['number']}")
    assert stored.status_code == 200
    assert answer == stored.json()
    waybill = Waybill.objects.get(number=answer["number"])
    assert answer["contract"] == chain.mines[1].contract.number
    assert answer["origin_site"] == "HC-M-002" and answer["destination_site"] == "HC-P-001"
    assert waybill.region_id == chain.mines[1].site.region_id
    assert waybill.issued_by == world.user("haicheng_operator")
    assert answer["exit_ticket"] is None and answer["entry_ticket"] is None
    # And one audit row records the creation
    assert list(
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Waybill), object_id=str(waybill.pk)
        ).values_list("action", "actor__username")
    ) == [("create", "haicheng_operator")]


def test_issuing_a_waybill_costs_a_fixed_number_of_queries(
    world, chain, django_assert_max_num_queries
) -> None:
    # Given a token already used once (the token's last use is written at most once a minute)
    api = world.api("haicheng_operator")
    assert api.post("/api/v1/waybills", _order(chain, "辽C00001"), format="json").status_code == 201
    # When another waybill is issued
    # Then: token+user, the token's rate-limit count, contract, blacklist, lapsed open
    # waybills, insert (in a savepoint: 3), audit row, and the service's transaction (a
    # savepoint pair inside the test's) — 11, with no read before the insert and no second
    # read of the waybill or its region
    with django_assert_max_num_queries(11):
        created = api.post("/api/v1/waybills", _order(chain, "辽C00002"), format="json")
    assert created.status_code == 201


def test_a_plate_with_an_open_waybill_is_refused_and_nothing_is_written(world, chain) -> None:
    # Given an open waybill for a plate from the first mine
    api = world.api("haicheng_operator")
    first = api.post("/api/v1/waybills", _order(chain), format="json")
    assert first.status_code == 201
    audit_rows = ObjectChange.objects.count()
    # When another is asked for the same plate from the same mine
    again = api.post("/api/v1/waybills", _order(chain), format="json")
    # Then it is refused as waybill_open and nothing changes
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "waybill_open"
    assert Waybill.objects.filter(plate="辽C12345").count() == 1
    assert ObjectChange.objects.count() == audit_rows
    # And the same plate from the other mine is a different trip: issued
    other = api.post("/api/v1/waybills", _order(chain, mine=1), format="json")
    assert other.status_code == 201


def test_a_lapsed_open_waybill_no_longer_holds_the_plate(world, chain) -> None:
    # Given an issued waybill for the plate that expired an hour ago (the job has not run)
    (lapsed,) = waybills_for(chain.mines[0], ["辽C12345"])
    past = timezone.now() - datetime.timedelta(hours=1)
    Waybill.objects.filter(pk=lapsed.pk).update(
        issued_at=past - datetime.timedelta(hours=24), expires_at=past
    )
    # When a new waybill is issued for the plate
    created = world.api("haicheng_operator").post("/api/v1/waybills", _order(chain), format="json")
    # Then it is issued and the lapsed one is marked expired
    assert created.status_code == 201, created.json()
    lapsed.refresh_from_db()
    assert lapsed.status == "expired" and lapsed.version == 2


def test_a_number_already_taken_is_drawn_again(world, chain, monkeypatch) -> None:
    # Given a waybill that holds a number, and a draw that gives that number first
    (taken,) = waybills_for(chain.mines[1], ["辽C99999"])
    draws = iter([taken.number, "WB20990101000001"])
    monkeypatch.setattr(waybills, "new_waybill_number", lambda day: next(draws))
    # When a waybill is issued for another plate
    created = world.api("haicheng_operator").post("/api/v1/waybills", _order(chain), format="json")
    # Then it gets the next number drawn, and the holder keeps its own
    assert created.status_code == 201, created.json()
    assert created.json()["number"] == "WB20990101000001"
    assert Waybill.objects.get(number=taken.number).plate == "辽C99999"
