"""The demo province loads through the bundle importer, as `oreledger demo` does."""

from __future__ import annotations

from typing import Any

import pytest

from oreledger.accounts.models import User
from oreledger.core.bundle import format_errors
from oreledger.demo.generator import generate_province
from oreledger.demo.services import DEMO_SEED, load_demo_province
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle


@pytest.mark.django_db
def test_the_demo_province_imports_without_errors(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    rows = generate_province(seed=DEMO_SEED).rows
    report = load_demo_province()
    assert report.ok, format_errors(report.errors)[:20]
    assert Enterprise.objects.count() == len(rows["enterprises"])
    assert Site.objects.count() == len(rows["sites"])
    assert Station.objects.count() == len(rows["stations"])
    assert Vehicle.objects.count() == len(rows["vehicles"])
    assert Permit.objects.count() == len(rows["permits"])
    assert User.objects.filter(username__in=[r["username"] for r in rows["users"]]).count() == (
        len(rows["users"])
    )
    assert len(report.secrets["stations"]) == len(rows["stations"])
    again = load_demo_province()
    assert again.ok and sum(o.created + o.updated for o in again.outcomes.values()) == 0
