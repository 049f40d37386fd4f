"""Registry records in both counties of the test province."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from oreledger.accounts.tests.factories import department
from oreledger.core.models import ObjectChange
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle
from oreledger.registry.tests.factories import (
    EnterpriseFactory,
    PermitFactory,
    SiteFactory,
    StationFactory,
    VehicleFactory,
)
from testkit.personas import Province


@dataclass
class Records:
    """One enterprise with a site, station, vehicle and permit in each county."""

    hc: Enterprise
    hc_site: Site
    hc_station: Station
    hc_vehicle: Vehicle
    hc_permit: Permit
    dsq: Enterprise
    dsq_site: Site
    dsq_station: Station
    dsq_vehicle: Vehicle
    dsq_permit: Permit


def build_records(world: Province) -> Records:
    """Haicheng's records belong to the enterprise user's enterprise."""
    hc = world.user("enterprise_user").enterprise
    assert hc is not None
    hc_site = SiteFactory(code="HC-M-001", enterprise=hc, name="华鑫一矿")
    dsq = EnterpriseFactory(name="大石桥市金鼎镁业有限公司", region=world.dashiqiao)
    dsq_site = SiteFactory(
        code="DSQ-M-001", enterprise=dsq, name="金鼎矿", lat="40.640000", lon="122.510000"
    )
    return Records(
        hc=hc,
        hc_site=hc_site,
        hc_station=StationFactory(code="HC-ST-001", site=hc_site),
        hc_vehicle=VehicleFactory(plate="辽C10001", owner=hc),
        hc_permit=PermitFactory(
            number="C2103812020001",
            holder=hc,
            site=hc_site,
            department=department("natural_resources", world.haicheng),
        ),
        dsq=dsq,
        dsq_site=dsq_site,
        dsq_station=StationFactory(code="DSQ-ST-001", site=dsq_site),
        dsq_vehicle=VehicleFactory(plate="辽H20002", owner=dsq),
        dsq_permit=PermitFactory(
            number="C2108822020002",
            holder=dsq,
            site=dsq_site,
            department=department("natural_resources", world.dashiqiao),
            valid_to=datetime.date(2030, 6, 30),
        ),
    )


@pytest.fixture
def records(world: Province) -> Records:
    """Registry records for the world's two counties."""
    return build_records(world)


@pytest.fixture
def located(world: Province) -> Province:
    """The world with county centres known, so the plausible-area check applies."""
    for region, (lat, lon) in (
        (world.haicheng, ("40.880000", "122.680000")),
        (world.dashiqiao, ("40.640000", "122.510000")),
    ):
        region.lat, region.lon = lat, lon
        region.save()
    return world


def snapshot_counts() -> dict[str, Any]:
    """How many rows each registry table and the audit trail hold."""
    return {
        model.__name__: model.objects.count()
        for model in (Enterprise, Site, Station, Vehicle, Permit, ObjectChange)
    }
