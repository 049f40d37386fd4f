"""Reading the simulator's World from the platform's database (the command runs in-process).

Only what a real station or dispatcher would know: stations and their secrets, the sites
they guard, approved contracts valid today, the hauliers' registered trucks, and which
county operator issues a contract's waybills.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from oreledger.accounts.choices import Role
from oreledger.accounts.models import User
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.choices import (
    EnterpriseKind,
    OperatingStatus,
    ProcedureState,
    VehicleStatus,
)
from oreledger.registry.models import Station, Vehicle
from oreledger.registry.procedures import lines_for
from oreledger.registry.services import station_secrets
from oreledger.simulator.traffic import (
    ContractInfo,
    SiteInfo,
    StationInfo,
    Truck,
    World,
)
from oreledger.trade.choices import ContractStatus
from oreledger.trade.models import Contract


@dataclass
class Loaded:
    """The World plus what must stay in memory only: secrets and waybill issuers."""

    world: World
    secrets: dict[str, str]
    issuers: dict[str, Any] = field(default_factory=dict)  # contract number → User
    skipped: list[str] = field(default_factory=list)  # why some sites or contracts sit out


def _county(region: Any) -> str:
    node = region
    while node is not None and node.level == "town":
        node = node.parent
    return str(node.code if node is not None else region.code)


def _gate_ready(sites: Iterable[Any], today: datetime.date) -> set[int]:
    """Sites whose site and enterprise may work today and hold every gate permit."""
    sites = [s for s in sites if s.status == OperatingStatus.OPERATING]
    enterprises = {s.enterprise_id: s.enterprise for s in sites}
    lines = lines_for(enterprises.values(), today)
    good = {ProcedureState.VALID, ProcedureState.EXPIRING}
    ready = set()
    for site in sites:
        if site.enterprise.status != OperatingStatus.OPERATING:
            continue
        blocking = [
            line for line in lines.get(site.enterprise_id, [])
            if line.permit_type.required_at_gate and line.site in (None, site)
        ]  # fmt: skip
        if all(line.state in good for line in blocking):
            ready.add(site.pk)
    return ready


def _quota_left(mine_ids: list[int], year: int) -> dict[int, int]:
    left: dict[int, int] = {}
    accounts = QuotaAccount.objects.filter(holder_site_id__in=mine_ids, period__year=year)
    for account in accounts:
        remaining = account.allocated_kg + account.tolerance_kg - account.consumed_kg
        assert account.holder_site_id is not None
        left[account.holder_site_id] = left.get(account.holder_site_id, 0) + remaining
    return left


def load_world(*, today: datetime.date, only: set[str] | None = None) -> Loaded:
    """Snapshot the registry for the simulator; `only` limits it to these station codes."""
    skipped: list[str] = []
    stations: dict[str, StationInfo] = {}
    secrets: dict[str, str] = {}
    site_station: dict[int, str] = {}
    query = Station.objects.select_related("region__parent", "site__enterprise", "site__region")
    for station in query.order_by("code"):
        if only is not None and station.code not in only:
            continue
        accepted = station_secrets(station)
        if not accepted:
            skipped.append(f"{station.code}: disabled or no secret")
            continue
        secrets[station.code] = accepted[0]
        stations[station.code] = StationInfo(
            station.code, float(station.lat), float(station.lon),
            station.site.code if station.site else None, _county(station.region),
        )  # fmt: skip
        if station.site_id is not None:
            site_station.setdefault(station.site_id, station.code)

    contracts_qs = Contract.objects.select_related(
        "origin_site__enterprise",
        "origin_site__region__parent",
        "destination_site__enterprise",
        "destination_site__region__parent",
        "grade",
        "region",
    ).filter(status=ContractStatus.APPROVED, valid_from__lte=today, valid_to__gte=today)
    contracts_list = [
        c for c in contracts_qs.order_by("number")
        if c.origin_site_id in site_station and c.destination_site_id in site_station
    ]  # fmt: skip
    all_sites = {c.origin_site_id: c.origin_site for c in contracts_list}
    all_sites.update({c.destination_site_id: c.destination_site for c in contracts_list})
    ready = _gate_ready(all_sites.values(), today)
    mine_ids = [c.origin_site_id for c in contracts_list]
    quota = _quota_left(mine_ids, today.year)

    operators: dict[str, Any] = {}
    for user in User.objects.filter(role=Role.COUNTY_OPERATOR, is_active=True).order_by("pk"):
        if user.region_id is not None:
            operators.setdefault(user.region.code, user)

    sites: dict[str, SiteInfo] = {}
    contracts: list[ContractInfo] = []
    issuers: dict[str, Any] = {}
    for contract in contracts_list:
        origin, destination = contract.origin_site, contract.destination_site
        if origin.pk not in ready or destination.pk not in ready:
            skipped.append(f"{contract.number}: a site is stopped or lacks a gate permit")
            continue
        issuer = operators.get(contract.region.code)
        if issuer is None:
            skipped.append(f"{contract.number}: no county operator for {contract.region.code}")
            continue
        for site in (origin, destination):
            sites[site.code] = SiteInfo(
                site.code, site.kind, float(site.lat), float(site.lon), site.hours_from,
                site.hours_to, site_station[site.pk], _county(site.region),
                site.capacity_t or 0, quota.get(site.pk) if site is origin else None,
            )  # fmt: skip
        remaining = contract.max_delivery_kg - contract.delivered_kg - contract.tolerance_kg
        contracts.append(
            ContractInfo(contract.number, origin.code, destination.code, contract.grade.code,
                         remaining, contract.valid_from, contract.valid_to,
                         contract.region.code, contract.approved_at)
        )  # fmt: skip
        issuers[contract.number] = issuer

    trucks = [
        Truck(v.plate, v.axles, v.tare_kg, _county(v.owner.region) if v.owner else "")
        for v in Vehicle.objects.select_related("owner__region__parent").filter(
            status=VehicleStatus.REGISTERED,
            owner__kind=EnterpriseKind.HAULIER,
            owner__status="operating",
        ).order_by("plate")
    ]  # fmt: skip
    world = World(stations=stations, sites=sites, contracts=contracts, trucks=trucks)
    return Loaded(world, secrets, issuers, skipped)
