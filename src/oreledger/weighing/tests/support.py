"""A small weighing world for tests: mines with quotas, a plant, contracts, stations, waybills."""

from __future__ import annotations

import datetime
import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oreledger.accounts.tests.factories import department
from oreledger.grading.models import Grade, GradingStandard
from oreledger.quotas.models import Mineral
from oreledger.quotas.services import allocate_quota, open_period
from oreledger.registry.models import PermitType, Site, Station
from oreledger.registry.services import create_station
from oreledger.registry.tests.factories import EnterpriseFactory, PermitFactory, SiteFactory
from oreledger.trade.models import Contract
from oreledger.weighing.models import Waybill
from oreledger.weighing.signing import signed_headers

TICKETS_PATH = "/api/v1/station/tickets"


@dataclass
class Mine:
    """A mine with its exit stations (code → secret) and its contract to the plant."""

    site: Site
    contract: Contract
    stations: dict[str, str] = field(default_factory=dict)


@dataclass
class Chain:
    """Mines, one plant with its gate station, a checkpoint."""

    mines: list[Mine]
    plant: Site
    gate: tuple[str, str]
    checkpoint: tuple[str, str]


def grading_standard() -> None:
    """The example grade table (docs/reference/grades.md), in force since 2020."""
    standard, _ = GradingStandard.objects.get_or_create(
        code="LN-2020", defaults={"effective_from": datetime.date(2020, 1, 1)}
    )
    for rank, code in enumerate(["LMT-47", "LM-46", "LM-45", "LM-44", "LM-41", "LG"], start=1):
        Grade.objects.get_or_create(
            standard=standard, code=code, defaults={"name_zh": code, "rank": rank}
        )


def build_chain(
    world: Any,
    *,
    mines: int = 1,
    stations_per_mine: int = 1,
    quota_kg: int = 10_000_000,
    contract_kg: int = 10_000_000,
    year: int | None = None,
) -> Chain:
    """Mines in Haicheng (the first run by the persona's enterprise) shipping to one plant."""
    year = year or timezone.localdate().year
    grading_standard()
    Mineral.objects.get_or_create(
        code="magnesite", defaults={"name_zh": "菱镁矿", "name_en": "Magnesite"}
    )
    open_period(actor=None, year=year)
    total = quota_kg * mines
    allocate_quota(
        actor=None, period=year, mineral="magnesite", holder=world.province, allocated_kg=total
    )
    allocate_quota(
        actor=None, period=year, mineral="magnesite", holder=world.haicheng, allocated_kg=total
    )
    processor = EnterpriseFactory(name="海城市镁砂加工厂", kind="processor", region=world.haicheng)
    plant = SiteFactory(code="HC-P-001", enterprise=processor, kind="plant", name="镁砂厂")
    grade = Grade.objects.get(code="LM-46")
    first = world.user("enterprise_user").enterprise
    built = []
    for m in range(mines):
        owner = first if m == 0 else EnterpriseFactory(region=world.haicheng)
        site = SiteFactory(code=f"HC-M-{m + 1:03d}", enterprise=owner, name=f"矿{m + 1}")
        allocate_quota(
            actor=None, period=year, mineral="magnesite", holder=site, allocated_kg=quota_kg
        )
        contract = Contract.objects.create(
            number=f"HT-{year}-{m + 1:04d}",
            seller=owner,
            buyer=processor,
            origin_site=site,
            destination_site=plant,
            grade=grade,
            quantity_kg=contract_kg,
            unit_price=Decimal("300.00"),
            valid_from=datetime.date(year, 1, 1),
            valid_to=datetime.date(year, 12, 31),
            status="approved",
            region=world.haicheng,
        )
        give_gate_permits(site, world.haicheng)
        mine = Mine(site, contract)
        for s in range(stations_per_mine):
            code = f"HC-ST-{m + 1:02d}{s + 1:02d}"
            _station, secret = create_station(
                actor=None,
                code=code,
                name=f"{site.name}出口{s + 1}",
                region=world.haicheng,
                lat=site.lat,
                lon=site.lon,
                site=site,
            )
            mine.stations[code] = str(secret)
        built.append(mine)
    gate, gate_secret = create_station(
        actor=None,
        code="HC-ST-P01",
        name="镁砂厂入口",
        region=world.haicheng,
        lat=plant.lat,
        lon=plant.lon,
        site=plant,
    )
    cp, cp_secret = create_station(
        actor=None,
        code="HC-CP-01",
        name="公路检查站",
        region=world.haicheng,
        lat=plant.lat,
        lon=plant.lon,
    )
    return Chain(built, plant, (gate.code, str(gate_secret)), (cp.code, str(cp_secret)))


