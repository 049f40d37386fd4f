"""Property-based: malformed bodies and tickets are 4xx or rejected, never a 5xx; nothing stored."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from oreledger.quotas.models import LedgerEntry
from oreledger.weighing.models import Ticket
from oreledger.weighing.protocol import parse_ticket
from oreledger.weighing.tests.support import build_chain, plate, post, ticket

pytestmark = pytest.mark.django_db

FIELDS = [
    "seq",
    "ticket_no",
    "plate",
    "direction",
    "waybill",
    "cargo",
    "declared_grade",
    "gross_kg",
    "tare_kg",
    "net_kg",
    "gross_at",
    "tare_at",
    "operator",
    "photos",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=60),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def station(world):
    chain = build_chain(world)
    return next(iter(chain.mines[0].stations.items()))


def _nothing_stored() -> None:
    assert Ticket.objects.count() == 0
    assert not LedgerEntry.objects.filter(kind="consume").exists()


# What a malformed body may get: the request refused with one of the protocol's codes for a
# body, or (a `tickets` array of things that are no tickets) every ticket rejected.
ALLOWED_OUTCOMES = {
    (400, "malformed_json"),
    (400, "tickets_missing"),
    (400, "batch_size"),
    (200, "every ticket rejected"),
}


def _outcome(response) -> tuple[int, str]:
    body = response.json()
    if response.status_code != 200:
        return response.status_code, body["error"]["code"]
    statuses = [r["status"] for r in body["results"]]
    return 200, "every ticket rejected" if set(statuses) == {"rejected"} else f"{statuses}"


@FUZZ
@given(raw=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_malformed_bodies_are_refused_with_a_known_code(station, raw) -> None:
    code, secret = station
    response = post(Client(), code, secret, raw)
    assert _outcome(response) in ALLOWED_OUTCOMES
    _nothing_stored()


@FUZZ
@given(field=st.sampled_from(FIELDS), value=json_values, drop=st.booleans())
def test_tickets_breaking_a_field_rule_are_rejected(station, field, value, drop) -> None:
    code, secret = station
    item = ticket(1, plate(1))
    if drop:
        item.pop(field, None)
    else:
        item[field] = value
    content, _problems = parse_ticket(
        item, now=timezone.now(), grade_codes=lambda at: frozenset({"LM-46"})
    )
    assume(content is None)
    response = post(Client(), code, secret, json.dumps({"tickets": [item, 7, None]}).encode())
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["rejected"] * 3
    assert all(r["reasons"] and r["ticket_id"] is None for r in response.json()["results"])
    _nothing_stored()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"tickets": [{"seq": 1, "ticket_no": "A\\u0000B"}]}',
        b'{"tickets": [{"seq": 1, "ticket_no": "\\ud800"}, {"\\u0000": "\\udfff"}]}',
    ],
)
def test_nul_and_lone_surrogates_are_rejected_not_500(station, raw) -> None:
    code, secret = station
    response = post(Client(), code, secret, raw)
    assert response.status_code == 200
    assert {r["status"] for r in response.json()["results"]} == {"rejected"}
    _nothing_stored()


def test_nan_and_infinity_are_not_json(station) -> None:
    code, secret = station
    response = post(Client(), code, secret, b'{"tickets": [{"seq": NaN, "gross_kg": Infinity}]}')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    _nothing_stored()
