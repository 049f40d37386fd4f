"""Waybills by API and page, corrections with reversal entries, verify-chain, scopes."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import LedgerEntry, QuotaAccount
from oreledger.trade.models import Contract
from oreledger.weighing.chain import canonical, verify_chain
from oreledger.weighing.models import Ticket, TicketCorrection, Waybill
from oreledger.weighing.services import approve_correction, request_correction
from oreledger.weighing.tests.support import body, build_chain, plate, post, ticket, waybills_for
from testkit.matrix import check_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    return build_chain(world)


def test_seller_issues_a_waybill_by_api_with_qr_and_the_plate_cannot_hold_two(world, chain) -> None:
    api = world.api("enterprise_user")
    request = {
        "contract": chain.mines[0].contract.number,
        "plate": "辽C12345",
        "planned_net_kg": 34000,
        "valid_hours": 24,
    }
    created = api.post("/api/v1/waybills", request, format="json")
    assert created.status_code == 201, created.json()
    answer = created.json()
    assert answer["status"] == "issued" and answer["origin_site"] == "HC-M-001"
    assert answer["destination_site"] == "HC-P-001"
    again = api.post("/api/v1/waybills", request, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "waybill_open"
    detail = api.get(f"/api/v1/waybills/{answer['number']}")
    assert detail.status_code == 200 and detail.json()["exit_ticket"] is None
    qr = world.client("enterprise_user").get(answer["qr_svg_url"])
    assert qr.status_code == 200 and b"<svg" in qr.content
    slip = world.client("enterprise_user").get(f"/weighing/waybills/{answer['number']}/slip/")
    assert slip.status_code == 200 and "辽C12345" in slip.content.decode()


def test_waybill_refusals(world, chain) -> None:
    api = world.api("enterprise_user")
    contract = chain.mines[0].contract
    Contract.objects.filter(pk=contract.pk).update(status="submitted")
    refused = api.post(
        "/api/v1/waybills",
        {"contract": contract.number, "plate": "辽C12345", "planned_net_kg": 34000},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "contract_not_approved"
    bad_plate = api.post(
        "/api/v1/waybills",
        {"contract": contract.number, "plate": "XX", "planned_net_kg": 34000},
        format="json",
    )
    assert bad_plate.status_code == 400
    assert Waybill.objects.count() == 0


def test_ticket_api_filters_and_scopes(world, chain) -> None:
    mine = chain.mines[0]
    code, secret = next(iter(mine.stations.items()))
    [waybill] = waybills_for(mine, [plate(1)])
    post(
        Client(),
        code,
        secret,
        body([ticket(1, plate(1), waybill=waybill.number), ticket(2, plate(2))]),
    )
    responses = check_matrix(
        world,
        lambda c: c.get(f"/api/v1/tickets?station={code}&plate={plate(1)}"),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 200,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 401,
        },
        api=True,
        watch=[Ticket],
    )
    assert responses["haicheng_operator"].json()["count"] == 1
    assert responses["dashiqiao_operator"].json()["count"] == 0
    assert responses["enterprise_user"].json()["count"] == 1
    row = responses["province_officer"].json()["results"][0]
    assert row["release"] is True and row["matched_waybill"] == waybill.number
    check_matrix(
        world,
        lambda c: c.get(f"/weighing/waybills/{waybill.number}/"),
        {
            "province_officer": 200,
            "haicheng_operator": 200,
            "dashiqiao_operator": 404,
            "department_officer": 200,
            "enterprise_user": 200,
            "anonymous": 302,
        },
        watch=[Waybill],
    )
    for page in (
        "/weighing/tickets/",
        "/weighing/waybills/",
        "/weighing/stations/",
        f"/weighing/stations/{code}/",
        f"/weighing/tickets/{Ticket.objects.first().pk}/",
    ):
        assert world.client("haicheng_operator").get(page).status_code == 200, page


def test_an_approved_correction_moves_the_draw_through_reversal_entries(world, chain) -> None:
    mine = chain.mines[0]
    code, secret = next(iter(mine.stations.items()))
    wrong, right = waybills_for(mine, [plate(1), plate(2)])
    # the operator scanned another truck's slip: plate and waybill are both wrong
    post(Client(), code, secret, body([ticket(1, plate(1), waybill=wrong.number)]))
    stored = Ticket.objects.get()
    assert stored.release
    correction = request_correction(
        actor=world.user("enterprise_user"),
        ticket=stored,
        reason="司磅员扫错运单",
        waybill_number=right.number,
        plate=plate(2),
    )
    approve_correction(actor=world.user("haicheng_operator"), correction=correction)
    correction.refresh_from_db()
    assert correction.status == "approved" and correction.effects["to_waybill"] == right.number
    kinds = list(
        LedgerEntry.objects.filter(account__holder_site=mine.site, kind__in=["consume", "reverse"])
        .order_by("seq")
        .values_list("kind", "amount_kg")
    )
    assert kinds == [("consume", 30000), ("reverse", -30000), ("consume", 30000)]
    assert QuotaAccount.objects.get(holder_site=mine.site).consumed_kg == 30000
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert wrong.status == "void" and right.status == "departed"
    assert right.exit_ticket_id == stored.pk
    assert Ticket.objects.get().waybill_id == wrong.pk  # the ticket itself never changes
    assert TicketCorrection.objects.count() == 1 and verify_ledger() == []
    assert Contract.objects.get(pk=mine.contract.pk).delivered_kg == 30000


def test_verify_chain_reports_a_row_changed_behind_the_application(chain) -> None:
    mine = chain.mines[0]
    code, secret = next(iter(mine.stations.items()))
    waybills = waybills_for(mine, [plate(1), plate(2)])
    post(
        Client(),
        code,
        secret,
        body([ticket(i + 1, w.plate, waybill=w.number) for i, w in enumerate(waybills)]),
    )
    out = StringIO()
    call_command("verify_chain", stdout=out)
    assert "intact" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE weighing_ticket SET net_kg = 20000, gross_kg = 35000 WHERE seq = 1")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_chain", stdout=out)
    assert "hash_mismatch" in out.getvalue() and f"{code} #1" in out.getvalue()
    with pytest.raises(TypeError):
        Ticket.objects.filter(seq=2).update(net_kg=1)


def _forge(station: str, seq: int, *, net_kg: int, unkeyed: bool) -> None:
    """What someone with write access to the database but not the key material can do:
    change one ticket's net weight, recompute its hash and every later one's the unkeyed way
    (sha256(prev_hash + canonical content)), and move the station's head onto the forgery."""
    tickets = list(Ticket.objects.filter(station__code=station).order_by("chain_index"))
    prev = ""
    for stored in tickets:
        if stored.seq == seq:
            stored.gross_kg, stored.net_kg = stored.tare_kg + net_kg, net_kg
        if stored.seq >= seq:
            stored.prev_hash = prev
            stored.keyed = not unkeyed and stored.keyed
            stored.hash = hashlib.sha256((prev + canonical(stored)).encode()).hexdigest()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE weighing_ticket SET gross_kg = %s, net_kg = %s, prev_hash = %s,"
                    " hash = %s, keyed = %s WHERE id = %s",
                    [stored.gross_kg, stored.net_kg, prev, stored.hash, stored.keyed,
                     stored.id.hex],
                )  # fmt: skip
        prev = stored.hash
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE weighing_stationstate SET last_hash = %s WHERE station_id ="
            " (SELECT id FROM registry_station WHERE code = %s)",
            [prev, station],
        )


@pytest.mark.parametrize("unkeyed", [False, True], ids=["hash-recomputed", "marked-unkeyed"])
def test_verify_chain_reports_a_forged_ticket_by_station_and_seq(chain, unkeyed) -> None:
    # given three released exit tickets of one station, each drawing 30,000 kg
    mine = chain.mines[0]
    code, secret = next(iter(mine.stations.items()))
    waybills = waybills_for(mine, [plate(1), plate(2), plate(3)])
    items = [ticket(i + 1, w.plate, waybill=w.number) for i, w in enumerate(waybills)]
    assert post(Client(), code, secret, body(items)).status_code == 200
    assert list(verify_chain()) == []
    # when the second one's net weight is lowered, its hash and its successor's recomputed
    # without the key, and the station's head moved onto the forgery, all by SQL
    _forge(code, 2, net_kg=29000, unkeyed=unkeyed)
    # then verify-chain names the station and the forged ticket's seq first
    broken = list(verify_chain())
    expected = "hash_downgraded" if unkeyed else "hash_mismatch"
    assert [(b.station, b.seq, b.code) for b in broken][:1] == [(code, 2, expected)]
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_chain", stdout=out)
    assert f"{code} #2 (seq 2): {expected}" in out.getvalue()
