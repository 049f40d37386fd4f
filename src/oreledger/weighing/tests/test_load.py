"""Concurrency and crashes with real processes: 32 stations, small quotas, a SIGKILL mid-load."""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.models import Sum

from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import QuotaAccount
from oreledger.trade.models import Contract
from oreledger.weighing.chain import verify_chain
from oreledger.weighing.models import Ticket, Waybill
from oreledger.weighing.tests.load import Station, batches, kill, start_gunicorn
from oreledger.weighing.tests.support import build_chain, plate, ticket, waybills_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

MINES, STATIONS_PER_MINE, TICKETS_PER_STATION, NET = 8, 4, 6, 30_000
QUOTA = 5 * NET + 10_000  # five trucks fit, the sixth of a mine is held


def _plan(world):
    chain = build_chain(
        world, mines=MINES, stations_per_mine=STATIONS_PER_MINE, quota_kg=QUOTA, contract_kg=10**9
    )
    plans = {}
    n = 0
    for mine in chain.mines:
        for code, secret in mine.stations.items():
            plates = [plate(n + i) for i in range(TICKETS_PER_STATION)]
            n += TICKETS_PER_STATION
            waybills = waybills_for(mine, plates)
            items = [
                ticket(i + 1, w.plate, waybill=w.number, net=NET) for i, w in enumerate(waybills)
            ]
            plans[code] = (secret, items)
    return chain, plans


def _check_totals(chain) -> None:
    """Σ consumed = Σ accepted exit net per mine; no mine over quota; ledgers and chains sound."""
    assert Ticket.objects.count() == MINES * STATIONS_PER_MINE * TICKETS_PER_STATION
    drawn = defaultdict(int)
    for site_id, total in (
        Ticket.objects.filter(release=True, kind="exit")
        .values_list("site_id")
        .annotate(total=Sum("net_kg"))
    ):
        drawn[site_id] = total
    for mine in chain.mines:
        account = QuotaAccount.objects.get(holder_site=mine.site)
        assert account.consumed_kg == drawn[mine.site.pk] == 5 * NET
        assert account.consumed_kg <= account.allocated_kg + account.tolerance_kg
        assert Contract.objects.get(pk=mine.contract.pk).delivered_kg == 5 * NET
        assert Waybill.objects.filter(origin_site=mine.site, status="departed").count() == 5
    assert verify_ledger() == []
    assert list(verify_chain()) == []


def test_32_stations_sending_concurrently_never_overdraw_a_mine(world_tx) -> None:
    chain, plans = _plan(world_tx)
    server, port = start_gunicorn()
    try:

        def run(code: str) -> None:
            secret, items = plans[code]
            station = Station(port, code, secret)
            for batch in batches(items, 2):
                first = station.send(batch)
                # every batch resent: the answers repeat the first, nothing is stored twice
                again = station.send(batch)
                assert [r["ticket_id"] for r in again["results"]] == [
                    r["ticket_id"] for r in first["results"]
                ]
                assert {r["status"] for r in again["results"]} == {"duplicate"}

        with ThreadPoolExecutor(max_workers=len(plans)) as pool:
            list(pool.map(run, plans))
    finally:
        kill(server)
    _check_totals(chain)


def test_a_server_killed_mid_load_loses_and_doubles_nothing(world_tx) -> None:
    chain, plans = _plan(world_tx)
    server, port = start_gunicorn()
    killed = threading.Event()

    def run(code: str) -> None:
        secret, items = plans[code]
        station = Station(port, code, secret)
        for item in items:
            try:
                station.send([item])
            except OSError:
                killed.wait(timeout=60)
                return

    def killer() -> None:
        # SIGKILL the master and its workers while the stations are mid-load.
        while Ticket.objects.count() < len(plans) * 2:
            threading.Event().wait(0.05)
        kill(server)
        killed.set()

    try:
        watcher = threading.Thread(target=killer)
        watcher.start()
        with ThreadPoolExecutor(max_workers=len(plans)) as pool:
            list(pool.map(run, plans))
        watcher.join(timeout=120)
    finally:
        kill(server)
    assert Ticket.objects.count() < len(plans) * TICKETS_PER_STATION
    # the platform comes back; each station asks for last_seq and resends what follows
    server, port = start_gunicorn(port)
    try:

        def resume(code: str) -> None:
            secret, items = plans[code]
            station = Station(port, code, secret)
            last = station.last_seq()
            for batch in batches([i for i in items if i["seq"] > last], 3):
                assert {r["status"] for r in station.send(batch)["results"]} == {"accepted"}

        with ThreadPoolExecutor(max_workers=len(plans)) as pool:
            list(pool.map(resume, plans))
    finally:
        kill(server)
    _check_totals(chain)