def give_gate_permits(site: Site, region: Any) -> None:
    """The permits checked at a mine's gate, valid for years."""
    for permit_type in PermitType.objects.filter(required_at_gate=True).select_related(
        "department_kind"
    ):
        PermitFactory(
            number=f"{permit_type.code[:6]}-{site.code}",
            type=permit_type,
            holder=site.enterprise,
            site=site,
            department=department(permit_type.department_kind.code, region),
        )


_NUMBERS = itertools.count(1)


def exit_gate(chain: Chain) -> tuple[Mine, str, str]:
    """The first mine, its first exit station's code and secret."""
    mine = chain.mines[0]
    code, secret = next(iter(mine.stations.items()))
    return mine, code, secret


def waybills_for(mine: Mine, plates: list[str], *, hours: int = 24) -> list[Waybill]:
    """Issued waybills, one per plate, straight into the table (fast, for load tests)."""
    now = timezone.now()
    rows = [
        Waybill(
            number=f"WB{mine.site.code[-3:]}{next(_NUMBERS):08d}",
            contract=mine.contract,
            seller_id=mine.contract.seller_id,
            buyer_id=mine.contract.buyer_id,
            origin_site=mine.site,
            destination_site=mine.contract.destination_site,
            region=mine.site.region,
            plate=plate,
            planned_net_kg=34000,
            issued_at=now,
            expires_at=now + datetime.timedelta(hours=hours),
        )
        for plate in plates
    ]
    return Waybill.objects.bulk_create(rows)


def on_shift(lasting: datetime.timedelta = datetime.timedelta(0)) -> datetime.datetime:
    """An instant well inside the permitted hours (off_hours: 06:00–22:00 local).

    The start of a span of `lasting` (a trip from mine exit to plant gate, say) that lies
    between 06:30 and 21:30 local and ends a minute ago if it can, else at 21:30 local of
    the evening before: for tickets whose test counts alerts or statements, so that running
    at night (22:00–06:00 in Shanghai is 14:00–22:00 UTC) raises no off_hours alert.
    (Between 00:00 and 06:30 on 1 January that evening is in the year before.)
    """
    end = timezone.localtime(timezone.now() - datetime.timedelta(minutes=1))
    minute = end.hour * 60 + end.minute
    earliest = 6 * 60 + 30 + lasting.total_seconds() / 60
    if not earliest <= minute <= 21 * 60 + 30:
        evening = end.replace(hour=21, minute=30, second=0, microsecond=0)
        end = evening if evening <= end else evening - datetime.timedelta(days=1)
    return end - lasting


def plate(n: int) -> str:
    """A valid plate, distinct for each n < 100000."""
    return f"辽C{n:05d}"


def ticket(
    seq: int,
    plate_: str,
    *,
    waybill: str | None = None,
    net: int = 30000,
    direction: str = "out",
    at: datetime.datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid ticket item."""
    at = at or timezone.now() - datetime.timedelta(minutes=1)
    tare = 15000
    item = {
        "seq": seq,
        "ticket_no": f"T-{seq}",
        "plate": plate_,
        "direction": direction,
        "waybill": waybill,
        "cargo": "magnesite_ore",
        "declared_grade": "LM-46",
        "gross_kg": tare + net,
        "tare_kg": tare,
        "net_kg": net,
        "gross_at": at.isoformat(),
        "tare_at": (at - datetime.timedelta(minutes=2)).isoformat(),
        "operator": "王力",
    }
    item.update(extra)
    return item


def body(items: list[dict[str, Any]]) -> bytes:
    """A batch body."""
    return json.dumps({"tickets": items}, ensure_ascii=False).encode()


def post(
    client: Any,
    station: str,
    secret: str,
    payload: bytes,
    path: str = TICKETS_PATH,
    at: float | None = None,
) -> Any:
    """POST signed bytes with the Django test client."""
    headers = signed_headers(station, secret, "POST", path, payload, at=at)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.post(path, data=payload, content_type="application/json", **meta)


def get(client: Any, station: str, secret: str, path: str) -> Any:
    """GET signed with the Django test client."""
    headers = signed_headers(station, secret, "GET", path, b"")
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.get(path, **meta)


def station_obj(code: str) -> Station:
    """The station row."""
    return Station.objects.select_related("site", "region").get(code=code)
