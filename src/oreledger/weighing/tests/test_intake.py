"""Single-ticket requests arriving together are recorded together, each decided as if alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from oreledger.quotas.integrity import verify_ledger
from oreledger.quotas.models import QuotaAccount
from oreledger.trade.models import Contract
from oreledger.weighing.chain import verify_chain
from oreledger.weighing.models import StationState, Ticket, TicketRejection
from oreledger.weighing.reference import Snapshot
from oreledger.weighing.services.intake import Intake, SingleRequest
from oreledger.weighing.services.tickets import record_round
from oreledger.weighing.tests.support import (
    build_chain,
    plate,
    station_obj,
    ticket,
    waybills_for,
)

NET = 30_000


class Held:
    """An intake whose first round waits until `followers` requests queue behind it."""

    def __init__(
        self,
        record: Callable[[list[SingleRequest]], None],
        followers: int,
        leaders: int = 1,
        gather: float = 0.0,
    ) -> None:
        self.rounds: list[list[Any]] = []
        self.started = threading.Event()
        self.record, self.followers, self.leaders = record, followers, leaders
        self.intake = Intake(self.held, leaders=leaders, gather=gather)

    def held(self, batch: list[SingleRequest]) -> None:
        self.rounds.append([r.item for r in batch])
        if len(self.rounds) <= self.leaders:
            if len(self.rounds) == self.leaders:
                self.started.set()
            deadline = time.monotonic() + 10
            while self.intake.waiting() < self.followers and time.monotonic() < deadline:
                time.sleep(0.005)
        self.record(batch)

    def send_all(self, requests: list[SingleRequest]) -> list[Any]:
        """The first request leads; the others arrive while its round runs. Answers in order."""
        answers: list[Any] = [None] * len(requests)

        def send(index: int) -> None:
            try:
                answers[index] = self.intake.record(requests[index])
            except Exception as exc:  # reported below, never swallowed
                answers[index] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send, args=(n,)) for n in range(len(requests))]
        for thread in threads[: self.leaders]:
            thread.start()
        assert self.started.wait(10)
        for queued, thread in enumerate(threads[self.leaders :], start=1):
            thread.start()
            # One at a time, so the round holds them in the order given.
            deadline = time.monotonic() + 10
            while self.intake.waiting() < queued and time.monotonic() < deadline:
                time.sleep(0.001)
        for thread in threads:
            thread.join(timeout=30)
        return answers


def _request(item: Any, station: Any = None) -> SingleRequest:
    return SingleRequest(station, item, timezone.now(), Snapshot())


def test_requests_waiting_while_a_round_runs_form_the_next_round() -> None:
    # given an intake whose first round is still running when five more requests arrive
    def answer(batch: list[SingleRequest]) -> None:
        for request in batch:
            request.answer = ("answered", request.item)

    held = Held(answer, followers=5)
    # when six requests are sent
    answers = held.send_all([_request(n) for n in range(6)])
    # then the five that waited were recorded as one round, and each got its own answer
    assert held.rounds == [[0], [1, 2, 3, 4, 5]]
    assert answers == [("answered", n) for n in range(6)]
    assert held.intake.waiting() == 0


def _answer_items(batch: list[SingleRequest]) -> None:
    for request in batch:
        request.answer = request.item


def _in_thread(intake: Intake, request: SingleRequest, answers: list[Any]) -> threading.Thread:
    thread = threading.Thread(target=lambda: answers.append(intake.record(request)))
    thread.start()
    return thread


def test_right_after_a_round_of_several_the_next_lead_waits_for_those_it_answered() -> None:
    # given a round of two just recorded (a window long enough that only the count ends it)
    held = Held(_answer_items, followers=2, gather=30.0)
    assert held.send_all([_request(n) for n in range(3)]) == [0, 1, 2]
    assert held.rounds == [[0], [1, 2]]
    # when one of the stations it answered sends its next truck
    answers: list[Any] = []
    first = _in_thread(held.intake, _request(3), answers)
    time.sleep(0.2)
    # then it is not recorded alone, but waits for the other
    assert held.rounds == [[0], [1, 2]] and answers == []
    # and when the other arrives, both are recorded as one round
    second = _in_thread(held.intake, _request(4), answers)
    first.join(timeout=10)
    second.join(timeout=10)
    assert held.rounds == [[0], [1, 2], [3, 4]]
    assert sorted(answers) == [3, 4]


def test_after_a_round_of_one_a_request_leads_at_once() -> None:
    # given an intake that would wait up to 30 s after a round of several
    held = Held(_answer_items, followers=0, gather=30.0)
    answers: list[Any] = []
    # when two requests come one after the other, each alone
    for n in range(2):
        thread = _in_thread(held.intake, _request(n), answers)
        thread.join(timeout=5)
        # then each is recorded at once, as a round of one
        assert not thread.is_alive()
    assert held.rounds == [[0], [1]]
    assert answers == [0, 1]


def test_two_leaders_record_at_once_and_the_first_free_takes_the_queue() -> None:
    # given two leads, both busy with a round of one while four more requests arrive
    def answer(batch: list[SingleRequest]) -> None:
        for request in batch:
            request.answer = request.item

    held = Held(answer, followers=4, leaders=2)
    # when six requests are sent
    answers = held.send_all([_request(n) for n in range(6)])
    # then the four that waited form one round, led by the first of them
    assert sorted(held.rounds[:2]) == [[0], [1]]
    assert held.rounds[2:] == [[2, 3, 4, 5]]
    assert answers == list(range(6))
    assert held.intake.waiting() == 0


def test_a_failed_round_fails_its_requests_and_the_next_round_still_runs() -> None:
    # given rounds that fail while any request in them is "broken"
    def answer(batch: list[SingleRequest]) -> None:
        if any(r.item == "broken" for r in batch):
            raise RuntimeError("database gone")
        for request in batch:
            request.answer = request.item

    held = Held(answer, followers=2)
    # when the leader's round fails while two requests wait behind it
    answers = held.send_all([_request("broken"), _request("a"), _request("b")])
    # then the leader sees the error, and the next leader records the others
    assert isinstance(answers[0], RuntimeError)
    assert answers[1:] == ["a", "b"]
    assert held.rounds == [["broken"], ["a", "b"]]


@pytest.fixture
def six_stations(world_tx):
    """Two mines with three exit stations each; each mine's quota holds two trucks."""
    chain = build_chain(
        world_tx, mines=2, stations_per_mine=3, quota_kg=2 * NET + 10_000, contract_kg=10**9
    )
    gates = []
    for m, mine in enumerate(chain.mines):
        waybills = waybills_for(mine, [plate(10 * m + n) for n in range(3)])
        for (code, _secret), waybill in zip(mine.stations.items(), waybills, strict=True):
            gates.append((station_obj(code), waybill))
    return chain, gates


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_round_of_six_stations_decides_each_ticket_as_if_alone(six_stations) -> None:
    # given six exit stations at two mines whose quotas hold two trucks each
    chain, gates = six_stations
    requests = [
        _request(ticket(1, w.plate, waybill=w.number, net=NET), station) for station, w in gates
    ]
    held = Held(record_round, followers=5)
    # when all six weigh a truck at once (the first alone, five in one round)
    answers = held.send_all(requests)
    # then every ticket is stored; at each mine one truck (which one is arrival order) is
    # held for quota and the other two leave
    assert [len(r) for r in held.rounds] == [1, 5]
    results = [a.results[0] for a in answers]
    assert [r.status for r in results] == ["accepted"] * 6
    for mine in (results[:3], results[3:]):
        assert sorted(r.release for r in mine) == [False, True, True]
        assert [[c["code"] for c in r.reasons] for r in mine if not r.release] == [
            ["quota_exhausted"]
        ]
    assert [a.last_seq for a in answers] == [1] * 6
    for mine in chain.mines:
        account = QuotaAccount.objects.get(holder_site=mine.site)
        assert account.consumed_kg == 2 * NET
        assert Contract.objects.get(pk=mine.contract.pk).delivered_kg == 2 * NET
    assert list(StationState.objects.values_list("chain_length", flat=True).distinct()) == [1]
    assert Ticket.objects.count() == 6
    assert list(verify_chain()) == [] and verify_ledger() == []


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_round_with_a_station_twice_and_a_broken_item_answers_each(six_stations) -> None:
    # given a round holding one station twice (seq 1 and 2, the same waybill) and a
    # malformed item from a third station
    _chain, gates = six_stations
    (first, w1), (second, w2), (third, _w3) = gates[:3]
    requests = [
        _request(ticket(1, w1.plate, waybill=w1.number, net=NET), first),
        _request(ticket(1, w2.plate, waybill=w2.number, net=NET), second),
        _request(ticket(2, w2.plate, waybill=w2.number, net=20_000), second),
        _request({"seq": 1, "plate": "nonsense"}, third),
    ]
    held = Held(record_round, followers=3)
    # when they arrive together
    answers = held.send_all(requests)
    # then the second station's tickets are decided in order within the round (its second
    # truck finds the waybill used), the malformed item is rejected, nothing counts twice
    assert [len(r) for r in held.rounds] == [1, 3]
    assert [a.results[0].status for a in answers] == [
        "accepted",
        "accepted",
        "accepted",
        "rejected",
    ]
    assert [a.results[0].release for a in answers[:3]] == [True, True, False]
    assert [r["code"] for r in answers[2].results[0].reasons] == ["waybill_reused"]
    assert [a.last_seq for a in answers[1:3]] == [2, 2]
    assert TicketRejection.objects.filter(station=third).count() == 1
    assert Ticket.objects.count() == 3
    assert list(verify_chain()) == [] and verify_ledger() == []


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_seq_sent_twice_in_one_round_is_recorded_once(six_stations) -> None:
    # given a station's ticket and its resend (the same seq) arriving in one round
    _chain, gates = six_stations
    (first, w1), (second, w2) = gates[:2]
    item = ticket(1, w2.plate, waybill=w2.number, net=NET)
    requests = [
        _request(ticket(1, w1.plate, waybill=w1.number, net=NET), first),
        _request(item, second),
        _request(dict(item), second),
    ]
    held = Held(record_round, followers=2)
    # when they arrive together
    answers = held.send_all(requests)
    # then the round is recorded request by request: the first is stored, the resend is
    # its duplicate, and the quota is drawn once
    assert [len(r) for r in held.rounds] == [1, 2]
    assert [a.results[0].status for a in answers] == ["accepted", "accepted", "duplicate"]
    assert answers[2].results[0].ticket_id == answers[1].results[0].ticket_id
    assert Ticket.objects.filter(station=second).count() == 1
    assert QuotaAccount.objects.get(holder_site=gates[0][0].site).consumed_kg == 2 * NET
    assert list(verify_chain()) == [] and verify_ledger() == []
