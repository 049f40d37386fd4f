"""The daily permit-expiry job."""

from __future__ import annotations

import datetime

import pytest

from oreledger.core.scheduler import periodic_jobs
from oreledger.registry.jobs import mark_permit_expiry
from oreledger.registry.models import Permit
from oreledger.registry.tests.factories import PermitFactory

pytestmark = pytest.mark.django_db


def test_the_job_is_scheduled_daily() -> None:
    job = next(j for j in periodic_jobs() if j.name == "registry.mark_permit_expiry")
    assert (job.task_path, job.every) == (
        "oreledger.registry.jobs.mark_permit_expiry",
        datetime.timedelta(days=1),
    )


def test_the_job_marks_expiring_expired_and_suspended(world, records) -> None:
    # given permits ending at different distances from 2026-03-01, all stored as valid
    department = records.hc_permit.department
    for number, valid_to, status in [
        ("P-30", datetime.date(2026, 3, 31), "valid"),
        ("P-31", datetime.date(2026, 4, 1), "valid"),
        ("P-GONE", datetime.date(2026, 2, 28), "valid"),
        ("P-SUSP", datetime.date(2029, 1, 1), "revoked"),
    ]:
        PermitFactory(
            number=number,
            holder=records.hc,
            department=department,
            valid_to=valid_to,
            status=status,
        )
    PermitFactory(
        number="P-LATER",
        holder=records.hc,
        department=department,
        valid_from=datetime.date(2026, 6, 1),
        valid_to=datetime.date(2030, 1, 1),
    )
    # when the job runs for that day
    changed = mark_permit_expiry.call(period="2026-03-01")
    # then each permit carries its state, and a second run changes nothing
    states = dict(Permit.objects.values_list("number", "validity_state"))
    assert {k: states[k] for k in ("P-30", "P-31", "P-GONE", "P-SUSP", "P-LATER")} == {
        "P-30": "expiring",
        "P-31": "valid",
        "P-GONE": "expired",
        "P-SUSP": "suspended_revoked",
        "P-LATER": "pending",
    }
    assert changed == {
        "suspended_revoked": 1,
        "pending": 1,
        "expired": 1,
        "expiring": 1,
        "valid": 0,
    }
    assert mark_permit_expiry.call(period="2026-03-01") == {
        "suspended_revoked": 0,
        "pending": 0,
        "expired": 0,
        "expiring": 0,
        "valid": 0,
    }
    listed = world.client("haicheng_operator").get("/registry/permits/?validity=expiring")
    assert [row.number for row, _cells in listed.context["rows"]] == ["P-30"]
