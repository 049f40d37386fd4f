"""The portal publishes its declared fields only, suppresses small aggregates, and limits."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook

from oreledger.public.queries import TABLES
from oreledger.public.tests.portal import SECRET_PRICE, SECRETS, Portal

pytestmark = pytest.mark.django_db


def _surfaces(client: Client, key: str) -> dict[str, str]:
    """Every surface of one table as text: page, CSV, xlsx, API."""
    texts = {}
    page = client.get(f"/public/{key}/")
    assert page.status_code == 200
    texts["page"] = page.content.decode()
    csv_file = client.get(f"/public/{key}/download/csv/")
    assert csv_file.status_code == 200 and csv_file["Content-Type"].startswith("text/csv")
    texts["csv"] = csv_file.content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(f"/public/{key}/download/xlsx/").content))
    texts["xlsx"] = "\n".join(
        str(v) for row in book.active.iter_rows(values_only=True) for v in row
    )
    answer = client.get(f"/api/v1/public/{key}")
    assert answer.status_code == 200
    texts["api"] = answer.content.decode()
    return texts


def test_every_surface_shows_the_declared_fields_and_no_private_value(portal: Portal) -> None:
    # given records holding plates, personal names, one truck's weight and one contract's price
    client = Client()
    for key, table in TABLES.items():
        # when each table's page, downloads and API answer are read
        texts = _surfaces(client, key)
        # then no private value appears anywhere
        for surface, text in texts.items():
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, f"{key} {surface}: {leaked}"
        # and every API row holds exactly the published fields, the CSV exactly their headers
        answer = client.get(f"/api/v1/public/{key}").json()
        declared = [field.key for field in table.fields]
        assert answer["fields"] == declared
        assert all(list(row) == declared for row in answer["rows"])
        header = next(csv.reader(io.StringIO(texts["csv"])))
        assert header == [str(field.label) for field in table.fields]
    front = client.get("/public/").content.decode()
    assert not [secret for secret in SECRETS if secret in front]


def test_an_aggregate_of_fewer_than_three_enterprises_is_suppressed(portal: Portal) -> None:
    client = Client()
    # when the output table is read
    rows = client.get("/api/v1/public/output").json()["rows"]
    by_county = {row["county"]: row for row in rows}
    # then Haicheng's three mines are published and Dashiqiao's single mine is not
    haicheng, dashiqiao = by_county["海城市"], by_county["大石桥市"]
    assert (haicheng["output_t"], haicheng["sold_t"], haicheng["suppressed"]) == (
        "6000.00", "6000.00", False)  # fmt: skip
    assert (haicheng["quota_t"], haicheng["quota_used_pct"]) == ("500000.00", "1.2")
    assert (dashiqiao["output_t"], dashiqiao["sold_t"], dashiqiao["quota_used_pct"]) == (
        None, None, None)  # fmt: skip
    assert dashiqiao["suppressed"] is True
    # and the price index publishes LM-46 (three sellers) but not LMT-47 (one seller)
    prices = {row["grade"]: row for row in client.get("/api/v1/public/prices").json()["rows"]}
    assert (prices["LM-46"]["contracted_t"], prices["LM-46"]["contracted_price"]) == (
        "3000.00", "420.00")  # fmt: skip
    assert (prices["LMT-47"]["contracted_t"], prices["LMT-47"]["contracted_price"]) == (None, None)
    assert prices["LMT-47"]["delivered_price"] is None and prices["LMT-47"]["suppressed"] is True
    # and the page shows "—" with the explanation
    page = client.get("/public/output/").content.decode()
    assert '<td class="num nowrap">—</td>' in page
    assert "少于三家企业" in page


def test_licences_show_their_status(portal: Portal) -> None:
    rows = Client().get("/api/v1/public/licences").json()["rows"]
    assert sorted(row["status"] for row in rows) == ["expiring", "revoked", "suspended", "valid"]
    page = Client().get("/public/licences/").content.decode()
    for word in ("有效", "即将到期", "暂扣", "吊销"):
        assert word in page, word


def test_only_published_decisions_are_shown(portal: Portal) -> None:
    rows = Client().get("/api/v1/public/decisions").json()["rows"]
    assert [(row["number"], row["violation"], row["legal_basis"], row["fine_yuan"])
            for row in rows] == [
        ("AJ-PUB-0", "超出年度开采总量控制指标开采", "《矿产资源法》第四十四条", "50000.00")
    ]  # fmt: skip
    assert "AJ-PUB-1" not in Client().get("/public/decisions/").content.decode()


def test_trade_price_index_api_suppresses_single_contract_prices_for_enterprises(
    portal: Portal,
) -> None:
    index = portal.market.world.api("enterprise_user").get("/api/v1/price-index?weeks=4").json()
    cells = {g["grade"]: g["weeks"][-1] for g in index["grades"]}
    assert cells["LM-46"]["approved_avg"] == "420.00"
    assert cells["LMT-47"]["approved_avg"] is None
    assert SECRET_PRICE not in str(index)


@override_settings(OL_PUBLIC_RATE_LIMIT=3, OL_PUBLIC_RATE_WINDOW_SECONDS=60)
def test_requests_beyond_the_limit_get_429_with_retry_after(portal: Portal) -> None:
    # given an address that used its three requests
    client = Client(REMOTE_ADDR="203.0.113.7")
    for url in ("/public/", "/public/prices/", "/api/v1/public/prices"):
        assert client.get(url).status_code == 200
    # when it asks once more, for a page and for the API
    page = client.get("/public/licences/")
    api = client.get("/api/v1/public/licences")
    # then both are refused with a Retry-After inside the window
    assert page.status_code == 429 and 1 <= int(page["Retry-After"]) <= 60
    assert api.status_code == 429 and api.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(api["Retry-After"]) <= 60
    # and another address is still served
    assert Client(REMOTE_ADDR="203.0.113.8").get("/public/licences/").status_code == 200


def test_the_api_is_in_the_openapi_document(world) -> None:
    schema = Client().get("/api/schema/?format=json").json()
    assert {"/api/v1/public/", "/api/v1/public/{key}"} <= set(schema["paths"])


def test_an_unknown_table_or_format_is_404(world) -> None:
    client = Client()
    assert client.get("/public/plates/").status_code == 404
    assert client.get("/public/prices/download/pdf/").status_code == 404
    answer = client.get("/api/v1/public/plates")
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "unknown_table")
