"""Plain statements of the weighing path: what they read back and write equals the ORM's."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from oreledger.core.prepared import (
    any_of,
    columns,
    every_field,
    insert,
    load,
    run,
    run_many,
    update,
)
from oreledger.registry.models import Vehicle
from oreledger.registry.tests.factories import VehicleFactory
from oreledger.trade.models import Delivery
from oreledger.weighing.tests.support import build_chain

pytestmark = pytest.mark.django_db


def test_load_reads_rows_back_as_the_orm_does_whatever_the_order_of_names():
    # given two registered trucks
    VehicleFactory(plate="辽C10001", tare_kg=15_000, axles=6)
    VehicleFactory(plate="辽C10002", tare_kg=14_000, axles=5)
    names = ["tare_kg", "plate", "id", "axles"]
    where, params = any_of("plate", ["辽C10002", "辽C10001"])

    # when they are selected in plain SQL and loaded
    sql = f"SELECT {columns(Vehicle, names)} FROM registry_vehicle WHERE {where} ORDER BY plate"  # noqa: S608
    loaded = load(Vehicle, names, run(sql, params).rows)

    # then each field holds what the ORM holds
    expected = list(
        Vehicle.objects.order_by("plate").values_list("plate", "tare_kg", "axles", "id")
    )
    assert [(v.plate, v.tare_kg, v.axles, v.pk) for v in loaded] == expected


def test_load_converts_what_the_database_returns(world):
    # given a truck with every field, read back whole (SQLite returns instants as text)
    truck = VehicleFactory(plate="辽C10003")
    names = every_field(Vehicle)
    where, params = any_of("id", [truck.pk])

    # when
    sql = f"SELECT {columns(Vehicle, names)} FROM registry_vehicle WHERE {where}"  # noqa: S608
    (loaded,) = load(Vehicle, names, run(sql, params).rows)

    # then every value equals the ORM's, instants included
    orm = Vehicle.objects.get(pk=truck.pk)
    assert {n: getattr(loaded, n) for n in names} == {n: getattr(orm, n) for n in names}
    assert isinstance(loaded.created_at, datetime.datetime)


def test_any_of_no_values_matches_nothing():
    # given a truck
    VehicleFactory(plate="辽C10004")

    # when asked for none of the plates
    where, params = any_of("plate", [])
    rows = run(f"SELECT id FROM registry_vehicle WHERE {where}", params).rows  # noqa: S608

    # then
    assert rows == []


def test_insert_sets_the_ids_and_the_automatic_instants(world):
    # given a contract and two deliveries not yet stored
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    contract = chain.mines[0].contract
    deliveries = [
        Delivery(contract=contract, net_kg=30_000),
        Delivery(contract=contract, net_kg=-5),
    ]

    # when they are inserted in one statement per row
    with transaction.atomic():
        insert(deliveries)

    # then each has its id, and the rows are what was built
    stored = list(Delivery.objects.filter(contract=contract).order_by("pk"))
    assert [d.pk for d in stored] == [d.pk for d in deliveries]
    assert [(d.net_kg, d.at) for d in stored] == [
        (30_000, deliveries[0].at),
        (-5, deliveries[1].at),
    ]
    assert deliveries[0].at is not None
    assert deliveries[0]._state.adding is False


def test_insert_refuses_objects_that_already_have_an_id(world):
    # given a stored delivery
    chain = build_chain(world, quota_kg=10**9, contract_kg=10**9)
    delivery = Delivery.objects.create(contract_id=chain.mines[0].contract.pk, net_kg=1)

    # when it is inserted again, then it is refused and nothing is written
    with pytest.raises(ValueError, match="new objects only"):
        insert([delivery])
    assert Delivery.objects.count() == 1


def test_run_many_returns_each_rows_answer_in_order():
    # given three trucks
    trucks = [VehicleFactory(plate=f"辽C2000{n}", tare_kg=10_000) for n in range(3)]

    # when each gets its own tare in one call, returning what it wrote
    rows = [(12_000 + n, t.pk) for n, t in enumerate(trucks)]
    with transaction.atomic():
        returned = run_many(
            "UPDATE registry_vehicle SET tare_kg = %s WHERE id = %s RETURNING id, tare_kg",
            rows,
            returning=True,
        )

    # then
    assert returned == [(t.pk, 12_000 + n) for n, t in enumerate(trucks)]
    assert list(Vehicle.objects.order_by("plate").values_list("tare_kg", flat=True)) == [
        12_000,
        12_001,
        12_002,
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_run_many_prepares_its_statement_once():
    # given trucks
    trucks = [VehicleFactory(plate=f"辽C3000{n}", tare_kg=10_000) for n in range(4)]
    sql = "UPDATE registry_vehicle SET axles = %s WHERE id = %s"

    # when the same statement runs for them twice
    with transaction.atomic():
        run_many(sql, [(5, t.pk) for t in trucks])
        run_many(sql, [(6, t.pk) for t in trucks])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
                ["UPDATE registry_vehicle SET axles = $1 WHERE id = $2"],
            )
            prepared = cursor.fetchone()[0]

    # then the server holds it once, and every row changed
    assert prepared == 1
    assert set(Vehicle.objects.values_list("axles", flat=True)) == {6}


def test_update_writes_the_named_fields_of_each_row_and_nothing_else():
    # given three trucks held in memory, two of them changed
    trucks = [VehicleFactory(plate=f"辽C4000{n}", tare_kg=10_000, axles=6) for n in range(3)]
    trucks[0].tare_kg, trucks[0].axles = 11_000, 2
    trucks[2].tare_kg, trucks[2].axles = 13_000, 2

    # when only their tare is written
    with transaction.atomic():
        update([trucks[2], trucks[0]], ["tare_kg"])

    # then each changed row has its own tare, no axle changed, the third truck is untouched
    stored = list(Vehicle.objects.order_by("plate").values_list("tare_kg", "axles"))
    assert stored == [(11_000, 6), (10_000, 6), (13_000, 6)]
