"""Weighing's scheduled expiry of unused waybills."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from oreledger.core.scheduler import periodic_jobs
from oreledger.weighing.jobs import expire_open_waybills
from oreledger.weighing.models import Waybill
from oreledger.weighing.tests.support import build_chain, waybills_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    return build_chain(world)


def test_the_expiry_job_is_scheduled_every_quarter_hour() -> None:
    job = next(j for j in periodic_jobs() if j.name == "weighing.expire_open_waybills")
    assert (job.task_path, job.every) == (
        "oreledger.weighing.jobs.expire_open_waybills",
        datetime.timedelta(minutes=15),
    )


def test_a_lapsed_waybill_is_expired_once_and_a_live_one_is_not(chain) -> None:
    # Given two issued waybills of the mine, one whose expiry passed an hour ago
    lapsed, live = waybills_for(chain.mines[0], ["辽C11111", "辽C22222"])
    past = timezone.now() - datetime.timedelta(hours=1)
    Waybill.objects.filter(pk=lapsed.pk).update(
        issued_at=past - datetime.timedelta(hours=24), expires_at=past
    )
    # When the job runs twice
    first = expire_open_waybills.call(period="2026-03-01T10:00")
    second = expire_open_waybills.call(period="2026-03-01T10:15")
    # Then the lapsed waybill was expired by the first run only, once (one version more)
    assert (first, second) == (1, 0)
    lapsed.refresh_from_db()
    live.refresh_from_db()
    assert (lapsed.status, lapsed.version) == ("expired", 2)
    # And the live one is still issued, untouched
    assert (live.status, live.version) == ("issued", 1)
