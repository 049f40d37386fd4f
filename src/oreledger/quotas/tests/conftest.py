"""Fixtures of the quota tests: a province with a period, two counties and three mines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from oreledger.quotas.models import Mineral, QuotaAccount
from oreledger.quotas.services import allocate_children, allocate_quota, open_period
from oreledger.registry.models import Site
from oreledger.registry.tests.factories import EnterpriseFactory, SiteFactory
from testkit.personas import Province

YEAR = 2025
T = 1000  # kilograms per tonne


@dataclass
class Ledger:
    """The province's magnesite accounts of a year (2025 unless asked)."""

    world: Province
    hc_mine: Site
    hc_mine_2: Site
    dsq_mine: Site

    year: int = YEAR

    def account(self, holder: Any) -> QuotaAccount:
        """The year's magnesite account of a region or mine."""
        if isinstance(holder, Site):
            return QuotaAccount.objects.get(holder_site=holder, period__year=self.year)
        return QuotaAccount.objects.get(holder_region=holder, period__year=self.year)


def build_ledger(world: Province, year: int = YEAR) -> Ledger:
    """Province 10,000 t; Haicheng 4,000 t (mines 1,500 + 1,000); Dashiqiao 3,000 t (mine 2,000)."""
    Mineral.objects.get_or_create(
        code="magnesite", defaults={"name_zh": "菱镁矿", "name_en": "Magnesite"}
    )
    open_period(actor="test", year=year)
    own = world.user("enterprise_user").enterprise
    hc_mine = SiteFactory(code="HC-M-001", enterprise=own, region=world.haicheng)
    hc_mine_2 = SiteFactory(code="HC-M-002", enterprise=own, region=world.haicheng)
    dsq_mine = SiteFactory(
        code="DSQ-M-001",
        enterprise=EnterpriseFactory(region=world.dashiqiao),
        region=world.dashiqiao,
    )
    common = {"actor": "test", "period": year, "mineral": "magnesite"}
    allocate_quota(**common, holder=world.province, allocated_kg=10_000 * T)
    allocate_children(
        **common, allocations=[(world.haicheng, 4_000 * T), (world.dashiqiao, 3_000 * T)]
    )
    allocate_children(**common, allocations=[(hc_mine, 1_500 * T), (hc_mine_2, 1_000 * T)])
    allocate_quota(**common, holder=dsq_mine, allocated_kg=2_000 * T)
    return Ledger(world, hc_mine, hc_mine_2, dsq_mine, year)


@pytest.fixture
def ledger(world: Province) -> Ledger:
    """The ledger inside the test's transaction."""
    return build_ledger(world)


@pytest.fixture
def ledger_tx(world_tx: Province) -> Ledger:
    """The ledger committed, for tests with real concurrent transactions."""
    return build_ledger(world_tx)
