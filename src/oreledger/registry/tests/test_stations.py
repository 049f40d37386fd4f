"""Station secrets: created by the platform, shown once, rotated with grace, disable-able,
stored encrypted and never logged or served by the API."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oreledger.core.models import ObjectChange
from oreledger.registry import secrets, services
from oreledger.registry.errors import InvalidRecord
from oreledger.registry.models import Station

pytestmark = pytest.mark.django_db


def test_a_new_station_gets_a_secret_stored_encrypted(world, records) -> None:
    # when a county operator registers a station
    station, secret = services.create_station(
        actor=world.user("haicheng_operator"),
        code="HC-ST-100",
        name="一矿出口",
        region=None,
        site=records.hc_site,
        lat="40.881",
        lon="122.681",
    )
    # then the secret is returned once, stored only as ciphertext, and accepted
    assert secret is not None and len(secret) == 43
    stored = Station.objects.get(code="HC-ST-100")
    assert secret not in stored.secret_encrypted
    assert stored.secret_encrypted.startswith("v1:")
    assert secrets.decrypt(stored.secret_encrypted) == secret
    assert services.station_secrets(stored) == [secret]
    assert station.region == world.haicheng


def test_a_secret_sealed_under_one_key_does_not_open_under_another(settings) -> None:
    # given a secret sealed under the platform's key
    settings.OL_SECRETS_KEY = "first key material"
    stored = secrets.encrypt("station secret")
    assert secrets.decrypt(stored) == "station secret"
    # when the key material changes (the derived key is kept per material, not per process)
    settings.OL_SECRETS_KEY = "second key material"
    # then the stored secret no longer opens, and opens again under the first key
    with pytest.raises(ValueError, match="cannot be decrypted"):
        secrets.decrypt(stored)
    settings.OL_SECRETS_KEY = "first key material"
    assert secrets.decrypt(stored) == "station secret"


def test_rotation_keeps_the_old_secret_for_the_grace_period(world, records) -> None:
    actor = world.user("haicheng_operator")
    station, first = services.create_station(
        actor=actor,
        code="HC-ST-101",
        name="二号磅",
        region=None,
        site=records.hc_site,
        lat="40.881",
        lon="122.681",
    )
    second = services.rotate_station_secret(
        actor=actor, station=station, grace=datetime.timedelta(hours=2)
    )
    station.refresh_from_db()
    now = timezone.now()
    assert services.station_secrets(station, now) == [second, first]
    assert services.station_secrets(station, now + datetime.timedelta(hours=3)) == [second]
    third = services.rotate_station_secret(
        actor=actor, station=station, grace=datetime.timedelta(0)
    )
    station.refresh_from_db()
    assert services.station_secrets(station, now) == [third]


def test_grace_outside_limits_is_refused(world, records) -> None:
    with pytest.raises(InvalidRecord) as caught:
        services.rotate_station_secret(
            actor=world.user("haicheng_operator"),
            station=records.hc_station,
            grace=datetime.timedelta(days=31),
        )
    assert caught.value.field_codes() == {"grace": ["grace_range"]}


def test_a_disabled_station_has_no_accepted_secret(world, records) -> None:
    actor = world.user("haicheng_operator")
    station, secret = services.create_station(
        actor=actor,
        code="HC-ST-102",
        name="三号磅",
        region=None,
        site=records.hc_site,
        lat="40.881",
        lon="122.681",
    )
    services.disable_station(actor=actor, station=station, reason="设备被篡改")
    station.refresh_from_db()
    assert station.disabled_at is not None
    assert services.station_secrets(station) == []
    services.enable_station(actor=actor, station=station, reason="设备已更换")
    station.refresh_from_db()
    assert services.station_secrets(station) == [secret]


def test_the_secret_never_reaches_logs_audit_or_api(world, records, caplog) -> None:
    # given every logger at DEBUG, and SQL captured
    caplog.set_level(logging.DEBUG)
    actor = world.user("haicheng_operator")
    with CaptureQueriesContext(connection) as queries:
        station, first = services.create_station(
            actor=actor,
            code="HC-ST-103",
            name="四号磅",
            region=None,
            site=records.hc_site,
            lat="40.881",
            lon="122.681",
        )
        second = services.rotate_station_secret(actor=actor, station=station)
    # then neither secret appears in the log, the SQL, the audit trail or the API
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    audit = " ".join(str(c.before) + str(c.after) for c in ObjectChange.objects.all())
    api = world.api("haicheng_operator")
    detail = api.get("/api/v1/stations/HC-ST-103/").content.decode()
    listing = api.get("/api/v1/stations/").content.decode()
    for secret in (first, second):
        assert secret not in caplog.text
        assert secret not in sql
        assert secret not in audit
        assert secret not in detail and secret not in listing
    assert "secret_encrypted" not in audit
    assert '"has_secret":true' in detail.replace(" ", "")


def test_the_page_shows_the_secret_once(world, records) -> None:
    client = world.client("haicheng_operator")
    response = client.post(
        "/registry/stations/new/",
        {
            "code": "HC-ST-104",
            "name": "五号磅",
            "site": "HC-M-001",
            "lat": "40.881",
            "lon": "122.681",
        },
    )
    assert response.status_code == 302
    first = client.get(response["Location"])
    secret = first.context["new_secret"]
    station = Station.objects.get(code="HC-ST-104")
    assert services.station_secrets(station) == [secret]
    assert secret in first.content.decode()
    assert first["Cache-Control"] == "no-store, private"
    again = client.get(response["Location"])
    assert again.context["new_secret"] is None and secret not in again.content.decode()
    # a rotation from the page shows the new one once, and the old stays valid for a day
    asked = client.post("/registry/stations/HC-ST-104/rotate/", {"grace_hours": "24"})
    assert b'data-testid="confirm-step"' in asked.content
    assert services.station_secrets(station) == [secret]  # nothing changes until confirmed
    client.post("/registry/stations/HC-ST-104/rotate/", {"grace_hours": "24", "confirmed": "1"})
    rotated = client.get("/registry/stations/HC-ST-104/").context["new_secret"]
    station.refresh_from_db()
    assert services.station_secrets(station) == [rotated, secret]


def test_an_api_station_has_no_secret_until_issued_on_its_page(world, records) -> None:
    response = world.api("haicheng_operator").post(
        "/api/v1/stations/",
        {"code": "HC-ST-105", "name": "六号磅", "site": "HC-M-001", "lat": 40.881, "lon": 122.681},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["has_secret"], body["active"], body["region"]) == (False, False, "210381")
    assert "secret" not in body
    assert services.station_secrets(Station.objects.get(code="HC-ST-105")) == []


@pytest.mark.parametrize("hours", ["99999999999", "-1", "5", "many"])
def test_a_grace_period_out_of_the_choices_is_a_clear_400(world, records, hours) -> None:
    # given a county operator's station with its secret
    station, secret = services.create_station(
        actor=world.user("haicheng_operator"),
        code="HC-ST-106",
        name="七号磅",
        region=None,
        site=records.hc_site,
        lat="40.881",
        lon="122.681",
    )
    # when the rotation is sent with a grace period the page does not offer
    response = world.client("haicheng_operator").post(
        "/registry/stations/HC-ST-106/rotate/", {"grace_hours": hours, "confirmed": "1"}
    )
    # then it is refused with the reason, and the secret is unchanged
    assert response.status_code == 400
    assert "过渡期须在 0 至 30 天之间" in response.content.decode()
    station.refresh_from_db()
    assert services.station_secrets(station) == [secret]


def test_a_new_secret_never_waits_in_plaintext_in_the_session_table(world, records) -> None:
    # given a rotation confirmed on the station's page, the new secret not yet shown
    station, _first = services.create_station(
        actor=world.user("haicheng_operator"),
        code="HC-ST-107",
        name="八号磅",
        region=None,
        site=records.hc_site,
        lat="40.881",
        lon="122.681",
    )
    client = world.client("haicheng_operator")
    client.post("/registry/stations/HC-ST-107/rotate/", {"grace_hours": "0", "confirmed": "1"})
    stored = Session.objects.get(session_key=client.session.session_key)
    # when it is shown once
    secret = client.get("/registry/stations/HC-ST-107/").context["new_secret"]
    # then the session held only its sealed form
    station.refresh_from_db()
    assert services.station_secrets(station) == [secret]
    assert secret not in stored.session_data
    assert secret not in str(stored.get_decoded())
